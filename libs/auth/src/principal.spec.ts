import { AccessKeyDirectory, adminKeyId, hashKey, keyIdOf } from './principal';

describe('AccessKeyDirectory (docs/api.md §2)', () => {
  const directory = new AccessKeyDirectory(['the-admin-key-123']);
  const desk = {
    id: 'desk-1',
    role: 'desk' as const,
    name: 'Một cửa huyện',
    keyHash: hashKey('desk-secret'),
    agencyCodes: ['000.00.12.H56'],
    createdAt: '2026-01-01T00:00:00Z',
    revokedAt: null,
  };

  it('knows the admin key of the environment', () => {
    expect(directory.authenticate('the-admin-key-123')).toMatchObject({ id: 'admin', role: 'admin' });
  });

  it('authenticates a distributed key by its hash and forgets it when revoked', () => {
    directory.upsert(desk);
    const principal = directory.authenticate('desk-secret');
    expect(principal).toMatchObject({ id: 'desk-1', role: 'desk', agencyCodes: ['000.00.12.H56'] });
    expect(keyIdOf(principal!)).toBe('desk-1');
    directory.upsert({ ...desk, revokedAt: '2026-02-01T00:00:00Z' });
    expect(directory.authenticate('desk-secret')).toBeUndefined();
  });

  it('rejects unknown keys', () => {
    expect(directory.authenticate('guess')).toBeUndefined();
    expect(directory.authenticate('')).toBeUndefined();
  });

  it('never installs an admin-role record, whatever its hash', () => {
    const local = new AccessKeyDirectory(['the-admin-key-123']);
    local.upsert({ ...desk, id: 'evil', role: 'admin', keyHash: hashKey('forged-admin-key') });
    expect(local.authenticate('forged-admin-key')).toBeUndefined();
  });
});

describe('admin keys during a rollover (TTHC_ADMIN_KEYS)', () => {
  const oldKey = 'old-admin-key-0123456789';
  const newKey = 'new-admin-key-9876543210';

  it('accepts every configured admin key, with one identity and a key id per key', () => {
    const directory = new AccessKeyDirectory([oldKey, newKey]);
    const old = directory.authenticate(oldKey)!;
    const fresh = directory.authenticate(newKey)!;
    // One identity: events posted with either key keep their (desk, eventId) idempotency.
    expect([old.id, fresh.id]).toEqual(['admin', 'admin']);
    expect(keyIdOf(old)).toBe(adminKeyId(oldKey));
    expect(keyIdOf(fresh)).toBe(adminKeyId(newKey));
    expect(keyIdOf(old)).not.toBe(keyIdOf(fresh));
    expect(directory.adminKeyIds()).toEqual([adminKeyId(oldKey), adminKeyId(newKey)]);
  });

  it('refuses the old key once it is dropped', () => {
    const directory = new AccessKeyDirectory([newKey]);
    expect(directory.authenticate(oldKey)).toBeUndefined();
    expect(directory.authenticate(newKey)?.role).toBe('admin');
  });

  it('names an admin key by a stable fingerprint that does not contain the key or its SHA-256', () => {
    const id = adminKeyId(newKey);
    expect(id).toMatch(/^admin-[0-9a-f]{10}$/);
    expect(adminKeyId(newKey)).toBe(id);
    expect(id).not.toContain(newKey);
    expect(hashKey(newKey)).not.toContain(id.slice('admin-'.length));
  });

  it('needs at least one admin key', () => {
    expect(() => new AccessKeyDirectory([])).toThrow(/admin key/);
  });
});
