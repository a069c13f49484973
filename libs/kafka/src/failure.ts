/**
 * Whether a handler's failure is worth waiting out (`infrastructure`: MongoDB, Redis or Kafka did
 * not answer, or another writer got there first) or says something about the message itself
 * (`deterministic`: trying again gives the same answer, so after `KAFKA_MAX_ATTEMPTS` it becomes a
 * dead letter). The one place this rule lives: the consumer, the dead-letter sender and the tests
 * all ask {@link classifyFailure}.
 */
export type FailureKind = 'infrastructure' | 'deterministic';

/**
 * Thrown by a handler for a failure that goes away by itself (contention: another writer changed
 * the document between read and write, a rebuild holds the gate). The consumer waits and tries
 * again for as long as it takes and never dead-letters it. Extend it, or (for code that must not
 * depend on this lib) set `retryable = true` on your own error: both are recognised.
 */
export class RetryableError extends Error {
  readonly retryable = true as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Error names of the drivers that mean "the server did not answer" — read from their sources:
 * mongodb 6 (`lib/error.js`, `lib/cmap/errors.js`), mongoose 8 (`lib/error/serverSelection.js`),
 * kafkajs 2 (`src/errors.js`), ioredis 5 (`built/errors`) and redis-errors.
 */
const INFRASTRUCTURE_NAMES: ReadonlySet<string> = new Set([
  // mongodb
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'PoolClearedOnNetworkError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoOperationTimeoutError',
  // mongoose
  'MongooseServerSelectionError',
  // kafkajs (retriable ones are also recognised by their `retriable` flag)
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  // libs/kafka's ContractProducer: Kafka did not acknowledge in time
  'KafkaUnavailableError',
  // ioredis / redis-errors
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'AbortError',
  'InterruptError',
]);

/**
 * Server error codes that mean "not now" (the mongodb driver's retryable read/write codes, plus
 * WriteConcernTimeout and MaxTimeMSExpired).
 */
const MONGO_TRANSIENT_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernTimeout / WriteConcernFailed
  89, // NetworkTimeout
  91, // ShutdownInProgress
  134, // ReadConcernMajorityNotAvailableYet
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const MONGO_TRANSIENT_LABELS = ['RetryableWriteError', 'ResetPool', 'PoolRequstedRetry', 'TransientTransactionError'];

/** Node.js socket and DNS error codes (also what ioredis puts on its "connect ETIMEDOUT"). */
const SYSTEM_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Plain `Error` messages of ioredis when its connection is gone or a command timed out. */
const REDIS_MESSAGES: readonly RegExp[] = [
  /^Connection is closed\.$/,
  /^Stream isn't writeable and enableOfflineQueue options is false$/,
  /^Command timed out$/,
  /^Socket timeout\. Expecting data/,
  /^Ready check failed: /,
];

/** Redis replies that say "the server cannot serve this now" (ReplyError prefixes). */
const REDIS_TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|OOM) /;

/** mongoose queues operations while disconnected and fails them with this after `bufferTimeoutMS`. */
const MONGOOSE_BUFFERING = /buffering timed out after \d+ms$/;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  retryable?: unknown;
  retriable?: unknown;
  errorLabels?: unknown;
  cause?: unknown;
  errors?: unknown;
  errorResponse?: unknown;
  writeConcernError?: unknown;
}

function isObject(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null;
}

/** Whether this one error (not its causes) says "infrastructure". */
function isInfrastructureItself(error: ErrorLike): boolean {
  if (error instanceof RetryableError || error.retryable === true) return true;
  const name = typeof error.name === 'string' ? error.name : '';
  const message = typeof error.message === 'string' ? error.message : '';
  if (INFRASTRUCTURE_NAMES.has(name)) return true;
  if (name.startsWith('KafkaJS') && error.retriable === true) return true;
  if (typeof error.code === 'string' && SYSTEM_CODES.has(error.code)) return true;
  if (name.startsWith('Mongo')) {
    if (typeof error.code === 'number' && MONGO_TRANSIENT_CODES.has(error.code)) return true;
    const labels = error.errorLabels;
    if (Array.isArray(labels) && labels.some((label) => MONGO_TRANSIENT_LABELS.includes(String(label)))) return true;
  }
  if (name === 'MongooseError' && MONGOOSE_BUFFERING.test(message)) return true;
  if (name === 'ReplyError' && REDIS_TRANSIENT_REPLY.test(message)) return true;
  if (name === 'Error' && REDIS_MESSAGES.some((pattern) => pattern.test(message))) return true;
  return false;
}

/** The errors an error wraps: `cause`, an AggregateError's `errors`, a bulk write's original error. */
function wrapped(error: ErrorLike): unknown[] {
  const inner: unknown[] = [error.cause, error.errorResponse, error.writeConcernError];
  if (Array.isArray(error.errors)) inner.push(...(error.errors as unknown[]));
  return inner.filter((item) => isObject(item) && item !== error);
}

/**
 * Classifies a handler's failure. A contract violation is deterministic whatever it wraps; any
 * error is infrastructure when it, or an error it wraps (`cause`, an AggregateError's `errors`,
 * a MongoBulkWriteError's original error; at most 5 levels), is a connection, server-selection,
 * pool-cleared, not-connected or timeout error of MongoDB, Redis or Kafka, a socket error code,
 * a transient server answer, or a {@link RetryableError}. Everything else is deterministic.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (!isObject(error)) return 'deterministic';
  if (error.name === 'ContractViolation') return 'deterministic';
  const seen = new Set<unknown>();
  let level: unknown[] = [error];
  for (let depth = 0; depth < 5 && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const item of level) {
      if (!isObject(item) || seen.has(item)) continue;
      seen.add(item);
      if (isInfrastructureItself(item)) return 'infrastructure';
      next.push(...wrapped(item));
    }
    level = next;
  }
  return 'deterministic';
}

/** `Name: message` of an error (what dead letters and logs show). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (isObject(error) && typeof error.message === 'string') {
    return `${typeof error.name === 'string' ? error.name : 'Error'}: ${error.message}`;
  }
  return String(error);
}
