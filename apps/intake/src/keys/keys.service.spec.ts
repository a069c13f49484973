import { AccessKeyDirectory, hashKey, judgeKeyRecord, KeyRecordSigner, mergeKeyRecord } from '@tthc/auth';
import { ACCESS_KEYS, type AccessKey, type Agency } from '@tthc/contracts';
import { ProblemException } from '@tthc/http';
import { KafkaUnavailableError, type ContractProducer } from '@tthc/kafka';
import type { ReferenceChange, ReferenceData } from '@tthc/reference';
import { KeysService } from './keys.service';

/** ReferenceData without MongoDB: the parts KeysService uses, with its key-record rules. */
class FakeReference {
  readonly keys = new Map<string, AccessKey>();
  readonly agencies = new Map<string, Agency>([['P', { code: 'P', name: 'P', parentCode: null, level: 'province' }]]);
  private readonly listeners: ((changes: readonly ReferenceChange[]) => Promise<void>)[] = [];

  constructor(
    private readonly directory: AccessKeyDirectory,
    private readonly signer: KeyRecordSigner,
  ) {}

  onChange(listener: (changes: readonly ReferenceChange[]) => Promise<void>): void {
    this.listeners.push(listener);
  }

  async apply(changes: readonly ReferenceChange[]): Promise<void> {
    for (const change of changes) {
      const verdict = judgeKeyRecord(change.code, change.value as AccessKey | null, this.signer);
      if (!verdict.admit) throw new Error(`KeysService applied a record ReferenceData refuses: ${verdict.reason}`);
    }
    await this.applyUnchecked(changes);
  }

  async applyUnchecked(changes: readonly ReferenceChange[]): Promise<void> {
    for (const change of changes) {
      if (change.kind !== 'key' || change.value === null) continue;
      const record = mergeKeyRecord(this.keys.get(change.code), change.value as AccessKey);
      this.keys.set(change.code, record);
      this.directory.upsert(record);
    }
    for (const listener of this.listeners) await listener(changes);
  }

  all(kind: 'key'): AccessKey[] {
    expect(kind).toBe('key');
    return [...this.keys.values()];
  }

  agency(code: string): Agency | undefined {
    return this.agencies.get(code);
  }
}

/** The same held records, checked with another signer (the replica after a secret rotation). */
class FakeReferenceView {
  constructor(
    private readonly inner: FakeReference,
    private readonly signer: KeyRecordSigner,
  ) {}

  all(kind: 'key'): AccessKey[] {
    return this.inner.all(kind);
  }

  async apply(changes: readonly ReferenceChange[]): Promise<void> {
    for (const change of changes) {
      const verdict = judgeKeyRecord(change.code, change.value as AccessKey | null, this.signer);
      if (!verdict.admit) throw new Error(`refused: ${verdict.reason}`);
    }
    await this.inner.applyUnchecked(changes);
  }
}

describe('KeysService (docs/api.md §2)', () => {
  let sent: { topic: string; messages: { key: string; value: unknown }[] }[];
  let kafkaDown: boolean;
  let directory: AccessKeyDirectory;
  let reference: FakeReference;
  let service: KeysService;
  const signer = new KeyRecordSigner(['the-keys-secret-0123456789-0123456789']);

  beforeEach(() => {
    sent = [];
    kafkaDown = false;
    directory = new AccessKeyDirectory(['admin-key-0123456789']);
    reference = new FakeReference(directory, signer);
    const producer = {
      send: (topic: { name: string }, messages: { key: string; value: unknown }[]) => {
        if (kafkaDown) return Promise.reject(new KafkaUnavailableError('down'));
        sent.push({ topic: topic.name, messages });
        return Promise.resolve();
      },
    } as unknown as ContractProducer;
    service = new KeysService(producer, reference as unknown as ReferenceData, signer);
  });

  const statusOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'ok';
    } catch (error) {
      return error instanceof ProblemException ? error.problem.status : error;
    }
  };

  it('creates a desk key: publishes only its hash, signed, and the key authenticates at once', async () => {
    const { id, key } = await service.createDesk({ name: 'Một cửa', agencyCodes: ['P', 'P'] });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.topic).toBe(ACCESS_KEYS.name);
    expect(sent[0]?.messages[0]).toMatchObject({
      key: id,
      value: { id, role: 'desk', keyHash: hashKey(key), agencyCodes: ['P'], revokedAt: null },
    });
    expect(JSON.stringify(sent)).not.toContain(key);
    const published = sent[0]?.messages[0]?.value as AccessKey;
    expect(signer.verify(published)).toBe(true);
    expect(new KeyRecordSigner(['another-secret-0123456789-0123456789']).verify(published)).toBe(false);
    expect(directory.authenticate(key)).toMatchObject({ id, role: 'desk', agencyCodes: ['P'] });
    expect(service.list('desk')).toEqual([
      { id, name: 'Một cửa', agencyCodes: ['P'], createdAt: expect.any(String), revokedAt: null },
    ]);
    expect(service.list('viewer')).toEqual([]);
  });

  it('refuses unknown agencies and bad bodies with 400, publishing nothing', async () => {
    expect(await statusOf(service.createDesk({ name: 'x', agencyCodes: ['NOPE'] }))).toBe(400);
    expect(await statusOf(service.createDesk({ name: 'x', agencyCodes: [] }))).toBe(400);
    expect(await statusOf(service.createViewer({ name: 'x', agencyCode: 'NOPE' }))).toBe(400);
    expect(await statusOf(service.createViewer({ agencyCode: 'P' }))).toBe(400);
    expect(sent).toEqual([]);
  });

  it('answers 503 with Retry-After when Kafka is down, storing nothing', async () => {
    kafkaDown = true;
    const error = await service.createViewer({ name: 'v', agencyCode: 'P' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).problem.status).toBe(503);
    expect((error as ProblemException).headers['Retry-After']).toBe('5');
    expect(reference.keys.size).toBe(0);
  });

  it('revokes by kind: 404 for an unknown id or the other kind; revoked keys stay revoked', async () => {
    const viewer = await service.createViewer({ name: 'v', agencyCode: 'P' });
    const created = reference.keys.get(viewer.id)!;
    expect(await statusOf(service.revoke('desk', viewer.id))).toBe(404);
    expect(await statusOf(service.revoke('viewer', 'viewer-nope'))).toBe(404);
    await service.revoke('viewer', viewer.id);
    expect(sent[1]?.messages[0]?.value).toMatchObject({ id: viewer.id, revokedAt: expect.any(String) });
    // The revocation is signed anew: a record with revokedAt under the creation's signature would be refused.
    expect(signer.verify(sent[1]?.messages[0]?.value as AccessKey)).toBe(true);
    expect((sent[1]?.messages[0]?.value as AccessKey).signature).not.toBe(created.signature);
    expect(directory.authenticate(viewer.key)).toBeUndefined();
    await service.revoke('viewer', viewer.id); // already revoked: nothing more to publish
    expect(sent).toHaveLength(2);

    // The consumer, behind this replica's own writes, applies the older (unrevoked) record.
    await reference.apply([{ kind: 'key', code: viewer.id, value: created }]);
    expect(directory.authenticate(viewer.key)).toBeUndefined();
    expect(reference.keys.get(viewer.id)?.revokedAt).toEqual(expect.any(String));
  });

  it('re-signs every held record with the first secret (rotation of the signing secret)', async () => {
    const desk = await service.createDesk({ name: 'd', agencyCodes: ['P'] });
    const viewer = await service.createViewer({ name: 'v', agencyCode: 'P' });
    await service.revoke('viewer', viewer.id);
    // The services now sign with a new secret and still verify the old one.
    const rotated = new KeyRecordSigner([
      'the-new-keys-secret-0123456789-0123456',
      'the-keys-secret-0123456789-0123456789',
    ]);
    const rotating = new KeysService(
      {
        send: (topic: { name: string }, messages: { key: string; value: unknown }[]) => {
          sent.push({ topic: topic.name, messages });
          return Promise.resolve();
        },
      } as unknown as ContractProducer,
      new FakeReferenceView(reference, rotated) as unknown as ReferenceData,
      rotated,
    );
    sent = [];
    expect(await rotating.reSignAll()).toEqual({ reSigned: 2 });
    const records = sent.flatMap((batch) => batch.messages.map((message) => message.value as AccessKey));
    const onlyNew = new KeyRecordSigner(['the-new-keys-secret-0123456789-0123456']);
    expect(records.map((record) => [record.id, onlyNew.verify(record), record.revokedAt !== null])).toEqual(
      expect.arrayContaining([
        [desk.id, true, false],
        [viewer.id, true, true],
      ]),
    );
    expect(directory.authenticate(desk.key)?.id).toBe(desk.id);
    expect(directory.authenticate(viewer.key)).toBeUndefined();
  });
});
