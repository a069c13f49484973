import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * deploy/k8s as kustomize builds it (base and overlays/production), scored by kube-score. Both
 * tools are built from the Go module proxy by scripts/ensure-k8s-tools.sh into .local/bin.
 */

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, '.local/bin');
const CONSUMERS = ['dossier-tracking', 'on-time-rate', 'reporting'];
const PARTITIONS = 6;

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

let base: string;
let production: string;

function build(dir: string): string {
  return execFileSync(join(BIN, 'kustomize'), ['build', join(ROOT, dir)], { encoding: 'utf8' });
}

const objects = (text: string): Obj[] => parseAllDocuments(text).map((document) => document.toJS() as Obj);

beforeAll(() => {
  execFileSync('bash', [join(ROOT, 'scripts/ensure-k8s-tools.sh')], { stdio: 'inherit', timeout: 600_000 });
  base = build('deploy/k8s/base');
  production = build('deploy/k8s/overlays/production');
}, 600_000);

function kubeScore(text: string): string {
  try {
    return execFileSync(join(BIN, 'kube-score'), ['score', '--output-format', 'ci', '-'], {
      input: text,
      encoding: 'utf8',
    });
  } catch (error) {
    // kube-score exits 1 when it finds a CRITICAL: its report is on stdout.
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe.each([
  ['base', () => base],
  ['overlays/production', () => production],
])('kustomize build deploy/k8s/%s', (_name, text) => {
  it('builds, and kube-score finds nothing CRITICAL', () => {
    const report = kubeScore(text());
    expect(report).toMatch(/^\[OK\]/m);
    expect(report.split('\n').filter((line) => line.startsWith('[CRITICAL]'))).toEqual([]);
  });

  it('names the generated ConfigMap (with its content hash) in every Deployment', () => {
    const all = objects(text());
    const configMap = all.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('tthc-config-'));
    expect(configMap?.metadata.name).toMatch(/^tthc-config-[a-z0-9]{10}$/);
    const deployments = all.filter((o) => o.kind === 'Deployment');
    expect(deployments).toHaveLength(4);
    for (const d of deployments) expect(JSON.stringify(d)).toContain(`"name":"${configMap?.metadata.name}"`);
  });
});

describe('overlays/production', () => {
  const all = () => objects(production);

  it('scales each consumer on its Kafka lag with KEDA, at most one replica per partition', () => {
    const scaled = all().filter((o) => o.kind === 'ScaledObject');
    expect(scaled.map((o) => o.metadata.name).sort()).toEqual(CONSUMERS);
    for (const object of scaled) {
      const spec = object.spec as {
        scaleTargetRef: { name: string };
        maxReplicaCount: number;
        minReplicaCount: number;
        triggers: { type: string; metadata: Record<string, string> }[];
      };
      expect(spec.scaleTargetRef.name).toBe(object.metadata.name);
      expect(spec.maxReplicaCount).toBeLessThanOrEqual(PARTITIONS);
      expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(spec.triggers[0]?.type).toBe('kafka');
      expect(spec.triggers[0]?.metadata.consumerGroup).toBe(`tthc.${object.metadata.name}`);
      expect(spec.triggers[0]?.metadata.allowIdleConsumers).toBe('false');
    }
  });

  it('adds the PodMonitor, the PrometheusRule and the Grafana dashboard ConfigMap', () => {
    const kinds = all().map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'PodMonitor/tthc-stats',
        'PrometheusRule/tthc-stats',
        'ConfigMap/tthc-grafana-dashboards',
      ]),
    );
    const dashboards = all().find((o) => o.metadata.name === 'tthc-grafana-dashboards');
    expect(dashboards?.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(dashboards?.data?.['tthc-overview.json'] ?? '{}')).toMatchObject({ uid: 'tthc-stats-overview' });
  });

  it('keeps /metrics, /docs and /health off the public host', () => {
    const ingress = all().find((o) => o.kind === 'Ingress');
    const paths = (
      ingress?.spec as { rules: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[] }
    ).rules.flatMap((rule) => rule.http.paths);
    expect(paths.length).toBeGreaterThan(0);
    for (const { path } of paths) {
      expect(path === '/' || path.startsWith('/v1/') || path === '/assets').toBe(true);
    }
    // `/` is Exact: a Prefix `/` would route /metrics and /docs too.
    expect(paths.filter((p) => p.path === '/').every((p) => (p as { pathType?: string }).pathType === 'Exact')).toBe(
      true,
    );
  });
});
