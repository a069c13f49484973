import { decreasedSeries, familyOf, parsePrometheusText, seriesKey } from './prometheus-text';

const TEXT = `# HELP a_total A counter
# TYPE a_total counter
a_total{service="x",route="/v1/a"} 3
a_total{route="/v1/b",service="x"} 1
# HELP lag A gauge
# TYPE lag gauge
lag{topic="t",partition="0"} 5
# TYPE d_seconds histogram
d_seconds_bucket{le="0.1"} 2
d_seconds_bucket{le="+Inf"} 4
d_seconds_sum 0.5
d_seconds_count 4
odd{msg="quote \\" and \\\\ slash"} NaN
lower_nan Nan
`;

describe('parsePrometheusText', () => {
  it('reads samples, labels (escapes included), values and types', () => {
    const scrape = parsePrometheusText(TEXT);
    expect(scrape.samples).toHaveLength(9);
    expect(Number.isNaN(scrape.samples.find((s) => s.name === 'lower_nan')?.value)).toBe(true);
    expect(scrape.samples[0]).toEqual({ name: 'a_total', labels: { service: 'x', route: '/v1/a' }, value: 3 });
    expect(scrape.samples.find((s) => s.name === 'odd')?.labels.msg).toBe('quote " and \\ slash');
    expect(scrape.samples.find((s) => s.labels.le === '+Inf')?.value).toBe(4);
    expect(scrape.types.get('d_seconds')).toBe('histogram');
    expect(familyOf('d_seconds_bucket', scrape.types)).toBe('d_seconds');
    expect(familyOf('lag', scrape.types)).toBe('lag');
  });

  it('refuses a line that is no sample', () => {
    expect(() => parsePrometheusText('this is not { prometheus')).toThrow(/not a sample line/);
  });

  it('keys series by name and sorted labels', () => {
    expect(seriesKey({ name: 'a', labels: { b: '1', a: '2' } })).toBe('a{a="2",b="1"}');
  });
});

describe('decreasedSeries', () => {
  it('finds counters and histogram series that went down or vanished, ignoring gauges', () => {
    const earlier = parsePrometheusText(TEXT);
    const later = parsePrometheusText(
      TEXT.replace('a_total{service="x",route="/v1/a"} 3', 'a_total{service="x",route="/v1/a"} 2')
        .replace('lag{topic="t",partition="0"} 5', 'lag{topic="t",partition="0"} 1')
        .replace('d_seconds_count 4\n', ''),
    );
    expect(decreasedSeries(earlier, later)).toEqual([
      'a_total{route="/v1/a",service="x"}: 3 → 2',
      'd_seconds_count{}: 4 → undefined',
    ]);
    expect(decreasedSeries(earlier, parsePrometheusText(TEXT))).toEqual([]);
  });
});
