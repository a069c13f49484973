import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccessKey, Role } from '@tthc/contracts';

/** Who is calling: the bootstrap admin, or a desk or viewer key (CONTRACT §2). */
export interface Principal {
  id: string;
  role: Role;
  name: string;
  /** Desk: allowed agency subtrees; viewer: its one subtree; admin: empty (everything). */
  agencyCodes: readonly string[];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(hashKey(a), 'hex');
  const right = Buffer.from(hashKey(b), 'hex');
  return timingSafeEqual(left, right);
}

export const ADMIN_PRINCIPAL_ID = 'admin';

/**
 * The keys a service knows: the bootstrap admin key and the desk and viewer keys distributed on
 * the access-keys topic. Keys are held hashed only.
 */
export class AccessKeyDirectory {
  private readonly byHash = new Map<string, AccessKey>();

  constructor(private readonly adminKey: string) {}

  upsert(key: AccessKey): void {
    for (const [hash, existing] of this.byHash) if (existing.id === key.id) this.byHash.delete(hash);
    this.byHash.set(key.keyHash, key);
  }

  remove(id: string): void {
    for (const [hash, existing] of this.byHash) if (existing.id === id) this.byHash.delete(hash);
  }

  /** The principal of a presented key, or undefined for an unknown or revoked key. */
  authenticate(presented: string): Principal | undefined {
    if (sameSecret(presented, this.adminKey)) {
      return { id: ADMIN_PRINCIPAL_ID, role: 'admin', name: 'bootstrap admin', agencyCodes: [] };
    }
    const key = this.byHash.get(hashKey(presented));
    if (key === undefined || key.revokedAt !== null) return undefined;
    return { id: key.id, role: key.role, name: key.name, agencyCodes: key.agencyCodes };
  }
}
