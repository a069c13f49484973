import { RetryableError } from '@tthc/kafka';

/**
 * Dossiers were still being written by another writer after every refold round of one call (see
 * `DossierRefolder.refold`): nothing of theirs was written or published by this call; the caller
 * should try again later. Retryable (contention, not a property of the message), never a reason to
 * dead-letter: the Kafka layer waits and retries the batch without counting attempts, BullMQ
 * retries the job; both refold from the newest records.
 */
export class ConcurrentWriteError extends RetryableError {
  constructor(
    message: string,
    /** The dossier codes still contended. */
    readonly dossierCodes: readonly string[],
  ) {
    super(message);
  }
}
