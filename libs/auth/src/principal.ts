import { createHash, scryptSync, timingSafeEqual } from 'node:crypto';
import type { AccessKey, Role } from '@tthc/contracts';

/** Who is calling: an admin key of the environment, or a desk or viewer key (docs/api.md §2). */
export interface Principal {
  /**
   * The identity: the key id of a desk or viewer; `admin` for every admin key, so that the
   * (desk, eventId) idempotency and the rate limit of events posted with an admin key do not
   * change when the admin key is rotated.
   */
  id: string;
  /**
   * Which key was presented (logs, audit): `admin-<fingerprint>` for an admin key; for desk and
   * viewer keys the key id (= `id`; absent means the same).
   */
  keyId?: string;
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

/** The public id of the key a principal presented. */
export function keyIdOf(principal: Principal): string {
  return principal.keyId ?? principal.id;
}

/**
 * A short public name of an admin key for logs and the audit log: `admin-` and 10 hex digits of
 * a salted scrypt of the key. It tells two admin keys apart (during a rollover) and is the same
 * on every replica, but reveals nothing usable about the key: the slow derivation makes an
 * offline guess of a weak key expensive, and 40 bits match billions of other keys.
 */
export function adminKeyId(key: string): string {
  const derived = scryptSync(key, 'tthc-admin-key-id', 16, { N: 1 << 14, r: 8, p: 1 });
  return `admin-${derived.toString('hex').slice(0, 10)}`;
}

interface AdminKey {
  key: string;
  keyId: string;
}

/**
 * The keys a service knows: the admin keys of the environment (`TTHC_ADMIN_KEYS`; two during a
 * rollover) and the desk and viewer keys distributed on the access-keys topic. Distributed keys
 * are held hashed only; an admin-role record is never installed (admin keys come only from the
 * environment, docs/security.md).
 */
export class AccessKeyDirectory {
  private readonly byHash = new Map<string, AccessKey>();
  private readonly adminKeys: readonly AdminKey[];

  constructor(adminKeys: readonly string[]) {
    if (adminKeys.length === 0) throw new Error('AccessKeyDirectory needs at least one admin key');
    this.adminKeys = adminKeys.map((key) => ({ key, keyId: adminKeyId(key) }));
  }

  /** The public ids of the admin keys, in configuration order. */
  adminKeyIds(): string[] {
    return this.adminKeys.map((admin) => admin.keyId);
  }

  upsert(key: AccessKey): void {
    if (key.role === 'admin') return; // never from the topic (checked before, kept here as a second wall)
    this.remove(key.id);
    this.byHash.set(key.keyHash, key);
  }

  remove(id: string): void {
    for (const [hash, existing] of this.byHash) if (existing.id === id) this.byHash.delete(hash);
  }

  /** The principal of a presented key, or undefined for an unknown or revoked key. */
  authenticate(presented: string): Principal | undefined {
    // Every admin key is compared (in constant time each), whichever matches.
    let admin: AdminKey | undefined;
    for (const candidate of this.adminKeys) if (sameSecret(presented, candidate.key)) admin ??= candidate;
    if (admin !== undefined) {
      return { id: ADMIN_PRINCIPAL_ID, keyId: admin.keyId, role: 'admin', name: 'admin', agencyCodes: [] };
    }
    const key = this.byHash.get(hashKey(presented));
    if (key === undefined || key.revokedAt !== null) return undefined;
    return { id: key.id, keyId: key.id, role: key.role, name: key.name, agencyCodes: key.agencyCodes };
  }
}
