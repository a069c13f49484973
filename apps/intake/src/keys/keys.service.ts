import { Inject, Injectable } from '@nestjs/common';
import { KEY_RECORD_SIGNER, type KeyRecordSigner } from '@tthc/auth';
import { ACCESS_KEYS } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { ContractProducer } from '@tthc/kafka';
import { ReferenceData } from '@tthc/reference';
import { z } from 'zod';
import { badRequest, publishOr503, type ItemProblem } from '../shared/publish';
import { Serial } from '../shared/serial';
import { issueKey, type IssuedRole } from './key-material';

const code = z.string().min(1).max(128);
const name = z.string().trim().min(1).max(200);
export const createDeskSchema = z.object({ name, agencyCodes: z.array(code).min(1).max(100) });
export const createViewerSchema = z.object({ name, agencyCode: code });

/** A key as listed by the admin API: never its hash. */
export interface ListedKey {
  id: string;
  name: string;
  /** Desks: the allowed agency subtrees. */
  agencyCodes?: readonly string[];
  /** Viewers: the one subtree. */
  agencyCode?: string;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * Desk and viewer keys (docs/api.md §2): created with a random secret that is shown once, stored and
 * distributed hashed on the access-keys topic, revoked by publishing the record with `revokedAt`.
 * Every record is signed (`KeyRecordSigner`): the services install no other (docs/security.md).
 * A revoked key stays revoked whatever older record of it arrives later (`mergeKeyRecord`).
 */
@Injectable()
export class KeysService {
  private readonly serial = new Serial();

  constructor(
    private readonly producer: ContractProducer,
    private readonly reference: ReferenceData,
    @Inject(KEY_RECORD_SIGNER) private readonly signer: KeyRecordSigner,
  ) {}

  async createDesk(body: unknown): Promise<{ id: string; key: string }> {
    const parsed = parse(createDeskSchema, body);
    return this.serial.run(async () => {
      const agencyCodes = [...new Set(parsed.agencyCodes)];
      this.requireKnownAgencies(agencyCodes.map((code, index) => ({ path: `agencyCodes.${index}`, code })));
      return this.create('desk', parsed.name, agencyCodes);
    });
  }

  async createViewer(body: unknown): Promise<{ id: string; key: string }> {
    const parsed = parse(createViewerSchema, body);
    return this.serial.run(async () => {
      this.requireKnownAgencies([{ path: 'agencyCode', code: parsed.agencyCode }]);
      return this.create('viewer', parsed.name, [parsed.agencyCode]);
    });
  }

  revoke(role: IssuedRole, id: string): Promise<void> {
    return this.serial.run(async () => {
      const key = this.reference.all('key').find((entry) => entry.id === id && entry.role === role);
      if (key === undefined) throw new ProblemException(problem(404, `no ${role} key ${id}`));
      if (key.revokedAt !== null) return;
      const revoked = this.signer.sign({ ...key, revokedAt: new Date().toISOString() });
      await publishOr503(this.producer, ACCESS_KEYS, [{ key: id, value: revoked }], 'the key topic');
      await this.reference.apply([{ kind: 'key', code: id, value: revoked }]);
    });
  }

  /**
   * Publishes every key record this replica holds again, signed with the first `TTHC_KEYS_SECRET`
   * (the records it holds were verified with one of the secrets): the last step of a rotation of
   * the signing secret, after which the old secret can be dropped (docs/security.md).
   */
  reSignAll(): Promise<{ reSigned: number }> {
    return this.serial.run(async () => {
      const records = this.reference.all('key').map((record) => this.signer.sign(record));
      if (records.length === 0) return { reSigned: 0 };
      await publishOr503(
        this.producer,
        ACCESS_KEYS,
        records.map((record) => ({ key: record.id, value: record })),
        'the key topic',
      );
      await this.reference.apply(records.map((record) => ({ kind: 'key', code: record.id, value: record })));
      return { reSigned: records.length };
    });
  }

  list(role: IssuedRole): ListedKey[] {
    return this.reference
      .all('key')
      .filter((key) => key.role === role)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1))
      .map((key) => ({
        id: key.id,
        name: key.name,
        ...(role === 'desk' ? { agencyCodes: key.agencyCodes } : { agencyCode: key.agencyCodes[0] }),
        createdAt: key.createdAt,
        revokedAt: key.revokedAt,
      }));
  }

  private requireKnownAgencies(named: readonly { path: string; code: string }[]): void {
    const problems: ItemProblem[] = named
      .filter(({ code }) => this.reference.agency(code) === undefined)
      .map(({ path, code }) => ({ path, message: `unknown agency ${code}` }));
    if (problems.length > 0) throw badRequest('the key names unknown agencies; no key was created', problems);
  }

  private async create(role: IssuedRole, name: string, agencyCodes: string[]): Promise<{ id: string; key: string }> {
    const { id, key, keyHash } = issueKey(role);
    const record = this.signer.sign({
      id,
      role,
      name,
      keyHash,
      agencyCodes,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    });
    await publishOr503(this.producer, ACCESS_KEYS, [{ key: id, value: record }], 'the key topic');
    await this.reference.apply([{ kind: 'key', code: id, value: record }]);
    return { id, key };
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw badRequest(
    'the request body is invalid; no key was created',
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}
