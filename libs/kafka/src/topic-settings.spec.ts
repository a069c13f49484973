import { topicSettingsProblems, TopicSettingsError, type ActualTopicSettings } from './topic-settings';

const events = {
  name: 'tthc.dossier-events.v1',
  partitions: 6,
  keyedByDossier: true,
  replicationFactor: 3,
  minInsyncReplicas: 2,
};
const agencies = { ...events, name: 'tthc.reference.agencies.v1', partitions: 1, keyedByDossier: false };

const actual = (
  name: string,
  partitions: number,
  replicas: number,
  minIsr: number | undefined,
): ActualTopicSettings => ({
  name,
  partitions,
  replicasPerPartition: Array.from({ length: partitions }, () => replicas),
  minInsyncReplicas: minIsr,
});
const of = (...topics: ActualTopicSettings[]) => new Map(topics.map((topic) => [topic.name, topic]));

describe('topicSettingsProblems (boot check of existing topics)', () => {
  it('finds nothing when every topic is as configured, and ignores topics that do not exist yet', () => {
    expect(topicSettingsProblems([events, agencies], of(actual(events.name, 6, 3, 2)))).toEqual([]);
    expect(topicSettingsProblems([events], new Map())).toEqual([]);
  });

  it('refuses added partitions of a keyed topic and says why', () => {
    const problems = topicSettingsProblems([events], of(actual(events.name, 8, 3, 2)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/tthc.dossier-events.v1 has 8 partitions but KAFKA_EVENT_PARTITIONS is 6/);
    expect(problems[0]).toMatch(/same partition/);
  });

  it('refuses fewer partitions too, and a fixed-partition topic with another count', () => {
    expect(topicSettingsProblems([events], of(actual(events.name, 3, 3, 2)))[0]).toMatch(/has 3 partitions/);
    expect(topicSettingsProblems([agencies], of(actual(agencies.name, 2, 3, 2)))[0]).toMatch(
      /agencies.v1 has 2 partitions but must have exactly 1/,
    );
  });

  it('refuses another replication factor, also when only some partitions differ', () => {
    expect(topicSettingsProblems([events], of(actual(events.name, 6, 1, 2)))).toEqual([
      'tthc.dossier-events.v1 has replication factor 1 but KAFKA_REPLICATION_FACTOR is 3',
    ]);
    const mixed = { ...actual(events.name, 6, 3, 2), replicasPerPartition: [3, 3, 2, 3, 3, 3] };
    expect(topicSettingsProblems([events], of(mixed))).toEqual([
      'tthc.dossier-events.v1 has replication factor 2/3 but KAFKA_REPLICATION_FACTOR is 3',
    ]);
  });

  it('refuses another or an unknown min.insync.replicas', () => {
    expect(topicSettingsProblems([events], of(actual(events.name, 6, 3, 1)))).toEqual([
      'tthc.dossier-events.v1 has min.insync.replicas 1 but KAFKA_MIN_INSYNC_REPLICAS is 2',
    ]);
    expect(topicSettingsProblems([events], of(actual(events.name, 6, 3, undefined)))[0]).toMatch(
      /min.insync.replicas unknown/,
    );
  });

  it('lists every difference of every topic in one error', () => {
    const problems = topicSettingsProblems(
      [events, agencies],
      of(actual(events.name, 7, 1, 1), actual(agencies.name, 1, 1, 2)),
    );
    expect(problems).toHaveLength(4);
    const error = new TopicSettingsError(problems);
    expect(error.message).toMatch(/refusing to start/);
    for (const problem of problems) expect(error.message).toContain(problem);
  });
});
