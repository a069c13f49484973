import { AccessKeyDirectory, hashKey } from './principal';

describe('AccessKeyDirectory (CONTRACT §2)', () => {
  const directory = new AccessKeyDirectory('the-admin-key-123');
  const desk = {
    id: 'desk-1',
    role: 'desk' as const,
    name: 'Một cửa huyện',
    keyHash: hashKey('desk-secret'),
    agencyCodes: ['000.00.12.H56'],
    createdAt: '2026-01-01T00:00:00Z',
    revokedAt: null,
  };

  it('knows the bootstrap admin key', () => {
    expect(directory.authenticate('the-admin-key-123')?.role).toBe('admin');
  });

  it('authenticates a distributed key by its hash and forgets it when revoked', () => {
    directory.upsert(desk);
    expect(directory.authenticate('desk-secret')).toMatchObject({
      id: 'desk-1',
      role: 'desk',
      agencyCodes: ['000.00.12.H56'],
    });
    directory.upsert({ ...desk, revokedAt: '2026-02-01T00:00:00Z' });
    expect(directory.authenticate('desk-secret')).toBeUndefined();
  });

  it('rejects unknown keys', () => {
    expect(directory.authenticate('guess')).toBeUndefined();
    expect(directory.authenticate('')).toBeUndefined();
  });
});
