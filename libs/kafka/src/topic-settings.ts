/** What a service expects of one of its topics (from its `TopicDefinition` and the configuration). */
export interface ExpectedTopicSettings {
  /** Deployed name (with the prefix). */
  name: string;
  partitions: number;
  /** True for the keyed topics whose partition count is `KAFKA_EVENT_PARTITIONS`. */
  keyedByDossier: boolean;
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** What the cluster says about an existing topic. */
export interface ActualTopicSettings {
  name: string;
  partitions: number;
  /** The number of replicas of each partition. */
  replicasPerPartition: readonly number[];
  /** The effective `min.insync.replicas` (topic override or broker default); undefined if not described. */
  minInsyncReplicas: number | undefined;
}

/** Thrown at boot when existing topics differ from the configuration; lists every difference. */
export class TopicSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Kafka topics differ from the configuration, refusing to start:\n  - ${problems.join('\n  - ')}\n` +
        'Fix the configuration (KAFKA_EVENT_PARTITIONS, KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS) ' +
        'or the topics (docs/architecture.md, "Topic settings checked at boot").',
    );
    this.name = 'TopicSettingsError';
  }
}

/**
 * Every difference between the expected and the actual settings of the topics (pure; an empty
 * list = all as configured). A missing topic is not a difference: the caller creates it.
 */
export function topicSettingsProblems(
  expected: readonly ExpectedTopicSettings[],
  actual: ReadonlyMap<string, ActualTopicSettings>,
): string[] {
  const problems: string[] = [];
  for (const want of expected) {
    const found = actual.get(want.name);
    if (found === undefined) continue;
    if (found.partitions !== want.partitions) {
      problems.push(
        want.keyedByDossier
          ? `${want.name} has ${found.partitions} partitions but KAFKA_EVENT_PARTITIONS is ${want.partitions}. ` +
              "The counting relies on all of a dossier's messages landing in the same partition (the key picks " +
              'the partition by the partition count): partitions added to an existing topic send new messages ' +
              'of a dossier to another partition than its older ones. Never add partitions; if the topic was ' +
              'created with this count, set KAFKA_EVENT_PARTITIONS to it'
          : `${want.name} has ${found.partitions} partitions but must have exactly ${want.partitions} ` +
              '(a key must stay in one partition for compaction and order)',
      );
    }
    const factors = [...new Set(found.replicasPerPartition)].sort((a, b) => a - b);
    if (factors.length > 0 && (factors.length > 1 || factors[0] !== want.replicationFactor)) {
      problems.push(
        `${want.name} has replication factor ${factors.join('/')} but KAFKA_REPLICATION_FACTOR is ${want.replicationFactor}`,
      );
    }
    if (found.minInsyncReplicas !== want.minInsyncReplicas) {
      problems.push(
        `${want.name} has min.insync.replicas ${found.minInsyncReplicas ?? 'unknown'} but KAFKA_MIN_INSYNC_REPLICAS is ${want.minInsyncReplicas}`,
      );
    }
  }
  return problems;
}
