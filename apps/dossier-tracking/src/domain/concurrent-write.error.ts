/**
 * Dossiers were still being written by another writer after every refold round of one call (see
 * `DossierRefolder.refold`): nothing of theirs was written or published by this call; the caller
 * should try again later. Retryable, never a reason to dead-letter: the Kafka layer and BullMQ
 * retry the batch or the job, which refolds from the newest records. `retryable` is the marker a
 * retry policy can test without importing this class (`error.retryable === true`).
 */
export class ConcurrentWriteError extends Error {
  readonly retryable = true;

  constructor(
    message: string,
    /** The dossier codes still contended. */
    readonly dossierCodes: readonly string[],
  ) {
    super(message);
    this.name = 'ConcurrentWriteError';
  }
}
