import { randomBytes } from 'node:crypto';
import { loadConfig, type AppConfig, type ServiceName } from '@tthc/config';

/** A namespace that keeps one test file's topics, consumer groups, database and queues apart. */
export interface TestNamespace {
  id: string;
  topicPrefix: string;
  database: string;
  queuePrefix: string;
}

export function newNamespace(label: string): TestNamespace {
  const id = `${label.replace(/[^a-z0-9]/gi, '').slice(0, 12)}${randomBytes(4).toString('hex')}`;
  return { id, topicPrefix: `t.${id}.`, database: `tthc_test_${id}`, queuePrefix: `tq.${id}` };
}

/** The MONGO_URL of the suite (default: the local stand-in) with the namespace's database. */
export function mongoUrlFor(namespace: TestNamespace): string {
  const base = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/tthc';
  const url = new URL(base);
  url.pathname = `/${namespace.database}`;
  return url.toString();
}

/** The environment of a service under test: the suite's servers, the namespace, a random port. */
export function testEnvironment(namespace: TestNamespace, env: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    ...inherited,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    PORT: '0',
    KAFKA_TOPIC_PREFIX: namespace.topicPrefix,
    KAFKA_EVENT_PARTITIONS: '3',
    KAFKA_PRODUCE_TIMEOUT_MS: '8000',
    MONGO_URL: mongoUrlFor(namespace),
    QUEUE_PREFIX: namespace.queuePrefix,
    TTHC_ADMIN_KEY: TEST_ADMIN_KEY,
    TTHC_KEYS_SECRET: TEST_KEYS_SECRET,
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...env,
  };
}

/** Configuration of one service under test (`testEnvironment`, validated). */
export function testConfig(
  service: ServiceName,
  namespace: TestNamespace,
  env: Record<string, string> = {},
): AppConfig {
  return loadConfig(service, testEnvironment(namespace, env));
}

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';
/** The secret test services verify access-key records with (`signedKeyRecords` signs with it). */
export const TEST_KEYS_SECRET = 'test-keys-secret-0123456789-0123456789';
