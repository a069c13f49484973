import { AccessKeyDirectory, hashKey } from '@tthc/auth';
import { accessKeySchema } from '@tthc/contracts';
import { generateKey, issueKey, newKeyId } from './key-material';

describe('key material (docs/api.md §2)', () => {
  it('makes role-prefixed keys of 32 random bytes in base64url', () => {
    const key = generateKey('desk', (size) => Buffer.alloc(size, 0xff));
    expect(key).toBe(`desk_${Buffer.alloc(32, 0xff).toString('base64url')}`);
    const viewer = generateKey('viewer');
    expect(viewer).toMatch(/^viewer_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(viewer.slice('viewer_'.length), 'base64url')).toHaveLength(32);
    expect(generateKey('desk')).not.toBe(generateKey('desk'));
  });

  it('makes ids that fit the access-key contract', () => {
    expect(newKeyId('desk', () => 'u-1')).toBe('desk-u-1');
    const issued = issueKey('viewer');
    expect(issued.id).toMatch(/^viewer-[0-9a-f-]{36}$/);
    expect(issued.keyHash).toBe(hashKey(issued.key));
    expect(issued.keyHash).not.toContain(issued.key);
    const record = {
      id: issued.id,
      role: 'viewer' as const,
      name: 'v',
      keyHash: issued.keyHash,
      agencyCodes: ['A'],
      createdAt: '2026-01-01T00:00:00Z',
      revokedAt: null,
    };
    expect(accessKeySchema.safeParse(record).success).toBe(true);
  });

  it('issues keys that the directory authenticates by their hash only', () => {
    const issued = issueKey('desk');
    const directory = new AccessKeyDirectory(['admin-key-123456']);
    directory.upsert({
      id: issued.id,
      role: 'desk',
      name: 'd',
      keyHash: issued.keyHash,
      agencyCodes: ['A'],
      createdAt: '2026-01-01T00:00:00Z',
      revokedAt: null,
    });
    expect(directory.authenticate(issued.key)?.id).toBe(issued.id);
    expect(directory.authenticate(issued.keyHash)).toBeUndefined();
  });
});
