import type { DeadLetter } from '@tthc/contracts';
import type { DeadLetterEntry } from '@tthc/kafka';

/**
 * `open`: waiting for an operator; `redriving`: a redrive claimed it and is publishing;
 * `redriven`: its original message was published again (once); `discarded`: an operator gave up on it.
 */
export type DeadLetterStatus = 'open' | 'redriving' | 'redriven' | 'discarded';
export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ['open', 'redriving', 'redriven', 'discarded'];

/** Where a redrive published the original message. */
export interface RedriveResult {
  /** Deployed topic name (with `KAFKA_TOPIC_PREFIX`). */
  topic: string;
  partition: number;
  offset: string;
  at: string;
}

/** A dead letter in `<prefix>_dead_letters`. */
export interface DeadLetterDocument {
  /** `sourceTopic|partition|offset|consumerGroup`: recording it again changes nothing. */
  _id: string;
  sourceTopic: string;
  partition: number;
  offset: string;
  consumerGroup: string;
  /** The original key and value as text (for reading), and byte for byte (base64, for the redrive). */
  key: string | null;
  value: string | null;
  keyBase64: string | null;
  valueBase64: string | null;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  /** How many times the consumer dead-lettered this message (more than 1 after a redelivery). */
  recorded: number;
  status: DeadLetterStatus;
  statusChangedAt: string;
  /** The claim of a redrive in progress (status `redriving`). */
  claim: { id: string; at: string } | null;
  redrive: RedriveResult | null;
}

export function deadLetterId(
  letter: Pick<DeadLetter, 'sourceTopic' | 'partition' | 'offset' | 'consumerGroup'>,
): string {
  return `${letter.sourceTopic}|${letter.partition}|${letter.offset}|${letter.consumerGroup}`;
}

/** The fields written when a letter is first recorded (`$setOnInsert`), and those updated every time (`$set`). */
export function recordUpdateOf(entry: DeadLetterEntry): {
  id: string;
  onInsert: Omit<DeadLetterDocument, '_id' | 'lastFailedAt' | 'error' | 'attempts' | 'recorded'>;
  always: Pick<DeadLetterDocument, 'lastFailedAt' | 'error' | 'attempts'>;
} {
  const { letter, raw } = entry;
  return {
    id: deadLetterId(letter),
    onInsert: {
      sourceTopic: letter.sourceTopic,
      partition: letter.partition,
      offset: letter.offset,
      consumerGroup: letter.consumerGroup,
      key: letter.key,
      value: letter.value,
      keyBase64: raw.key === null ? null : raw.key.toString('base64'),
      valueBase64: raw.value === null ? null : raw.value.toString('base64'),
      firstFailedAt: letter.failedAt,
      status: 'open',
      statusChangedAt: letter.failedAt,
      claim: null,
      redrive: null,
    },
    always: { lastFailedAt: letter.failedAt, error: letter.error, attempts: letter.attempts },
  };
}

/** The original bytes of a dead letter, as they were consumed. */
export function originalBytesOf(document: Pick<DeadLetterDocument, 'keyBase64' | 'valueBase64'>): {
  key: Buffer | null;
  value: Buffer | null;
} {
  return {
    key: document.keyBase64 === null ? null : Buffer.from(document.keyBase64, 'base64'),
    value: document.valueBase64 === null ? null : Buffer.from(document.valueBase64, 'base64'),
  };
}

/** A dead letter as the admin API shows it (`value` only in the detail view). */
export interface DeadLetterView {
  id: string;
  sourceTopic: string;
  partition: number;
  offset: string;
  consumerGroup: string;
  key: string | null;
  value?: string | null;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  recorded: number;
  status: DeadLetterStatus;
  statusChangedAt: string;
  redrive: RedriveResult | null;
}

export function viewOf(document: DeadLetterDocument, withValue: boolean): DeadLetterView {
  const view: DeadLetterView = {
    id: document._id,
    sourceTopic: document.sourceTopic,
    partition: document.partition,
    offset: document.offset,
    consumerGroup: document.consumerGroup,
    key: document.key,
    error: document.error,
    attempts: document.attempts,
    firstFailedAt: document.firstFailedAt,
    lastFailedAt: document.lastFailedAt,
    recorded: document.recorded,
    status: document.status,
    statusChangedAt: document.statusChangedAt,
    redrive: document.redrive,
  };
  if (withValue) view.value = document.value;
  return view;
}

/** A redrive claim older than this was left by a process that died mid-redrive and may be taken over. */
export const STALE_CLAIM_MS = 5 * 60_000;

/**
 * What a redrive request does with a dead letter in its current state: publish it (after
 * claiming it), answer the earlier result (already redriven: a repeated redrive is a no-op), or
 * refuse. Pure; the service does the I/O.
 */
export type RedriveDecision =
  { action: 'claim'; stale: boolean } | { action: 'answer' } | { action: 'refuse'; status: 409; detail: string };

export function redriveDecision(document: Pick<DeadLetterDocument, 'status' | 'claim'>, now: number): RedriveDecision {
  switch (document.status) {
    case 'open':
      return { action: 'claim', stale: false };
    case 'redriven':
      return { action: 'answer' };
    case 'discarded':
      return { action: 'refuse', status: 409, detail: 'this dead letter was discarded; it cannot be redriven' };
    case 'redriving': {
      const claimedAt = document.claim === null ? 0 : Date.parse(document.claim.at);
      if (now - claimedAt >= STALE_CLAIM_MS) return { action: 'claim', stale: true };
      return {
        action: 'refuse',
        status: 409,
        detail: 'a redrive of this dead letter is in progress; ask again shortly',
      };
    }
  }
}
