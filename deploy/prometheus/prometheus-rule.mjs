// Writes prometheus-rule.yaml (a Prometheus Operator PrometheusRule) from tthc-stats.rules.yml, the
// promtool-tested source: `node deploy/prometheus/prometheus-rule.mjs`. deploy/prometheus.spec.ts
// fails when the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));

export function prometheusRule(rulesText) {
  const { groups } = parse(rulesText);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'tthc-stats',
      namespace: 'tthc-stats',
      labels: { 'app.kubernetes.io/part-of': 'tthc-stats' },
    },
    spec: { groups },
  };
}

const header =
  '# Generated from tthc-stats.rules.yml by `node deploy/prometheus/prometheus-rule.mjs`: edit the\n' +
  '# rules there (promtool tests them), then regenerate. deploy/prometheus.spec.ts checks the two agree.\n';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rule = prometheusRule(readFileSync(join(here, 'tthc-stats.rules.yml'), 'utf8'));
  const text = header + stringify(rule, { lineWidth: 0 });
  if (process.argv.includes('--stdout')) process.stdout.write(text);
  else writeFileSync(join(here, 'prometheus-rule.yaml'), text);
}
