import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessKey } from '@tthc/contracts';

/** Injection token of the service's {@link KeyRecordSigner}. */
export const KEY_RECORD_SIGNER = Symbol('KEY_RECORD_SIGNER');

/**
 * The canonical encoding a key record's signature covers: a JSON array of every field but the
 * signature, in a fixed order, behind a domain label (so no other HMAC of the same secret can be
 * passed off as a key record's).
 */
export function canonicalKeyRecord(record: AccessKey): string {
  return JSON.stringify([
    'tthc.access-key.v1',
    record.id,
    record.role,
    record.name,
    record.keyHash,
    record.agencyCodes,
    record.createdAt,
    record.revokedAt,
  ]);
}

/**
 * Signs and verifies access-key records with the secrets shared by the services
 * (`TTHC_KEYS_SECRET`): the first secret signs, every one verifies, so the secret can be rotated
 * without a moment when the replicas disagree (docs/security.md).
 */
export class KeyRecordSigner {
  constructor(private readonly secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('KeyRecordSigner needs at least one secret');
  }

  sign(record: AccessKey): AccessKey {
    const { signature: _old, ...unsigned } = record;
    return { ...unsigned, signature: this.mac(this.secrets[0] as string, unsigned) };
  }

  verify(record: AccessKey): boolean {
    if (record.signature === undefined) return false;
    const presented = Buffer.from(record.signature, 'hex');
    return this.secrets.some((secret) => {
      const expected = Buffer.from(this.mac(secret, record), 'hex');
      return presented.length === expected.length && timingSafeEqual(presented, expected);
    });
  }

  private mac(secret: string, record: AccessKey): string {
    return createHmac('sha256', secret).update(canonicalKeyRecord(record), 'utf8').digest('hex');
  }
}

/** Why a record of the key topic (or of a service's stored copy) is not installed. */
export type KeyRecordRefusal = 'tombstone' | 'id_mismatch' | 'admin_role' | 'unsigned' | 'bad_signature';

export type KeyRecordVerdict = { admit: true; record: AccessKey } | { admit: false; reason: KeyRecordRefusal };

/**
 * Whether a key record may be installed. Only intake writes the key topic, and it never deletes a
 * key (revocation is a record with `revokedAt`) nor issues an admin key (admin keys come only from
 * the environment); every record it writes is signed. So a tombstone, a record under another
 * message key, an admin record, and an unsigned or wrongly signed record are refused — whoever
 * else can produce to the topic gains no access and takes none away.
 */
export function judgeKeyRecord(code: string, value: AccessKey | null, signer: KeyRecordSigner): KeyRecordVerdict {
  if (value === null) return { admit: false, reason: 'tombstone' };
  if (value.id !== code) return { admit: false, reason: 'id_mismatch' };
  if (value.role === 'admin') return { admit: false, reason: 'admin_role' };
  if (value.signature === undefined) return { admit: false, reason: 'unsigned' };
  if (!signer.verify(value)) return { admit: false, reason: 'bad_signature' };
  return { admit: true, record: value };
}

/**
 * The record to keep when `incoming` arrives for a key already held: revocation is final. A key
 * has two records in its life (created, revoked); an unrevoked record arriving after the revoked
 * one — the consumer behind a replica's own revocation, or an old signed record replayed to the
 * topic — must not bring the key back.
 */
export function mergeKeyRecord(existing: AccessKey | undefined, incoming: AccessKey): AccessKey {
  if (existing !== undefined && existing.revokedAt !== null && incoming.revokedAt === null) return existing;
  return incoming;
}
