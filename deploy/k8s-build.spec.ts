import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * deploy/k8s as kustomize builds it (base and overlays/production), validated by kubeconform
 * -strict and scored by kube-score. The tools are built from the Go module proxy by
 * scripts/ensure-k8s-tools.sh into .local/bin; kubeconform's schemas are generated there into
 * .local/k8s-schemas (Kubernetes' OpenAPI document, the Prometheus Operator and KEDA CRDs).
 */

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, '.local/bin');
const CONSUMERS = ['dossier-tracking', 'on-time-rate', 'reporting'];
const PARTITIONS = 6;
/** The Kubernetes release the manifests are validated against (scripts/ensure-k8s-tools.sh). */
const KUBERNETES_VERSION = process.env.KUBERNETES_VERSION ?? '1.34.2';

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

/** kubeconform -strict over a stream of manifests: exit status and its JSON report. */
function kubeconform(text: string): {
  ok: boolean;
  resources: { kind: string; name: string; status: string; msg: string }[];
} {
  const location = join(
    ROOT,
    '.local/k8s-schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json',
  );
  const args = ['-strict', '-summary', '-verbose', '-output', 'json', '-kubernetes-version', KUBERNETES_VERSION];
  const run = (): { ok: boolean; stdout: string } => {
    try {
      return {
        ok: true,
        stdout: execFileSync(join(BIN, 'kubeconform'), [...args, '-schema-location', location, '-'], {
          input: text,
          encoding: 'utf8',
        }),
      };
    } catch (error) {
      return { ok: false, stdout: String((error as { stdout?: string }).stdout ?? error) };
    }
  };
  const { ok, stdout } = run();
  const report = JSON.parse(stdout) as { resources?: { kind: string; name: string; status: string; msg: string }[] };
  return { ok, resources: report.resources ?? [] };
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

  it('passes kubeconform -strict: every resource valid against its schema, none skipped', () => {
    const result = kubeconform(text());
    const notValid = result.resources.filter((r) => r.status !== 'statusValid');
    expect(notValid).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.resources).toHaveLength(objects(text()).length);
  });

  it('is refused by kubeconform -strict with an unknown field or a wrong type', () => {
    const unknownField = text().replace(/^( +)replicas: (\d+)$/m, '$1replicaCount: $2');
    expect(unknownField).not.toBe(text());
    const refused = kubeconform(unknownField);
    expect(refused.ok).toBe(false);
    expect(refused.resources.filter((r) => r.status === 'statusInvalid').map((r) => r.msg)).toEqual([
      expect.stringContaining("'replicaCount' not allowed"),
    ]);
    const wrongType = text().replace(/runAsNonRoot: true/, 'runAsNonRoot: "yes"');
    expect(wrongType).not.toBe(text());
    expect(kubeconform(wrongType).ok).toBe(false);
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
