import type { DeadLetterEntry } from '@tthc/kafka';
import {
  deadLetterId,
  originalBytesOf,
  recordUpdateOf,
  redriveDecision,
  STALE_CLAIM_MS,
  viewOf,
  type DeadLetterDocument,
} from './dead-letter-record';
import { compareOffsets } from './dead-letter.repository';

const entry = (value: Buffer | null): DeadLetterEntry => ({
  letter: {
    sourceTopic: 'tthc.dossier-events.v1',
    partition: 2,
    offset: '41',
    consumerGroup: 'tthc.dossier-tracking',
    key: 'D-1',
    value: value === null ? null : value.toString(),
    error: 'Error: boom',
    attempts: 5,
    failedAt: '2026-01-01T00:00:00.000Z',
  },
  raw: { key: Buffer.from('D-1'), value, offset: '41', timestamp: '0' },
});

describe('dead letter records', () => {
  it('are identified by topic, partition, offset and group', () => {
    expect(deadLetterId(entry(null).letter)).toBe('tthc.dossier-events.v1|2|41|tthc.dossier-tracking');
  });

  it('keep the original bytes exactly, also bytes that are not UTF-8, and tombstones', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0xfe, 0x7d]);
    const { onInsert } = recordUpdateOf(entry(bytes));
    const back = originalBytesOf(onInsert);
    expect(back.value?.equals(bytes)).toBe(true);
    expect(back.key?.toString()).toBe('D-1');
    expect(originalBytesOf(recordUpdateOf(entry(null)).onInsert).value).toBeNull();
  });

  it('are inserted open with the first failure time; a re-record updates only the last failure', () => {
    const { id, onInsert, always } = recordUpdateOf(entry(Buffer.from('{}')));
    expect(id).toBe('tthc.dossier-events.v1|2|41|tthc.dossier-tracking');
    expect(onInsert).toMatchObject({ status: 'open', firstFailedAt: '2026-01-01T00:00:00.000Z', redrive: null });
    expect(always).toEqual({ lastFailedAt: '2026-01-01T00:00:00.000Z', error: 'Error: boom', attempts: 5 });
    // $setOnInsert and $set must not name the same field (MongoDB refuses the update).
    expect(Object.keys(onInsert).filter((field) => field in always)).toEqual([]);
  });

  it('show the value only in the detail view', () => {
    const { id, onInsert, always } = recordUpdateOf(entry(Buffer.from('{"a":1}')));
    const document: DeadLetterDocument = { _id: id, ...onInsert, ...always, recorded: 1 };
    expect(viewOf(document, false)).not.toHaveProperty('value');
    expect(viewOf(document, true).value).toBe('{"a":1}');
    expect(viewOf(document, true)).not.toHaveProperty('valueBase64');
  });
});

describe('redriveDecision', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('claims an open letter, answers a redriven one, refuses a discarded one', () => {
    expect(redriveDecision({ status: 'open', claim: null }, now)).toEqual({ action: 'claim', stale: false });
    expect(redriveDecision({ status: 'redriven', claim: null }, now)).toEqual({ action: 'answer' });
    expect(redriveDecision({ status: 'discarded', claim: null }, now)).toMatchObject({ action: 'refuse', status: 409 });
  });

  it('refuses while another redrive is in progress, takes over a claim left by a dead process', () => {
    const fresh = { id: 'c', at: new Date(now - 1000).toISOString() };
    const stale = { id: 'c', at: new Date(now - STALE_CLAIM_MS).toISOString() };
    expect(redriveDecision({ status: 'redriving', claim: fresh }, now)).toMatchObject({ action: 'refuse' });
    expect(redriveDecision({ status: 'redriving', claim: stale }, now)).toEqual({ action: 'claim', stale: true });
  });
});

describe('compareOffsets', () => {
  it('orders int64 offsets numerically', () => {
    expect(['10', '9', '100', '11'].sort(compareOffsets)).toEqual(['9', '10', '11', '100']);
  });
});
