import type { DeadLetterEntry } from './batch-processor';

/** Injection token of an optional {@link DeadLetterSink} (libs/dead-letters provides the MongoDB one). */
export const DEAD_LETTER_SINK = Symbol('DEAD_LETTER_SINK');

/**
 * Keeps dead letters where operators can list, redrive and discard them. The consumer records a
 * slice's dead letters here before it sends them to the dead-letter topic and commits; recording
 * the same letter again (a redelivery) must change nothing. A failure is waited out like any
 * infrastructure failure: the offsets are not committed until it succeeds.
 */
export interface DeadLetterSink {
  record(entries: readonly DeadLetterEntry[]): Promise<void>;
}
