/**
 * Which Nest log level a kafkajs log entry is written at. Pure (unit-tested); the kafkajs
 * `logCreator` of libs/kafka applies it.
 *
 * kafkajs logs, at ERROR, every broker response that carried an error code, *before* it retries.
 * A few of those are expected while topics are being created or a group coordinator moves (start-up
 * races between replicas): they are written at `debug`. Only such single response lines are
 * demoted; when the retries run out the caller gets the error (a consumer crash, a failed
 * `createTopics`) and logs it as an error itself, and any other ERROR entry stays an error.
 */

/** kafkajs' numeric levels (`logLevel` of kafkajs: NOTHING 0, ERROR 1, WARN 2, INFO 4, DEBUG 5). */
export const KAFKAJS_LEVEL = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;

export type NestLogLevelName = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Error texts of retriable broker responses that start-up races produce (kafkajs' protocol/error.js). */
export const BENIGN_KAFKA_RESPONSE_ERRORS: readonly string[] = [
  'This server does not host this topic-partition',
  'The group coordinator is not available',
  "The coordinator is loading and hence can't process requests for this group",
  'This is not the correct coordinator for this group',
  // createTopics by two replicas at once: the loser gets TOPIC_ALREADY_EXISTS inside this aggregate.
  'Topic creation errors',
];

export interface KafkajsLogFields {
  message?: unknown;
  error?: unknown;
  [key: string]: unknown;
}

/** True for a kafkajs "Response <Api>(key, version)" line whose error is a known start-up race. */
export function isBenignKafkajsError(log: KafkajsLogFields): boolean {
  if (typeof log.message !== 'string' || !log.message.startsWith('Response ')) return false;
  const error = typeof log.error === 'string' ? log.error : '';
  return BENIGN_KAFKA_RESPONSE_ERRORS.some((benign) => error === benign);
}

/**
 * Error texts kafkajs logs at ERROR while a broker is unreachable or leadership moves, before it
 * retries (connection attempts, "not the leader" answers, a rebalance). The services wait such
 * outages out — readiness answers 503 and libs/kafka logs the wait — so these lines are warnings
 * of an outage in progress, not errors of the service.
 */
export const KAFKA_OUTAGE_TEXTS: readonly string[] = [
  'Connection error:',
  'Failed to connect to seed broker',
  'ECONNREFUSED',
  'ECONNRESET',
  'KafkaJSNoBrokerAvailableError',
  'This server is not the leader for that topic-partition',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'The group is rebalancing, so a rejoin is needed',
  'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
  // A consumer joining right after a broker restart: the group's coordinator is still loading its
  // state; kafkajs gives up the join ("Crash: …") and libs/kafka restarts the consumer (logged).
  "The coordinator is loading and hence can't process requests for this group",
];

/** True for a kafkajs ERROR entry that describes an unreachable broker or moving leadership. */
export function isKafkaOutageLine(log: KafkajsLogFields): boolean {
  const texts = [log.message, log.error].filter((text): text is string => typeof text === 'string');
  return texts.some((text) => KAFKA_OUTAGE_TEXTS.some((outage) => text.includes(outage)));
}

/** The Nest level of a kafkajs entry, or undefined to drop it (kafkajs' NOTHING). */
export function kafkajsLogLevel(level: number, log: KafkajsLogFields): NestLogLevelName | undefined {
  switch (level) {
    case KAFKAJS_LEVEL.ERROR:
      if (isBenignKafkajsError(log)) return 'debug';
      return isKafkaOutageLine(log) ? 'warn' : 'error';
    case KAFKAJS_LEVEL.WARN:
      return 'warn';
    case KAFKAJS_LEVEL.INFO:
      return 'debug';
    case KAFKAJS_LEVEL.DEBUG:
      return 'verbose';
    default:
      return undefined;
  }
}
