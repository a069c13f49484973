import type { AccessKey } from '@tthc/contracts';
import { accessKeySchema } from '@tthc/contracts';
import { canonicalKeyRecord, judgeKeyRecord, KeyRecordSigner, mergeKeyRecord } from './key-records';
import { hashKey } from './principal';

const SECRET = 'keys-secret-0123456789-0123456789-aa';
const OLD_SECRET = 'keys-secret-old-0123456789-012345678';
const desk: AccessKey = {
  id: 'desk-1',
  role: 'desk',
  name: 'Một cửa huyện',
  keyHash: hashKey('desk_secret'),
  agencyCodes: ['000.00.12.H56'],
  createdAt: '2026-01-01T00:00:00Z',
  revokedAt: null,
};

describe('KeyRecordSigner', () => {
  const signer = new KeyRecordSigner([SECRET]);

  it('signs a record with a 64-hex HMAC that the contract schema accepts and the signer verifies', () => {
    const signed = signer.sign(desk);
    expect(signed.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(accessKeySchema.parse(signed)).toEqual(signed);
    expect(signer.verify(signed)).toBe(true);
  });

  it('refuses an unsigned record and any changed field', () => {
    const signed = signer.sign(desk);
    expect(signer.verify(desk)).toBe(false);
    const changes: Partial<AccessKey>[] = [
      { id: 'desk-2' },
      { role: 'viewer' },
      { role: 'admin' },
      { name: 'other' },
      { keyHash: hashKey('other') },
      { agencyCodes: ['000.00.12.H56', 'X'] },
      { agencyCodes: [] },
      { createdAt: '2026-01-02T00:00:00Z' },
      { revokedAt: '2026-02-01T00:00:00Z' },
    ];
    for (const change of changes) expect([change, signer.verify({ ...signed, ...change })]).toEqual([change, false]);
    expect(signer.verify({ ...signed, signature: '0'.repeat(64) })).toBe(false);
  });

  it('refuses a record signed with another secret', () => {
    expect(signer.verify(new KeyRecordSigner([OLD_SECRET]).sign(desk))).toBe(false);
  });

  it('rotates: signs with the first secret, verifies with every one', () => {
    const rotating = new KeyRecordSigner([SECRET, OLD_SECRET]);
    const old = new KeyRecordSigner([OLD_SECRET]).sign(desk);
    expect(rotating.verify(old)).toBe(true);
    const fresh = rotating.sign(desk);
    expect(signer.verify(fresh)).toBe(true);
    expect(new KeyRecordSigner([OLD_SECRET]).verify(fresh)).toBe(false);
  });

  it('re-signs a record whose fields changed (a revocation)', () => {
    const revoked = signer.sign({ ...signer.sign(desk), revokedAt: '2026-02-01T00:00:00Z' });
    expect(signer.verify(revoked)).toBe(true);
  });

  it('encodes the fields unambiguously (no two records share an encoding)', () => {
    expect(canonicalKeyRecord({ ...desk, name: 'a","b' })).not.toBe(
      canonicalKeyRecord({ ...desk, name: 'a', agencyCodes: ['b', ...desk.agencyCodes] }),
    );
    expect(canonicalKeyRecord({ ...desk, agencyCodes: ['a,b'] })).not.toBe(
      canonicalKeyRecord({ ...desk, agencyCodes: ['a', 'b'] }),
    );
  });

  it('needs a secret', () => {
    expect(() => new KeyRecordSigner([])).toThrow(/secret/);
  });
});

describe('judgeKeyRecord', () => {
  const signer = new KeyRecordSigner([SECRET]);

  it('admits a signed desk or viewer record', () => {
    const signed = signer.sign(desk);
    expect(judgeKeyRecord('desk-1', signed, signer)).toEqual({ admit: true, record: signed });
    const viewer = signer.sign({ ...desk, id: 'viewer-1', role: 'viewer' });
    expect(judgeKeyRecord('viewer-1', viewer, signer).admit).toBe(true);
  });

  it('refuses admin records even when signed, tombstones, unsigned, forged and misfiled records', () => {
    const reason = (code: string, value: AccessKey | null) => {
      const verdict = judgeKeyRecord(code, value, signer);
      return verdict.admit ? 'admitted' : verdict.reason;
    };
    expect(reason('a', signer.sign({ ...desk, id: 'a', role: 'admin', agencyCodes: [] }))).toBe('admin_role');
    expect(reason('a', { ...desk, id: 'a', role: 'admin', agencyCodes: [] })).toBe('admin_role');
    expect(reason('desk-1', null)).toBe('tombstone');
    expect(reason('desk-1', desk)).toBe('unsigned');
    expect(reason('desk-1', new KeyRecordSigner([OLD_SECRET]).sign(desk))).toBe('bad_signature');
    expect(reason('desk-1', { ...signer.sign(desk), agencyCodes: ['ROOT'] })).toBe('bad_signature');
    expect(reason('desk-2', signer.sign(desk))).toBe('id_mismatch');
  });
});

describe('mergeKeyRecord: revocation is final', () => {
  const revoked = { ...desk, revokedAt: '2026-02-01T00:00:00Z' };

  it('takes the incoming record for a new key, and a revocation', () => {
    expect(mergeKeyRecord(undefined, desk)).toBe(desk);
    expect(mergeKeyRecord(desk, revoked)).toBe(revoked);
  });

  it('keeps the revoked record when an unrevoked one arrives after it (late or replayed)', () => {
    expect(mergeKeyRecord(revoked, desk)).toBe(revoked);
  });
});
