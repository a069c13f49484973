import {
  deriveEvents,
  eventsToPublish,
  nameIndex,
  parseProgress,
  parseSnapshot,
  resolveUnit,
  type AgencyDirectory,
  type ProgressFact,
  type PublishedEvent,
  type SnapshotFact,
} from '@tthc/desk-sync';
import type { DossierEvent } from '@tthc/contracts';
import { buildOracle } from '../oracle';
import { parseCli, UsageError } from './cli';
import { portalWindows, secondsOnly, toPortalRecords } from './dvcqg';
import { simulateProvince } from './province';

/**
 * The portal adapter's rules (libs/desk-sync) applied request by request to a simulated year
 * converted to portal records, without servers: the events it would publish, folded by the oracle,
 * give exactly the figures of the simulated events themselves (at the portal's whole seconds).
 */
describe.each([
  ['10 % held back, 20 % sent twice', 13, 0.1, 0.2],
  ['40 % held back, 50 % sent twice', 7, 0.4, 0.5],
])('simulated year as portal records (--format dvcqg), %s', (_, seed, shuffle, repeat) => {
  const heavy = shuffle > 0.1;
  const simulation = simulateProvince({ seed, years: [2017], dossiers: 3000, duplicateRate: 0, shuffle: 0 });
  const original = secondsOnly([...simulation.events]);
  const conversion = toPortalRecords(original, simulation.reference, { seed, shuffle, repeat });

  it('converts every lifecycle branch, shuffled and repeated', () => {
    const types = new Set(original.map((item) => item.event.type));
    for (const type of [
      'rejected',
      'supplement_requested',
      'supplement_received',
      'paused',
      'resumed',
      'withdrawn',
      'transferred',
      'rescheduled',
      'voided',
    ]) {
      expect({ type, present: types.has(`dossier.${type}`) }).toEqual({ type, present: true });
    }
    const statuses = new Set(
      conversion.deliveries.filter((d) => d.service === 'DongBoHoSoMC').map((d) => d.record.TrangThaiHoSo),
    );
    expect([...statuses].sort((a, b) => Number(a) - Number(b))).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(conversion.stats.delayed).toBeGreaterThan(0);
    expect(conversion.stats.repeated).toBeGreaterThan(conversion.stats.steps * 0.1);
    expect(conversion.voided.length).toBeGreaterThan(0);
  });

  it('gives exactly the figures of the events, request by request, with no finding that changes a figure', () => {
    const agencies = simulation.reference.agencies;
    const codes = new Set(agencies.map((a) => a.code));
    const names = nameIndex(agencies);
    const directory: AgencyDirectory = { has: (code) => codes.has(code), named: (folded) => names.get(folded) ?? [] };
    const procedures = new Set(simulation.reference.procedures.map((p) => p.code));
    const stored = new Map<
      string,
      { snapshots: Map<string, SnapshotFact>; progress: Map<string, ProgressFact>; published: PublishedEvent[] }
    >();
    const published: DossierEvent[] = [];
    const findings = new Map<string, number>();
    for (const request of portalWindows(conversion.deliveries, 500).flat()) {
      const touched = new Set<string>();
      request.data.forEach((raw, index) => {
        if (request.service === 'DongBoHoSoMC') {
          const parsed = parseSnapshot(raw, index, (code) => procedures.has(code));
          if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
          const unit = resolveUnit(parsed.record.unit, parsed.record.maHoSo, directory, 'admin');
          if (!unit.ok) throw new Error(unit.message);
          const fact: SnapshotFact = { ...parsed.record, agencyCode: unit.agencyCode };
          if (unit.receivingAgencyCode !== undefined) fact.receivingAgencyCode = unit.receivingAgencyCode;
          const entry = stored.get(fact.maHoSo) ?? { snapshots: new Map(), progress: new Map(), published: [] };
          entry.snapshots.set(JSON.stringify(fact), fact);
          stored.set(fact.maHoSo, entry);
          touched.add(fact.maHoSo);
        } else {
          const parsed = parseProgress(raw, index);
          if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
          const fact: ProgressFact = { ...parsed.record };
          const unit = parsed.record.unit;
          if (unit !== undefined) {
            const found = directory.has(unit)
              ? [unit]
              : directory.named(
                  unit
                    .normalize('NFD')
                    .replace(/[\u0300-\u036f]/g, '')
                    .replace(/[đĐ]/g, 'd')
                    .toLowerCase()
                    .replace(/\s+/g, ' ')
                    .trim(),
                );
            if (found.length === 1) fact.agencyCode = found[0];
          }
          const entry = stored.get(fact.maHoSo) ?? { snapshots: new Map(), progress: new Map(), published: [] };
          entry.progress.set(JSON.stringify(fact), fact);
          stored.set(fact.maHoSo, entry);
          touched.add(fact.maHoSo);
        }
      });
      for (const maHoSo of touched) {
        const entry = stored.get(maHoSo);
        if (entry === undefined) continue;
        const derivation = deriveEvents({
          deskId: 'admin',
          maHoSo,
          snapshots: [...entry.snapshots.values()],
          progress: [...entry.progress.values()],
        });
        const next = eventsToPublish(derivation.events, entry.published);
        for (const finding of next.findings) findings.set(finding.kind, (findings.get(finding.kind) ?? 0) + 1);
        entry.published.push(...next.publish.map((event) => ({ id: event.eventId, type: event.type })));
        published.push(...next.publish);
      }
    }
    // Records arriving late can only make a published transfer's time stand (same day here), never a figure.
    if (heavy) expect([...findings.keys()].filter((kind) => kind !== 'superseded')).toEqual([]);
    else expect(Object.fromEntries(findings)).toEqual({});

    const expected = buildOracle({ ...simulation.reference, events: original });
    const actual = buildOracle({
      ...simulation.reference,
      events: [...published.map((event) => ({ desk: 'admin', event })), ...conversion.voided],
    });
    const now = '2018-06-01T00:00:00+07:00';
    const exp = new Map(expected.dossiers().map((d) => [d.code, d]));
    const diffs = actual.dossiers().filter((d) => JSON.stringify(d) !== JSON.stringify(exp.get(d.code)));
    for (const d of diffs.slice(0, 2)) {
      console.log(JSON.stringify({ actual: d, expected: exp.get(d.code) }));
      console.log(
        original
          .filter((o) => o.event.dossierCode === d.code)
          .map((o) => `${o.event.type} ${o.event.occurredAt} ${JSON.stringify(o.event.data)}`)
          .join('\n'),
      );
      console.log(
        published
          .filter((e) => e.dossierCode === d.code)
          .map((e) => `${e.type} ${e.occurredAt} ${JSON.stringify(e.data)}`)
          .join('\n'),
      );
    }
    const periods: [string, string][] = [['2017-01-01', '2017-12-31']];
    for (let month = 1; month <= 12; month++) {
      const last = new Date(Date.UTC(2017, month, 0)).getUTCDate();
      const mm = String(month).padStart(2, '0');
      periods.push([`2017-${mm}-01`, `2017-${mm}-${last}`]);
    }
    for (const [from, to] of periods) {
      expect({ from, figures: actual.figures({ from, to, now }) }).toEqual({
        from,
        figures: expected.figures({ from, to, now }),
      });
    }
    const root = agencies.find((a) => a.parentCode === null)?.code ?? '';
    for (const rows of ['field', 'agency', 'procedure'] as const) {
      const query = { from: '2017-01-01', to: '2017-12-31', now, agency: root, rows };
      expect(actual.form06a(query)).toEqual(expected.form06a(query));
    }
    expect(actual.dossiers().length).toBe(expected.dossiers().length);
  });
});

describe('simulate --format', () => {
  it('takes events (default) or dvcqg, which needs --post and no --out', () => {
    expect(parseCli(['--year', '2017', '--out', 'x.ndjson']).format).toBe('events');
    expect(parseCli(['--year', '2017', '--post', 'http://h', '--key', 'k', '--format', 'dvcqg']).format).toBe('dvcqg');
    expect(() => parseCli(['--year', '2017', '--out', 'x.ndjson', '--format', 'dvcqg'])).toThrow(UsageError);
    expect(() => parseCli(['--year', '2017', '--out', 'x.ndjson', '--format', 'xml'])).toThrow(/events or dvcqg/);
  });
});
