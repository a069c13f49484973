import { validateDossierEvents, type DossierEvent, type EventProblem } from '@tthc/contracts';
import { checkEventReferences, type ReferenceLookup } from '../events/event-checks';
import type { ImportRejection } from './import.store';
import { recordToItem, type ImportFormat, type ImportRecord } from './line-parser';

/**
 * Checks one chunk of import records exactly like `POST /v1/events` checks a request's events
 * (contract schema, then known procedure / field / agencies), but line by line: valid lines are
 * kept, invalid ones become rejections with their line number and every problem found.
 */
export function checkChunk(
  format: ImportFormat,
  columns: readonly string[],
  records: readonly ImportRecord[],
  lookup: ReferenceLookup,
): { events: DossierEvent[]; rejections: ImportRejection[] } {
  const reasons = new Map<number, string[]>();
  const valid: { index: number; event: DossierEvent }[] = [];
  records.forEach((record, index) => {
    const parsed = recordToItem(format, record.text, columns);
    if (!parsed.ok) {
      reasons.set(index, [parsed.reason]);
      return;
    }
    const result = validateDossierEvents([parsed.item]);
    if (result.ok) valid.push({ index, event: result.events[0]! });
    else reasons.set(index, result.problems.map(describe));
  });
  for (const found of checkEventReferences(valid, lookup)) {
    reasons.set(found.index, [...(reasons.get(found.index) ?? []), describe(found)]);
  }
  return {
    events: valid.filter(({ index }) => !reasons.has(index)).map(({ event }) => event),
    rejections: [...reasons.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, list]) => ({ line: records[index]!.line, reason: list.join('; ') })),
  };
}

function describe(problem: EventProblem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}
