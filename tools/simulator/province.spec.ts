import { validateDossierEvents } from '@tthc/contracts';
import { agencySchema, fieldSchema, procedureSchema } from '@tthc/contracts';
import { defaultCalendar, parseInstant, localDateOf, parseLocalDate, formatDayNumber } from '@tthc/calendar';
import { buildOracle } from '../oracle';
import { parseYears, simulateProvince, type SimPostedEvent } from './province';

const collect = (events: Iterable<SimPostedEvent>) => [...events];

describe('simulateProvince', () => {
  const small = simulateProvince({ seed: 7, years: [2017], dossiers: 20_000 });
  const events = collect(small.events);

  it('is deterministic for a seed and differs for another seed', () => {
    const again = collect(simulateProvince({ seed: 7, years: [2017], dossiers: 20_000 }).events);
    expect(again.length).toBe(events.length);
    expect(JSON.stringify(again.slice(0, 2000))).toBe(JSON.stringify(events.slice(0, 2000)));
    expect(JSON.stringify(again.slice(-2000))).toBe(JSON.stringify(events.slice(-2000)));
    // Iterating the same simulation again replays it.
    const replay = collect(small.events);
    expect(replay.length).toBe(events.length);
    expect(replay[1234]).toEqual(events[1234]);
    const otherSeed = simulateProvince({ seed: 8, years: [2017], dossiers: 2_000 });
    const first = collect(otherSeed.events).slice(0, 50);
    expect(JSON.stringify(first)).not.toBe(JSON.stringify(events.slice(0, 50)));
  });

  it('emits only contract-valid events naming known agencies and procedures', () => {
    const check = validateDossierEvents(events.map((item) => item.event));
    if (!check.ok) throw new Error(JSON.stringify(check.problems.slice(0, 5)));
    const agencies = new Set(small.reference.agencies.map((agency) => agency.code));
    const procedures = new Set(small.reference.procedures.map((procedure) => procedure.code));
    const bad: unknown[] = [];
    for (const { event } of events) {
      const data = event.data;
      const codes =
        event.type === 'dossier.received'
          ? [data.agencyCode, data.receivingAgencyCode ?? data.agencyCode]
          : event.type === 'dossier.transferred'
            ? [data.toAgencyCode]
            : [];
      if (codes.some((code) => !agencies.has(code as string))) bad.push(event);
      if (event.type === 'dossier.received' && !procedures.has(data.procedureCode as string)) bad.push(event);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/.test(event.occurredAt)) bad.push(event);
    }
    expect(bad).toEqual([]);
    for (const agency of small.reference.agencies) expect(agencySchema.safeParse(agency).success).toBe(true);
    for (const field of small.reference.fields) expect(fieldSchema.safeParse(field).success).toBe(true);
    for (const procedure of small.reference.procedures) expect(procedureSchema.safeParse(procedure).success).toBe(true);
  });

  it('uses plausible agency and dossier codes (docs/counting-rules.md §10.4)', () => {
    const { agencies } = small.reference;
    expect(agencies.find((agency) => agency.level === 'province')?.code).toBe('000.00.00.H56');
    for (const agency of agencies) expect(agency.code).toMatch(/^000\.\d{2}\.\d{2}\.H56$/);
    const levels = new Map<string, number>();
    for (const agency of agencies) levels.set(agency.level, (levels.get(agency.level) ?? 0) + 1);
    expect(levels.get('department')).toBeGreaterThanOrEqual(15);
    expect(levels.get('district')).toBe(11);
    expect(levels.get('commune')).toBe(172);
    const byCode = new Map(agencies.map((agency) => [agency.code, agency]));
    for (const agency of agencies.filter((a) => a.level === 'commune')) {
      expect(byCode.get(agency.parentCode as string)?.level).toBe('district');
    }
    const codes = new Set<string>();
    const bad: string[] = [];
    for (const { event } of events) {
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(event.eventId)) bad.push(event.eventId);
      if (event.type !== 'dossier.received') continue;
      const match = /^(000\.\d{2}\.\d{2}\.H56)-(\d{6})-(\d{4,})$/.exec(event.dossierCode);
      if (
        match === null ||
        !byCode.has(match[1] as string) ||
        `20${match[2]}` !== localDateOf(parseInstant(event.occurredAt)).replace(/-/g, '')
      ) {
        bad.push(event.dossierCode);
      }
      codes.add(event.dossierCode);
    }
    expect(bad).toEqual([]);
    expect(codes.size).toBe(small.stats.received);
  });

  it('shows the Tết dip, month-end peaks and hardly any counter receipts on days off', () => {
    const perDay = new Map<string, number>();
    let counterOnDayOff = 0;
    for (const { event } of events) {
      if (event.type !== 'dossier.received') continue;
      const date = event.occurredAt.slice(0, 10);
      perDay.set(date, (perDay.get(date) ?? 0) + 1);
      if (event.data.channel !== 'online' && !defaultCalendar.isWorkingDay(date)) counterOnDayOff++;
    }
    expect(counterOnDayOff).toBe(0);
    const average = (from: string, to: string) => {
      let sum = 0;
      let days = 0;
      for (let day = parseLocalDate(from); day <= parseLocalDate(to); day++) {
        if (!defaultCalendar.isWorkingDay(day)) continue;
        sum += perDay.get(formatDayNumber(day)) ?? 0;
        days++;
      }
      return sum / days;
    };
    // Tết 2017: 28 January; the fortnight after the holiday vs. March.
    const afterTet = average('2017-02-02', '2017-02-10');
    const march = average('2017-03-06', '2017-03-24');
    expect(afterTet).toBeLessThan(march * 0.8);
    // Calendar days 26 Jan – 1 Feb 2017 (holiday block): far below an ordinary week.
    let holidayWeek = 0;
    for (let day = parseLocalDate('2017-01-26'); day <= parseLocalDate('2017-02-01'); day++) {
      holidayWeek += perDay.get(formatDayNumber(day)) ?? 0;
    }
    expect(holidayWeek).toBeLessThan(march * 5 * 0.2);
    // Month ends: the last working days of months beat the mid-month average.
    expect(average('2017-03-29', '2017-03-31')).toBeGreaterThan(average('2017-03-13', '2017-03-17'));
  });

  it('grows the online share across the years', () => {
    const share = (year: number) => {
      let online = 0;
      let total = 0;
      for (const { event } of simulateProvince({ seed: 3, years: [year], dossiers: 5_000 }).events) {
        if (event.type !== 'dossier.received') continue;
        total++;
        if (event.data.channel === 'online') online++;
      }
      return online / total;
    };
    const shares = [2017, 2020, 2023, 2025].map(share);
    expect(shares[0]).toBeLessThan(0.08);
    for (let index = 1; index < shares.length; index++) {
      expect(shares[index]).toBeGreaterThan(shares[index - 1] as number);
    }
    expect(shares[3]).toBeGreaterThan(0.5);
  });

  it('delivers events in time order without shuffling, with the requested duplicates and delays otherwise', () => {
    let previous = -Infinity;
    let backwards = 0;
    for (const { event } of events) {
      const at = parseInstant(event.occurredAt);
      if (at < previous) backwards++;
      previous = at;
    }
    expect(backwards).toBe(0);
    const noisy = simulateProvince({ seed: 7, years: [2017], dossiers: 10_000, duplicateRate: 0.2, shuffle: 0.1 });
    const seen = new Set<string>();
    let duplicates = 0;
    let outOfOrder = 0;
    let distinct = 0;
    let latest = -Infinity;
    for (const { desk, event } of noisy.events) {
      const key = `${desk}|${event.eventId}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      distinct++;
      const at = parseInstant(event.occurredAt);
      if (at < latest) outOfOrder++;
      latest = Math.max(latest, at);
    }
    expect(noisy.stats.duplicates).toBe(duplicates);
    expect(noisy.stats.events).toBe(distinct);
    expect(duplicates / distinct).toBeGreaterThan(0.18);
    expect(duplicates / distinct).toBeLessThan(0.22);
    // Delayed events land behind later ones (a few delays are too short to overtake anything).
    expect(noisy.stats.delayed / distinct).toBeGreaterThan(0.09);
    expect(noisy.stats.delayed / distinct).toBeLessThan(0.11);
    expect(outOfOrder / distinct).toBeGreaterThan(0.05);
    expect(outOfOrder / distinct).toBeLessThan(0.11);
  });

  it('hits the target late rate and the branch rates, as folded by the oracle', () => {
    const sim = simulateProvince({ seed: 11, years: [2017], dossiers: 20_000, lateRate: 0.03, asOf: '2018-03-31' });
    const all = collect(sim.events);
    const oracle = buildOracle({ ...sim.reference, events: all });
    const year = oracle.figures({ from: '2017-01-01', to: '2018-03-31', now: '2018-04-01T00:00:00+07:00' });
    const lateShare = year.resolved.late / year.resolved.total;
    expect(lateShare).toBeGreaterThan(0.024);
    expect(lateShare).toBeLessThan(0.036);
    expect(year.received.new).toBe(sim.stats.received - sim.stats.voided);
    expect(year.resolved.withdrawn / year.received.new).toBeGreaterThan(0.01);
    expect(year.resolved.withdrawn / year.received.new).toBeLessThan(0.03);
    expect(year.resolved.early).toBeGreaterThan(year.resolved.onTime);
    expect(year.pending.total).toBeLessThan(year.received.new * 0.01);
    const received = sim.stats.received;
    expect(sim.stats.supplements / received).toBeCloseTo(0.1, 1);
    expect(sim.stats.transferred / received).toBeCloseTo(0.02, 2);
    expect(sim.stats.rescheduled / received).toBeGreaterThan(0.003);
    expect(sim.stats.rescheduled / received).toBeLessThan(0.007);
    expect(sim.stats.rejected / sim.stats.dossiers).toBeLessThan(0.005);
    expect(oracle.excluded().size).toBe(sim.stats.rejected + sim.stats.voided);

    // The default 1% target.
    const normal = simulateProvince({ seed: 12, years: [2017], dossiers: 15_000, asOf: '2018-03-31' });
    const normalOracle = buildOracle({ ...normal.reference, events: collect(normal.events) });
    const figures = normalOracle.figures({ from: '2017-01-01', to: '2017-12-31', now: '2018-04-01T00:00:00+07:00' });
    expect(figures.resolved.late / figures.resolved.total).toBeGreaterThan(0.007);
    expect(figures.resolved.late / figures.resolved.total).toBeLessThan(0.013);
    // Pending at the end of the year (asOf in March): December's long dossiers, carried over.
    expect(figures.pending.total).toBeGreaterThan(0);
  });

  it('models the 2025 merge: validity, successors, transfers of pending dossiers, receipts at successors', () => {
    const sim = simulateProvince({
      seed: 5,
      years: [2025],
      dossiers: 30_000,
      startDate: '2025-05-01',
      endDate: '2025-08-31',
    });
    expect(sim.options.mergeDate).toBe('2025-07-01');
    const all = collect(sim.events);
    const check = validateDossierEvents(all.map((item) => item.event));
    expect(check.ok).toBe(true);
    const agencies = new Map(sim.reference.agencies.map((agency) => [agency.code, agency]));
    const old = sim.reference.agencies.filter((agency) => agency.code.endsWith('.H56'));
    expect(old.length).toBeGreaterThan(190);
    for (const agency of old) {
      expect(agency.validTo).toBe('2025-06-30');
      expect(agencies.get(agency.successorCode as string)?.code.endsWith('.H20')).toBe(true);
    }
    expect(agencies.get('000.00.00.H56')?.successorCode).toBe('000.00.00.H20');
    const newCommunes = sim.reference.agencies.filter((a) => a.code.endsWith('.H20') && a.level === 'commune');
    expect(newCommunes.length).toBeGreaterThan(40);
    expect(newCommunes.every((a) => a.parentCode === '000.00.00.H20' && a.validFrom === '2025-07-01')).toBe(true);
    expect(sim.reference.agencies.some((a) => a.code.endsWith('.H20') && a.level === 'district')).toBe(false);

    const mergeAt = parseInstant('2025-07-01T00:00:00+07:00');
    const mergeTransfers = all.filter(
      ({ event }) =>
        event.type === 'dossier.transferred' &&
        event.occurredAt.startsWith('2025-07-01') &&
        event.dossierCode.includes('.H56-'),
    );
    // (A few ordinary transfers happen on 1 July too.)
    expect(mergeTransfers.length).toBeGreaterThanOrEqual(sim.stats.mergeTransfers);
    expect(mergeTransfers.length).toBeLessThan(sim.stats.mergeTransfers * 1.05);
    expect(sim.stats.mergeTransfers).toBeGreaterThan(100);
    const bad: unknown[] = [];
    for (const { event } of all) {
      const at = parseInstant(event.occurredAt);
      if (event.type === 'dossier.received') {
        const agency = agencies.get(event.data.agencyCode as string);
        if (agency?.code.endsWith(at >= mergeAt ? '.H20' : '.H56') !== true) bad.push(event);
      }
      if (event.type === 'dossier.transferred' && at >= mergeAt) {
        if (!(event.data.toAgencyCode as string).endsWith('.H20')) bad.push(event);
      }
    }
    expect(bad).toEqual([]);
    // Every dossier received before the merge and pending at it now sits with a successor.
    const oracle = buildOracle({ ...sim.reference, events: all });
    const julyPending = oracle.figures({ from: '2025-07-01', to: '2025-07-31', now: '2025-09-01T00:00:00+07:00' });
    const oldRoot = oracle.figures({
      from: '2025-07-01',
      to: '2025-07-31',
      agency: '000.00.00.H56',
      now: '2025-09-01',
    });
    expect(oldRoot.received.total).toBe(0);
    expect(julyPending.received.carriedOver).toBeGreaterThan(0);
  });

  it('streams: 200k dossiers without holding them', () => {
    const sim = simulateProvince({ seed: 1, years: [2017], dossiers: 200_000 });
    let count = 0;
    let received = 0;
    for (const { event } of sim.events) {
      count++;
      if (event.type === 'dossier.received') received++;
    }
    expect(received).toBe(sim.stats.received);
    expect(count).toBe(sim.stats.events);
    expect(sim.stats.dossiers).toBeGreaterThan(199_000);
    expect(sim.stats.dossiers).toBeLessThan(201_000);
    expect(sim.stats.progress).toBe(1);
    // Only the events of dossiers in progress are held: a few weeks' worth, not the year's.
    expect(count).toBeGreaterThan(600_000);
    expect(sim.stats.peakQueued).toBeGreaterThan(0);
    expect(sim.stats.peakQueued).toBeLessThan(count / 10);
  });

  it('parses year lists and ranges', () => {
    expect(parseYears('2017')).toEqual([2017]);
    expect(parseYears('2024-2025')).toEqual([2024, 2025]);
    expect(parseYears('2017,2019-2020')).toEqual([2017, 2019, 2020]);
    expect(() => parseYears('17')).toThrow();
  });
});
