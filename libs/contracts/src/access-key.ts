import { z } from 'zod';

/** API keys of docs/api.md §2 as distributed to the services (hashed, never the key itself). */
export const ROLES = ['admin', 'desk', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const accessKeySchema = z.object({
  id: z.string().min(1).max(64),
  role: z.enum(ROLES),
  name: z.string().min(1).max(200),
  /** SHA-256 of the key, hex. */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Desk: allowed agency subtrees; viewer: exactly one subtree root; admin: empty. */
  agencyCodes: z.array(z.string().min(1).max(128)),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  /**
   * HMAC-SHA256 (hex) by intake over the record's canonical encoding, with the shared
   * `TTHC_KEYS_SECRET` (libs/auth `KeyRecordSigner`, docs/security.md). Optional in the schema so
   * that an unsigned record is decoded, then refused, logged and counted by the consumers rather
   * than dead-lettered; no service installs a record without a valid signature.
   */
  signature: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type AccessKey = z.infer<typeof accessKeySchema>;
