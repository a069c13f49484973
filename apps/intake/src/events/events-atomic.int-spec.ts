import { Logger } from '@nestjs/common';
import { ConfigResourceTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { DOSSIER_EVENTS } from '@tthc/contracts';
import { call, newNamespace, readTopicUntil, startService, testConfig, type RunningService } from '@tthc/testing';
import { IntakeModule } from '../intake.module';

/**
 * POST /v1/events is all or nothing end to end (docs/intake.md, "All or nothing"): a request is
 * published in one Kafka transaction; a 503 leaves no event of it visible to a read-committed
 * consumer, even when part of it had already reached the log. The failures are real broker answers:
 * the event topic's `max.message.bytes` lowered after boot (one partition's batch is refused while
 * another partition's batch of the same request is appended), and the topic deleted after boot
 * (the produce is retried until KAFKA_PRODUCE_TIMEOUT_MS).
 */
const PARTITIONS = 3;
const REASON = 'r'.repeat(2000);

const rejected = (eventId: string, dossierCode: string) => ({
  eventId,
  type: 'dossier.rejected',
  occurredAt: '2017-03-14T09:12:00+07:00',
  dossierCode,
  data: { reason: REASON },
});

/** Two dossier codes that the default partitioner puts on different partitions. */
function codesOnTwoPartitions(prefix: string): [string, string] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
  }));
  const partitionOf = (key: string) => partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } });
  const first = `${prefix}-A`;
  for (let n = 0; ; n++) {
    const other = `${prefix}-B${n}`;
    if (partitionOf(other) !== partitionOf(first)) return [first, other];
  }
}

describe('intake: a request is published all or nothing (real Kafka, one transaction)', () => {
  const namespace = newNamespace('atomic');
  const topic = `${namespace.topicPrefix}${DOSSIER_EVENTS.name}`;
  const kafka = new Kafka({
    clientId: 'test-atomic',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  let intake: RunningService;

  beforeAll(async () => {
    const config = testConfig('intake', namespace, { KAFKA_PRODUCE_TIMEOUT_MS: '3000' });
    intake = await startService(config, IntakeModule.forRoot(config));
    // The broker refusals provoked below are expected: keep kafkajs' error lines about them out of the run.
    Logger.overrideLogger(['fatal']);
    await admin.connect();
  });
  afterAll(async () => {
    await intake?.close();
    await admin.disconnect();
  });

  async function setTopicConfig(extra: { name: string; value: string }[]): Promise<void> {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'cleanup.policy', value: DOSSIER_EVENTS.cleanupPolicy },
            { name: 'retention.ms', value: String(DOSSIER_EVENTS.retentionMs) },
            { name: 'min.insync.replicas', value: '1' },
            ...extra,
          ],
        },
      ],
    });
  }

  it('answers 503 when a later part fails, shows none of the part already written, and publishes the retried request exactly once', async () => {
    const [a, b] = codesOnTwoPartitions('D-ATOMIC');
    // 10 events of dossier a (~23 KB), then 250 of dossier b (~560 KB): the first produce request
    // carries a's batch and ~490 KB of b's on another partition.
    const events = [
      ...Array.from({ length: 10 }, (_, i) => rejected(`atomic-a-${i}`, a)),
      ...Array.from({ length: 250 }, (_, i) => rejected(`atomic-b-${i}`, b)),
    ];
    await setTopicConfig([{ name: 'max.message.bytes', value: '300000' }]);
    const refused = await call(`${intake.url}/v1/events`, { body: events });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.text).toMatch(/nothing of this request was published/);

    // Dossier a's batch did reach the log (read uncommitted) ...
    const physical = await readTopicUntil(
      namespace,
      DOSSIER_EVENTS,
      (got) => got.filter((m) => m.key === a).length >= 10,
      { isolation: 'uncommitted', timeoutMs: 30_000 },
    );
    expect(physical.filter((m) => m.key === a)).toHaveLength(10);

    // ... yet after the same request is retried, a read-committed consumer sees each event once.
    await setTopicConfig([]);
    const accepted = await call(`${intake.url}/v1/events`, { body: events });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ accepted: 260 });
    const committed = await readTopicUntil(
      namespace,
      DOSSIER_EVENTS,
      (got) => got.filter((m) => m.key === a || m.key === b).length >= 260,
      { timeoutMs: 30_000 },
    );
    const ids = committed.filter((m) => m.key === a || m.key === b).map((m) => m.value?.event.eventId);
    expect(ids).toHaveLength(260);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.eventId)));
  });

  it('answers 503 when Kafka does not accept the request in time, and nothing of it appears later', async () => {
    await admin.deleteTopics({ topics: [topic] });
    const started = Date.now();
    const refused = await call(`${intake.url}/v1/events`, {
      body: [rejected('late-1', 'D-LATE-1'), rejected('late-2', 'D-LATE-2')],
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);

    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: PARTITIONS,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: DOSSIER_EVENTS.cleanupPolicy },
            { name: 'retention.ms', value: String(DOSSIER_EVENTS.retentionMs) },
            { name: 'min.insync.replicas', value: '1' },
          ],
        },
      ],
    });
    let accepted = await call(`${intake.url}/v1/events`, { body: [rejected('after-1', 'D-AFTER-1')] });
    for (let attempt = 0; accepted.status === 503 && attempt < 10; attempt++) {
      // The recreated topic may take a moment to show in the producer's metadata.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      accepted = await call(`${intake.url}/v1/events`, { body: [rejected('after-1', 'D-AFTER-1')] });
    }
    expect(accepted.status).toBe(202);
    const committed = await readTopicUntil(
      namespace,
      DOSSIER_EVENTS,
      (got) => got.some((m) => m.value?.event.eventId === 'after-1'),
      { timeoutMs: 30_000 },
    );
    expect(committed.map((m) => m.value?.event.eventId).filter((id) => id?.startsWith('late-'))).toEqual([]);
  });
});
