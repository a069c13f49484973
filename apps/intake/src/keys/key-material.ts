import { randomBytes, randomUUID } from 'node:crypto';
import { hashKey } from '@tthc/auth';

export type IssuedRole = 'desk' | 'viewer';

/** A new secret key: 32 random bytes, base64url, prefixed with its role (`desk_…`, `viewer_…`). */
export function generateKey(role: IssuedRole, random: (size: number) => Buffer = randomBytes): string {
  return `${role}_${random(32).toString('base64url')}`;
}

/** A new key id (`desk-<uuid>` / `viewer-<uuid>`); ids are public, keys are secret. */
export function newKeyId(role: IssuedRole, uuid: () => string = randomUUID): string {
  return `${role}-${uuid()}`;
}

/** The key to show once and the hash to store and distribute. */
export function issueKey(role: IssuedRole): { id: string; key: string; keyHash: string } {
  const key = generateKey(role);
  return { id: newKeyId(role), key, keyHash: hashKey(key) };
}
