import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { environmentSchema, loadConfig, SERVICE_PORTS, type ServiceName } from '../libs/config/src/config';

/**
 * The Kubernetes manifests of deploy/k8s, read as YAML (every document of every file): probes on
 * the right paths and ports, a grace period above the shutdown timeout, a Service per Deployment
 * that really reaches its pods, and a configuration the services accept.
 */

const ROOT = join(__dirname, '..');
const K8S = join(ROOT, 'deploy/k8s/base');
const EXAMPLES = join(ROOT, 'deploy/k8s/examples');

/** docs/api.md §1. */
const CONTRACT_PORTS: Record<ServiceName, number> = {
  intake: 3001,
  'dossier-tracking': 3002,
  'on-time-rate': 3003,
  reporting: 3004,
};
const APPS = Object.keys(CONTRACT_PORTS) as ServiceName[];
/** Services that answer desks and viewers over HTTP and run two replicas; the others are consumers first. */
const TWO_REPLICAS: ServiceName[] = ['intake', 'reporting'];
/** What the readiness endpoint waits for each dependency (libs/observability/src/health.ts). */
const READINESS_CHECK_TIMEOUT_S = 3;
/** Share of a 2-core node the requests of all replicas may take (the rest: system pods, a rolling surge). */
const NODE_CPU_BUDGET_MILLICORES = 1500;

type Port = number | string;
interface Probe {
  httpGet?: { path?: string; port?: Port };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Quantities {
  cpu?: string | number;
  memory?: string;
  'ephemeral-storage'?: string;
}
interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Quantities; limits?: Quantities };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] }; sleep?: { seconds: number } } };
  securityContext?: { allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; runAsUser?: number };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}
type Labels = Record<string, string>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
}
interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Labels };
    template: { metadata: { labels?: Labels }; spec: PodSpec };
  };
}
interface Service extends K8sObject {
  spec: { selector?: Labels; ports: { name?: string; port: number; targetPort?: Port }[] };
}
interface ConfigMap extends K8sObject {
  data?: Record<string, unknown>;
}
interface Secret extends K8sObject {
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}
interface PodDisruptionBudget extends K8sObject {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: { matchLabels?: Labels } };
}
interface HorizontalPodAutoscaler extends K8sObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }[];
  };
}
interface NetworkPolicyPeer {
  namespaceSelector?: { matchLabels?: Labels };
  podSelector?: { matchLabels?: Labels };
}
interface NetworkPolicyRule {
  to?: NetworkPolicyPeer[];
  from?: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: Port }[];
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: { matchLabels?: Labels };
    policyTypes?: string[];
    ingress?: NetworkPolicyRule[];
    egress?: NetworkPolicyRule[];
  };
}
interface Kustomization {
  kind: 'Kustomization';
  namespace?: string;
  resources?: string[];
  images?: { name: string }[];
  configMapGenerator?: { name: string; envs?: string[]; literals?: string[] }[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

interface Loaded {
  file: string;
  object: K8sObject;
}

const files = yamlFiles(K8S).map((path) => relative(K8S, path));
const exampleFiles = yamlFiles(EXAMPLES).map((path) => `examples/${relative(EXAMPLES, path)}`);
const parseErrors: string[] = [];
const loaded: Loaded[] = [...files, ...exampleFiles].flatMap((file) =>
  parseAllDocuments(
    readFileSync(
      file.startsWith('examples/') ? join(EXAMPLES, file.slice('examples/'.length)) : join(K8S, file),
      'utf8',
    ),
  ).flatMap((document): Loaded[] => {
    parseErrors.push(...document.errors.map((error) => `${file}: ${error.message}`));
    const object = document.toJS() as K8sObject | null;
    return object === null ? [] : [{ file, object }];
  }),
);

const KUSTOMIZATION = 'kustomization.yaml';
const kustomization = loaded.find((entry) => entry.file === KUSTOMIZATION)?.object as unknown as
  Kustomization | undefined;
/** The manifests `kubectl apply -k deploy/k8s` applies. */
const applied = loaded.filter((entry) => kustomization?.resources?.includes(entry.file) === true);
const ofKind = <T extends K8sObject>(kind: string) =>
  applied.filter((entry) => entry.object.kind === kind).map((entry) => entry.object as T);

/** A `KEY=value` env file as kustomize reads it (comments and blank lines skipped). */
function envFile(text: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const equals = line.indexOf('=');
    data[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return data;
}

/** The ConfigMaps of the kustomization's configMapGenerator, as kustomize generates them. */
const generatedConfigMaps: ConfigMap[] = (kustomization?.configMapGenerator ?? []).map((generator) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: generator.name, namespace: kustomization?.namespace },
  data: Object.assign(
    {},
    ...(generator.envs ?? []).map((env) => envFile(readFileSync(join(K8S, env), 'utf8'))),
  ) as Record<string, string>,
}));

const deployments = ofKind<Deployment>('Deployment');
const services = ofKind<Service>('Service');
const configMaps = [...ofKind<ConfigMap>('ConfigMap'), ...generatedConfigMaps];
const autoscalers = ofKind<HorizontalPodAutoscaler>('HorizontalPodAutoscaler');
const networkPolicies = ofKind<NetworkPolicy>('NetworkPolicy');
const namespaces = ofKind<K8sObject>('Namespace');
const budgets = ofKind<PodDisruptionBudget>('PodDisruptionBudget');
const exampleSecrets = loaded
  .filter((entry) => entry.object.kind === 'Secret' && !applied.includes(entry))
  .map((entry) => entry.object as Secret);

/** Replicas of a Deployment: the HPA's minimum when an HPA owns the count. */
function replicasOf(app: string): number {
  const hpa = autoscalers.find((a) => a.spec.scaleTargetRef.name === app);
  return hpa?.spec.minReplicas ?? deployment(app).spec.replicas ?? 1;
}

function deployment(app: string): Deployment {
  const found = deployments.find((d) => d.metadata.name === app);
  if (found === undefined) throw new Error(`no Deployment ${app}`);
  return found;
}

function container(app: string): Container {
  const containers = deployment(app).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0] as Container;
}

/** A container port given by number or by name. */
function resolvePort(c: Container, port: Port | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** Kubernetes CPU quantity in millicores. */
function millicores(quantity: string | number | undefined): number {
  if (quantity === undefined) return NaN;
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

/** Kubernetes memory quantity in bytes. */
function bytes(quantity: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity ?? '');
  if (match === null) return NaN;
  const factor: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 };
  return Number(match[1]) * (match[2] === undefined ? 1 : (factor[match[2]] as number));
}

const selects = (selector: Labels | undefined, labels: Labels | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** The container's environment as the pod sees it (ConfigMap values, then `env` entries on top). */
function environment(app: string): Record<string, string> {
  const c = container(app);
  const env: Record<string, string> = {};
  for (const source of c.envFrom ?? []) {
    const configMap = configMaps.find((cm) => cm.metadata.name === source.configMapRef?.name);
    Object.assign(env, configMap?.data ?? {});
  }
  for (const variable of c.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.secretKeyRef !== undefined)
      env[variable.name] = `from-the-secret-${variable.name}-of-32-or-more-chars`;
  }
  return env;
}

function preStopSeconds(c: Container): number {
  const preStop = c.lifecycle?.preStop;
  if (preStop?.sleep !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  return command[0] === 'sleep' ? Number(command[1]) : 0;
}

describe('deploy/k8s manifests', () => {
  it('all parse, and every object names its apiVersion, kind and name', () => {
    expect(parseErrors).toEqual([]);
    expect(files.length).toBeGreaterThan(0);
    for (const { file, object } of loaded) {
      if (file === KUSTOMIZATION) continue;
      expect([file, typeof object.apiVersion, typeof object.kind, typeof object.metadata?.name]).toEqual([
        file,
        'string',
        'string',
        'string',
      ]);
    }
  });

  it('are tied together by kustomization.yaml (every manifest listed, every listed file present)', () => {
    expect(kustomization?.kind).toBe('Kustomization');
    const resources = kustomization?.resources ?? [];
    const manifests = files.filter((file) => file !== KUSTOMIZATION);
    expect([...resources].sort()).toEqual([...manifests].sort());
  });

  it('put everything in the one Namespace they create', () => {
    expect(namespaces.map((ns) => ns.metadata.name)).toEqual([kustomization?.namespace]);
    for (const { object } of applied) {
      if (object.kind !== 'Namespace')
        expect([object.kind, object.metadata.namespace]).toEqual([object.kind, kustomization?.namespace]);
    }
  });

  it('have exactly one Deployment per service', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...APPS].sort());
  });

  it('set the image of every Deployment through the kustomization', () => {
    const images = (kustomization?.images ?? []).map((image) => image.name).sort();
    expect(deployments.map((d) => (container(d.metadata.name).image ?? '').split(':')[0]).sort()).toEqual(images);
  });

  it(`ask for no more than ${NODE_CPU_BUDGET_MILLICORES}m CPU in all (a 2-core node)`, () => {
    const total = deployments.reduce(
      (sum, d) => sum + replicasOf(d.metadata.name) * millicores(container(d.metadata.name).resources?.requests?.cpu),
      0,
    );
    expect(total).toBeLessThanOrEqual(NODE_CPU_BUDGET_MILLICORES);
  });

  it('leave a node drain possible (each PodDisruptionBudget leaves a pod to evict)', () => {
    for (const budget of budgets) {
      const target = deployments.filter((d) =>
        selects(budget.spec.selector.matchLabels, d.spec.template.metadata.labels),
      );
      expect(target).toHaveLength(1);
      const replicas = replicasOf((target[0] as Deployment).metadata.name);
      if (budget.spec.maxUnavailable !== undefined)
        expect(Number(budget.spec.maxUnavailable)).toBeGreaterThanOrEqual(1);
      else expect(Number(budget.spec.minAvailable)).toBeLessThan(replicas);
    }
  });

  it('give every Deployment a PodDisruptionBudget', () => {
    for (const d of deployments) {
      const covering = budgets.filter((budget) =>
        selects(budget.spec.selector.matchLabels, d.spec.template.metadata.labels),
      );
      expect([d.metadata.name, covering.length]).toEqual([d.metadata.name, 1]);
    }
  });

  it('scale intake on CPU with a HorizontalPodAutoscaler (2 to 6 replicas), and nothing else in the base', () => {
    expect(autoscalers.map((hpa) => hpa.spec.scaleTargetRef.name)).toEqual(['intake']);
    const hpa = autoscalers[0] as HorizontalPodAutoscaler;
    expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBeLessThanOrEqual(6);
    expect(hpa.spec.metrics?.map((metric) => metric.resource?.name)).toEqual(['cpu']);
    // The HPA owns the count: a replicas field would be reset by every `kubectl apply`.
    expect(deployment('intake').spec.replicas).toBeUndefined();
  });

  it('deny all traffic by default and allow only DNS, Kafka, MongoDB, Redis, the ingress controller and Prometheus', () => {
    const deny = networkPolicies.find((policy) => policy.metadata.name === 'default-deny');
    expect(deny?.spec.podSelector).toEqual({});
    expect([...(deny?.spec.policyTypes ?? [])].sort()).toEqual(['Egress', 'Ingress']);
    expect(deny?.spec.ingress ?? []).toEqual([]);
    expect(deny?.spec.egress ?? []).toEqual([]);
    const egressPorts = networkPolicies
      .flatMap((policy) => policy.spec.egress ?? [])
      .flatMap((rule) => (rule.ports ?? []).map((port) => `${port.protocol ?? 'TCP'}/${String(port.port)}`));
    expect([...new Set(egressPorts)].sort()).toEqual(['TCP/27017', 'TCP/53', 'TCP/6379', 'TCP/9092', 'UDP/53'].sort());
    const ingressFrom = networkPolicies
      .flatMap((policy) => policy.spec.ingress ?? [])
      .flatMap((rule) =>
        (rule.from ?? []).map((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']),
      );
    expect([...new Set(ingressFrom)].sort()).toEqual(['ingress-nginx', 'monitoring']);
    // Every rule names its peers and ports: no rule opens everything.
    for (const rule of networkPolicies.flatMap((policy) => [
      ...(policy.spec.ingress ?? []),
      ...(policy.spec.egress ?? []),
    ])) {
      expect((rule.to ?? rule.from ?? []).length).toBeGreaterThan(0);
      expect((rule.ports ?? []).length).toBeGreaterThan(0);
    }
    // Every Deployment's pods are selected by the default deny and by the allow rules.
    for (const d of deployments) {
      for (const name of ['allow-egress-dependencies', 'allow-ingress-controller', 'allow-prometheus']) {
        const policy = networkPolicies.find((p) => p.metadata.name === name);
        expect([
          d.metadata.name,
          name,
          selects(policy?.spec.podSelector.matchLabels, d.spec.template.metadata.labels),
        ]).toEqual([d.metadata.name, name, true]);
      }
    }
  });
});

describe('the shared ConfigMap', () => {
  const configMap = configMaps[0] as ConfigMap;

  it('is generated by kustomize (a hashed name: a config change rolls the pods) and read by every Deployment', () => {
    expect(configMaps).toHaveLength(1);
    expect(generatedConfigMaps).toHaveLength(1);
    for (const app of APPS) {
      expect(container(app).envFrom?.map((source) => source.configMapRef?.name)).toContain(configMap.metadata.name);
    }
  });

  it('holds strings only (Kubernetes refuses numbers and booleans in data)', () => {
    for (const [key, value] of Object.entries(configMap.data ?? {}))
      expect([key, typeof value]).toEqual([key, 'string']);
  });

  it('is a valid environment of the services, in production, with the infrastructure addresses', () => {
    const data = configMap.data as Record<string, string>;
    const parsed = environmentSchema.safeParse(data);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(data.NODE_ENV).toBe('production');
    for (const key of ['KAFKA_BROKERS', 'MONGO_URL', 'REDIS_URL', 'SHUTDOWN_TIMEOUT_MS', 'KAFKA_EVENT_PARTITIONS']) {
      expect(data[key]).toEqual(expect.any(String));
    }
    // Per-service or secret values do not belong here.
    expect(data.PORT).toBeUndefined();
    expect(data.TTHC_ADMIN_KEY).toBeUndefined();
    expect(data.TTHC_ADMIN_KEYS).toBeUndefined();
    expect(data.TTHC_KEYS_SECRET).toBeUndefined();
  });
});

describe('the admin key Secret', () => {
  const SECRET_KEYS = ['TTHC_ADMIN_KEYS', 'TTHC_KEYS_SECRET'] as const;

  it('is shown by an example outside the kustomization, without a usable key or secret', () => {
    expect(exampleSecrets).toHaveLength(1);
    const secret = exampleSecrets[0] as Secret;
    for (const name of SECRET_KEYS) {
      const value = secret.stringData?.[name] ?? secret.data?.[name];
      expect([name, value]).toEqual([name, expect.any(String)]);
      // A pod started with the placeholder refuses to boot rather than run with a known key.
      expect([name, environmentSchema.safeParse({ [name]: value }).success]).toEqual([name, false]);
    }
    expect(ofKind<Secret>('Secret')).toEqual([]);
  });

  it.each(APPS)('is where %s reads TTHC_ADMIN_KEYS and TTHC_KEYS_SECRET from', (app) => {
    const secret = exampleSecrets[0] as Secret;
    for (const name of SECRET_KEYS) {
      const ref = container(app).env?.find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
      expect(ref).toEqual({ name: secret.metadata.name, key: name });
    }
    expect(container(app).env?.find((variable) => variable.name === 'TTHC_ADMIN_KEY')).toBeUndefined();
  });
});

describe.each(APPS)('%s', (app) => {
  const port = CONTRACT_PORTS[app];

  it(`listens on its docs/api.md §1 port ${port}`, () => {
    expect(container(app).ports?.map((p) => p.containerPort)).toEqual([port]);
    const config = loadConfig(app, environment(app));
    expect(config.port).toBe(port);
    expect(config.nodeEnv).toBe('production');
  });

  it('selects its own pods', () => {
    const d = deployment(app);
    expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    for (const other of deployments.filter((o) => o !== d)) {
      expect(selects(d.spec.selector.matchLabels, other.spec.template.metadata.labels)).toBe(false);
    }
  });

  it('is started, kept alive and made ready by probes on /health/live and /health/ready', () => {
    const c = container(app);
    expect(c.startupProbe?.httpGet?.path).toBe('/health/live');
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(resolvePort(c, probe?.httpGet?.port)).toBe(port);
    }
    // Readiness waits up to 3 s per dependency: a shorter probe timeout would fail a healthy pod.
    expect(c.readinessProbe?.timeoutSeconds ?? 1).toBeGreaterThan(READINESS_CHECK_TIMEOUT_S);
    // Start-up waits for Kafka topics and the consumer group: give it at least a minute.
    const startup = c.startupProbe as Probe;
    expect((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)).toBeGreaterThanOrEqual(60);
  });

  it('gets more than SHUTDOWN_TIMEOUT_MS (after its preStop pause) to drain before SIGKILL', () => {
    const grace = deployment(app).spec.template.spec.terminationGracePeriodSeconds ?? 30;
    const { shutdownTimeoutMs } = loadConfig(app, environment(app));
    expect(grace * 1000).toBeGreaterThan(shutdownTimeoutMs + preStopSeconds(container(app)) * 1000);
  });

  it('runs a sensible number of replicas (consumers: at most one per event partition)', () => {
    const replicas = replicasOf(app);
    const partitions = loadConfig(app, environment(app)).kafka.eventPartitions;
    if (TWO_REPLICAS.includes(app)) expect(replicas).toBe(2);
    else expect(replicas).toBeGreaterThanOrEqual(1);
    expect(replicas).toBeLessThanOrEqual(Math.min(2, partitions));
  });

  it('requests and limits CPU and memory, within a 2-core node', () => {
    const c = container(app);
    const { requests, limits } = c.resources ?? {};
    expect(millicores(requests?.cpu)).toBeGreaterThan(0);
    expect(millicores(requests?.cpu)).toBeLessThanOrEqual(millicores(limits?.cpu));
    expect(millicores(limits?.cpu)).toBeLessThanOrEqual(2000);
    expect(bytes(requests?.memory)).toBeGreaterThan(0);
    expect(bytes(requests?.memory)).toBeLessThanOrEqual(bytes(limits?.memory));
    // A V8 heap cap below the memory limit: the process is not OOM-killed before it can GC.
    const heapMiB = /--max-old-space-size=(\d+)/.exec(environment(app).NODE_OPTIONS ?? '')?.[1];
    if (heapMiB !== undefined) expect(Number(heapMiB) * 2 ** 20).toBeLessThan(bytes(limits?.memory));
  });

  it('runs as a non-root user without privilege escalation', () => {
    const spec = deployment(app).spec.template.spec;
    expect(spec.securityContext?.runAsNonRoot).toBe(true);
    expect(container(app).securityContext?.runAsNonRoot).toBe(true);
    expect(spec.securityContext?.runAsUser).toBeGreaterThan(10000);
    expect(container(app).securityContext?.allowPrivilegeEscalation).toBe(false);
  });

  it('requests and limits ephemeral storage', () => {
    const { requests, limits } = container(app).resources ?? {};
    expect(bytes(requests?.['ephemeral-storage'])).toBeGreaterThan(0);
    expect(bytes(requests?.['ephemeral-storage'])).toBeLessThanOrEqual(bytes(limits?.['ephemeral-storage']));
  });

  it(`has a Service on port ${port} that reaches its pods`, () => {
    const d = deployment(app);
    const matching = services.filter((s) => selects(s.spec.selector, d.spec.template.metadata.labels));
    expect(matching.map((s) => s.metadata.name)).toEqual([app]);
    const service = matching[0] as Service;
    expect(service.spec.ports).toHaveLength(1);
    const [servicePort] = service.spec.ports;
    expect(servicePort?.port).toBe(port);
    expect(resolvePort(container(app), servicePort?.targetPort ?? servicePort?.port)).toBe(port);
  });
});

it('docs/api.md §1 ports are the ports the services default to', () => {
  expect(SERVICE_PORTS).toEqual(CONTRACT_PORTS);
});
