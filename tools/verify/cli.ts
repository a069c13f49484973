/**
 * verify CLI (docs/simulator.md "Verifying the reports"):
 *
 *   npm run verify -- --reporting http://localhost:3004 --key dev-admin-key \
 *     (--ndjson events.ndjson --reference ref.json | --years 2017 --dossiers 20000 --seed 1 [simulator options])
 *
 * Builds the oracle from the same events the services were given, asks the report API for many
 * periods, agencies and filters, prints a table of differences and `verify: N queries, M differences`.
 * Exit code 1 when there is any difference (2 on bad usage).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { buildOracle, type OracleEvent, type OraclePolicies, type OraclePostedEvent } from '../oracle';
import { SIMULATOR_ARGS, simulatorOptionsOf } from '../simulator/cli';
import { secondsOnly } from '../simulator/dvcqg';
import { simulateProvince, type SimReference } from '../simulator/province';
import { formatTable, planQueries, verifyAgainst, type VerifyQuery } from './verify';

const USAGE = `usage: verify --reporting <url> --key <key>
  (--ndjson events.ndjson [--ndjson part2.ndjson …] --reference ref.json [--desk import]
   | (--year YYYY | --years A-B) --dossiers N [--seed N] [--late-rate r] [--duplicates r] [--shuffle-rate r]
     [--from D] [--to D] [--as-of D] [--province code] [--successor-province code] [--desks N])
  [--rescheduled-due ignored|honoured] [--supplement restart|subtract] [--outcome-by date|session]
  [--queries N] [--random-ranges N] [--agencies N] [--concurrency 4] [--limit 200] [--json]
The three policy options are on-time-rate's COUNTING_* values (default: the contract's).`;

/** The oracle's counting policies from the command line (the services' COUNTING_* values). */
export function policiesOf(values: {
  'rescheduled-due'?: string;
  supplement?: string;
  'outcome-by'?: string;
}): OraclePolicies {
  const pick = <T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined => {
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  };
  const policies: OraclePolicies = {};
  const rescheduledDue = pick('rescheduled-due', values['rescheduled-due'], ['ignored', 'honoured'] as const);
  const supplement = pick('supplement', values.supplement, ['restart', 'subtract'] as const);
  const outcomeBy = pick('outcome-by', values['outcome-by'], ['date', 'session'] as const);
  if (rescheduledDue !== undefined) policies.rescheduledDue = rescheduledDue;
  if (supplement !== undefined) policies.supplement = supplement;
  if (outcomeBy !== undefined) policies.outcomeBy = outcomeBy;
  return policies;
}

async function readEvents(
  paths: readonly string[],
  desk: string,
): Promise<{ events: OraclePostedEvent[]; from: string; to: string }> {
  const events: OraclePostedEvent[] = [];
  let from = '9999-12-31';
  let to = '0000-01-01';
  for (const path of paths.flatMap((item) => item.split(','))) {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    let number = 0;
    for await (const line of lines) {
      number++;
      if (line.trim() === '') continue;
      let event: OracleEvent;
      try {
        event = JSON.parse(line) as OracleEvent;
      } catch {
        throw new Error(`${path}:${number}: not JSON`);
      }
      events.push({ desk, event });
      if (event.type === 'dossier.received') {
        const date = event.occurredAt.slice(0, 10);
        if (date < from) from = date;
        if (date > to) to = date;
      }
    }
  }
  return { events, from, to };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reporting: { type: 'string' },
      key: { type: 'string' },
      ndjson: { type: 'string', multiple: true },
      reference: { type: 'string' },
      desk: { type: 'string' },
      'rescheduled-due': { type: 'string' },
      supplement: { type: 'string' },
      'outcome-by': { type: 'string' },
      ...SIMULATOR_ARGS,
      queries: { type: 'string' },
      'random-ranges': { type: 'string' },
      agencies: { type: 'string' },
      concurrency: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true || values.reporting === undefined || values.key === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const started = Date.now();
  const policies = policiesOf(values);
  let reference: SimReference;
  let events: OraclePostedEvent[];
  let from: string;
  let to: string;
  if (values.ndjson !== undefined) {
    if (values.reference === undefined) throw new Error('--ndjson needs --reference');
    reference = JSON.parse(readFileSync(values.reference, 'utf8')) as SimReference;
    ({ events, from, to } = await readEvents(values.ndjson, values.desk ?? 'import'));
  } else {
    const yearsText = values.years ?? values.year;
    if (yearsText === undefined) {
      process.stderr.write(`give --ndjson/--reference or the simulator options\n${USAGE}\n`);
      return 2;
    }
    const simulation = simulateProvince(simulatorOptionsOf(values));
    reference = simulation.reference;
    // Posted with --format dvcqg: the portal's dates have whole seconds.
    events = values.format === 'dvcqg' ? secondsOnly([...simulation.events]) : [...simulation.events];
    from = simulation.options.startDate;
    to = simulation.options.asOf;
  }
  process.stderr.write(`verify: ${events.length} events read; building the oracle…\n`);
  const oracle = buildOracle({ ...reference, events, policies });
  let queries: VerifyQuery[] = planQueries({
    from,
    to,
    agencies: reference.agencies,
    fields: reference.fields,
    seed: Number(values.seed ?? '1'),
    randomRanges: values['random-ranges'] === undefined ? undefined : Number(values['random-ranges']),
    agencyCount: values.agencies === undefined ? undefined : Number(values.agencies),
  });
  if (values.queries !== undefined) queries = queries.slice(0, Number(values.queries));
  process.stderr.write(`verify: oracle ready (${oracle.dossiers().length} dossiers); ${queries.length} queries\n`);
  const result = await verifyAgainst(values.reporting, values.key, oracle, queries, {
    concurrency: values.concurrency === undefined ? 4 : Number(values.concurrency),
    onProgress: (done, total) => {
      if (done % 10 === 0 || done === total) process.stderr.write(`\r${done}/${total} queries`);
    },
  });
  process.stderr.write('\n');
  if (values.json === true) process.stdout.write(`${JSON.stringify(result.differences, null, 2)}\n`);
  else if (result.differences.length > 0) {
    process.stdout.write(`${formatTable(result.differences, Number(values.limit ?? '200'))}\n`);
  }
  const queriesWithDifferences = new Set(result.differences.map((d) => d.query)).size;
  process.stdout.write(
    `verify: ${result.queries} queries, ${result.differences.length} differences` +
      ` (${queriesWithDifferences} queries differ; ${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  return result.differences.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`verify: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
