/** One sample of a Prometheus text exposition: metric name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed scrape: the samples, and the type of each metric family (`# TYPE` lines). */
export interface Scrape {
  samples: Sample[];
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (0.0.4) that prom-client writes; throws on a line it cannot read. */
export function parsePrometheusText(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type !== null) types.set(type[1] as string, type[2] as string);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    for (const label of (labelText ?? '').matchAll(LABEL)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    // As Prometheus reads them (Go's ParseFloat): NaN and Inf in any case (prom-client writes `Nan`).
    const special: Record<string, number> = { nan: NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity };
    const value = valueText.toLowerCase() in special ? (special[valueText.toLowerCase()] as number) : Number(valueText);
    if (Number.isNaN(value) && valueText.toLowerCase() !== 'nan') throw new Error(`not a sample value: ${line}`);
    samples.push({ name, labels, value });
  }
  return { samples, types };
}

/** A stable key of a series: name and sorted labels. */
export function seriesKey(sample: Pick<Sample, 'name' | 'labels'>): string {
  const labels = Object.entries(sample.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${sample.name}{${labels.join(',')}}`;
}

/** The family a sample belongs to (`x_bucket` / `x_sum` / `x_count` of histogram or summary `x`). */
export function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return types.has(base) ? base : name;
}

/**
 * Series that went down between two scrapes although they may only grow: counters, and the
 * buckets, sums and counts of histograms (a series missing from the later scrape counts too).
 */
export function decreasedSeries(earlier: Scrape, later: Scrape): string[] {
  const after = new Map(later.samples.map((sample) => [seriesKey(sample), sample.value]));
  return earlier.samples.flatMap((sample) => {
    const type = earlier.types.get(familyOf(sample.name, earlier.types));
    if (type !== 'counter' && type !== 'histogram') return [];
    const value = after.get(seriesKey(sample));
    return value === undefined || value < sample.value ? [`${seriesKey(sample)}: ${sample.value} → ${value}`] : [];
  });
}
