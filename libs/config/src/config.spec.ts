import { ConfigError, DEVELOPMENT_ADMIN_KEY, DEVELOPMENT_KEYS_SECRET, loadConfig } from './config';

const KEYS_SECRET = 'k'.repeat(20) + '-signing-secret-0123';

function problemsOf(env: Record<string, string>, readFile?: (path: string) => string): string {
  try {
    loadConfig('intake', env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return `${error.message}\n${error.problems.join('\n')}`;
    throw error;
  }
  return '';
}

describe('loadConfig', () => {
  it('gives each service its docs/api.md §1 port and the local defaults', () => {
    expect(loadConfig('intake', {}).port).toBe(3001);
    expect(loadConfig('dossier-tracking', {}).port).toBe(3002);
    expect(loadConfig('on-time-rate', {}).port).toBe(3003);
    const reporting = loadConfig('reporting', {});
    expect(reporting.port).toBe(3004);
    expect(reporting.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(reporting.mongoUrl).toBe('mongodb://127.0.0.1:27017/tthc');
    expect(reporting.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('reads KAFKA_BROKERS, MONGO_URL and REDIS_URL overrides', () => {
    const config = loadConfig('intake', {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      MONGO_URL: 'mongodb://mongo:27017/tthc',
      REDIS_URL: 'redis://redis:6379',
      PORT: '8080',
    });
    expect(config.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(config.mongoUrl).toBe('mongodb://mongo:27017/tthc');
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.port).toBe(8080);
  });

  it('defaults and validates the HTTP limits (body caps, shared rate limits, failed authentications)', () => {
    const defaults = loadConfig('intake', {});
    expect(defaults.intakeLimits).toEqual({
      eventsMaxBytes: 2 * 1024 * 1024,
      referenceMaxBytes: 4 * 1024 * 1024,
      requests: { ratePerSecond: 50, burst: 100 },
      events: { ratePerSecond: 5000, burst: 20_000 },
    });
    expect(defaults.authFailuresPerMinute).toBe(20);
    expect(defaults.trustProxyHops).toBe(0);
    const set = loadConfig('intake', {
      INTAKE_EVENTS_MAX_BYTES: '1048576',
      INTAKE_RATE_REQUESTS_PER_SECOND: '0.5',
      INTAKE_RATE_EVENTS_BURST: '1000',
      AUTH_FAILURES_PER_MINUTE: '5',
      TRUST_PROXY_HOPS: '1',
    });
    expect(set.intakeLimits.eventsMaxBytes).toBe(1048576);
    expect(set.intakeLimits.requests.ratePerSecond).toBe(0.5);
    expect(set.intakeLimits.events.burst).toBe(1000);
    expect(set.authFailuresPerMinute).toBe(5);
    expect(set.trustProxyHops).toBe(1);
    // An event burst below one full request (1000 events) could never admit such a request.
    expect(() => loadConfig('intake', { INTAKE_RATE_EVENTS_BURST: '999' })).toThrow(/INTAKE_RATE_EVENTS_BURST/);
    expect(() => loadConfig('intake', { INTAKE_RATE_REQUESTS_PER_SECOND: '0' })).toThrow(
      /INTAKE_RATE_REQUESTS_PER_SECOND/,
    );
    expect(() => loadConfig('intake', { AUTH_FAILURES_PER_MINUTE: '-1' })).toThrow(/AUTH_FAILURES_PER_MINUTE/);
    expect(() => loadConfig('intake', { TRUST_PROXY_HOPS: 'yes' })).toThrow(/TRUST_PROXY_HOPS/);
  });

  it('allows the well-known admin key only outside production', () => {
    expect(loadConfig('intake', { NODE_ENV: 'development' }).adminKey).toBe(DEVELOPMENT_ADMIN_KEY);
    expect(() => loadConfig('intake', { NODE_ENV: 'production', TTHC_KEYS_SECRET: KEYS_SECRET })).toThrow(
      /TTHC_ADMIN_KEY/,
    );
    const production = { NODE_ENV: 'production', TTHC_ADMIN_KEY: 'a-long-secret-key', TTHC_KEYS_SECRET: KEYS_SECRET };
    expect(loadConfig('intake', production).adminKey).toBe('a-long-secret-key');
    expect(loadConfig('intake', production).adminKeys).toEqual(['a-long-secret-key']);
  });

  it('lists every invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig('intake', { MONGO_URL: 'postgres://x', PORT: 'abc', KAFKA_BROKERS: ' , ' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/MONGO_URL/);
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/KAFKA_BROKERS/);
  });
});

describe('scheduled reports configuration', () => {
  it('defaults to 01:00 on the 1st of each month, Asia/Ho_Chi_Minh', () => {
    expect(loadConfig('reporting', {}).scheduledReports).toEqual({ cron: '0 1 1 * *', timezone: 'Asia/Ho_Chi_Minh' });
  });

  it('reads SCHEDULED_REPORTS_CRON and SCHEDULED_REPORTS_TZ and refuses bad values', () => {
    expect(
      loadConfig('reporting', { SCHEDULED_REPORTS_CRON: '30 2 2 */1 *', SCHEDULED_REPORTS_TZ: 'UTC' }).scheduledReports,
    ).toEqual({ cron: '30 2 2 */1 *', timezone: 'UTC' });
    expect(() => loadConfig('reporting', { SCHEDULED_REPORTS_CRON: 'monthly' })).toThrow(/SCHEDULED_REPORTS_CRON/);
    expect(() => loadConfig('reporting', { SCHEDULED_REPORTS_TZ: 'Mars/Olympus' })).toThrow(/SCHEDULED_REPORTS_TZ/);
  });
});

describe('Kafka topic settings and transactions', () => {
  it('defaults to min.insync.replicas 1 and a pool of 4 transactional producers with a random instance id', () => {
    const config = loadConfig('intake', { KAFKA_TOPIC_PREFIX: 't.x.' });
    expect(config.kafka.minInsyncReplicas).toBe(1);
    expect(config.kafka.transactions.producers).toBe(4);
    expect(config.kafka.transactions.timeoutMs).toBe(60_000);
    expect(config.kafka.transactions.stableId).toBe(false);
    expect(config.kafka.transactions.idPrefix).toMatch(/^t\.x\.tthc\.intake\.[A-Za-z0-9._-]+\.[0-9a-f]{8}$/);
    // Two processes (or two services in one test process) never share transactional ids.
    expect(loadConfig('intake', {}).kafka.transactions.idPrefix).not.toBe(
      loadConfig('intake', {}).kafka.transactions.idPrefix,
    );
  });

  it('uses KAFKA_TRANSACTIONAL_ID as a stable instance id', () => {
    const config = loadConfig('intake', { KAFKA_TRANSACTIONAL_ID: 'intake-0', KAFKA_TRANSACTIONAL_PRODUCERS: '8' });
    expect(config.kafka.transactions).toMatchObject({
      idPrefix: 'tthc.intake.intake-0',
      stableId: true,
      producers: 8,
    });
    expect(() => loadConfig('intake', { KAFKA_TRANSACTIONAL_ID: 'a b' })).toThrow(/KAFKA_TRANSACTIONAL_ID/);
    expect(() => loadConfig('intake', { KAFKA_TRANSACTIONAL_PRODUCERS: '0' })).toThrow(/KAFKA_TRANSACTIONAL_PRODUCERS/);
    expect(() => loadConfig('intake', { KAFKA_TRANSACTIONAL_PRODUCERS: '65' })).toThrow(
      /KAFKA_TRANSACTIONAL_PRODUCERS/,
    );
  });

  it('refuses a min ISR above the replication factor and a transaction timeout under twice the produce timeout', () => {
    expect(
      loadConfig('intake', { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' }).kafka.minInsyncReplicas,
    ).toBe(2);
    expect(() => loadConfig('intake', { KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS: 2 is more than KAFKA_REPLICATION_FACTOR 1/,
    );
    expect(() => loadConfig('intake', { KAFKA_MIN_INSYNC_REPLICAS: '0' })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS/);
    expect(() =>
      loadConfig('intake', { KAFKA_PRODUCE_TIMEOUT_MS: '10000', KAFKA_TRANSACTION_TIMEOUT_MS: '15000' }),
    ).toThrow(/KAFKA_TRANSACTION_TIMEOUT_MS: 15000 must be at least twice/);
  });

  it('lists the cross-variable problems together with the production admin key and signing secret', () => {
    let error: unknown;
    try {
      loadConfig('intake', { NODE_ENV: 'production', KAFKA_MIN_INSYNC_REPLICAS: '3' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toHaveLength(3);
  });
});

describe('admin keys (TTHC_ADMIN_KEYS, TTHC_ADMIN_KEY)', () => {
  it('reads two admin keys for a rollover; the first is adminKey', () => {
    const config = loadConfig('intake', { TTHC_ADMIN_KEYS: ' new-admin-key-0001 , old-admin-key-0002 ' });
    expect(config.adminKeys).toEqual(['new-admin-key-0001', 'old-admin-key-0002']);
    expect(config.adminKey).toBe('new-admin-key-0001');
  });

  it('keeps TTHC_ADMIN_KEY as the single-key form, and the development default', () => {
    expect(loadConfig('intake', { TTHC_ADMIN_KEY: 'only-admin-key-01' }).adminKeys).toEqual(['only-admin-key-01']);
    expect(loadConfig('intake', {}).adminKeys).toEqual([DEVELOPMENT_ADMIN_KEY]);
  });

  it('refuses short, repeated or empty keys and both variables at once, without echoing a key', () => {
    const short = problemsOf({ TTHC_ADMIN_KEYS: 'good-admin-key-01,short-k3y' });
    expect(short).toMatch(/TTHC_ADMIN_KEYS: each value must be at least 12 characters/);
    expect(short).not.toContain('short-k3y');
    expect(short).not.toContain('good-admin-key-01');
    expect(problemsOf({ TTHC_ADMIN_KEYS: 'same-admin-key-01,same-admin-key-01' })).toMatch(/must not repeat/);
    expect(problemsOf({ TTHC_ADMIN_KEYS: ' , ' })).toMatch(/TTHC_ADMIN_KEYS: must hold at least one value/);
    const both = problemsOf({ TTHC_ADMIN_KEY: 'first-admin-key-1', TTHC_ADMIN_KEYS: 'second-admin-key-2' });
    expect(both).toMatch(/set one of them/);
    expect(both).not.toMatch(/first-admin-key-1|second-admin-key-2/);
    expect(problemsOf({ TTHC_ADMIN_KEY: 'tiny-k3y' })).not.toContain('tiny-k3y');
  });
});

describe('key-record signing secrets (TTHC_KEYS_SECRET)', () => {
  it('has a development default outside production only', () => {
    expect(loadConfig('intake', {}).keysSecrets).toEqual([DEVELOPMENT_KEYS_SECRET]);
    expect(DEVELOPMENT_KEYS_SECRET.length).toBeGreaterThanOrEqual(32);
    const production = problemsOf({ NODE_ENV: 'production', TTHC_ADMIN_KEY: 'a-long-secret-key' });
    expect(production).toMatch(/TTHC_KEYS_SECRET: required when NODE_ENV=production/);
  });

  it('reads a list for a rotation (the first signs) and refuses short ones without echoing them', () => {
    const other = 'o'.repeat(32);
    expect(loadConfig('intake', { TTHC_KEYS_SECRET: `${KEYS_SECRET},${other}` }).keysSecrets).toEqual([
      KEYS_SECRET,
      other,
    ]);
    const short = problemsOf({ TTHC_KEYS_SECRET: `${KEYS_SECRET},too-short-secret` });
    expect(short).toMatch(/TTHC_KEYS_SECRET: each value must be at least 32 characters/);
    expect(short).not.toContain('too-short-secret');
    expect(short).not.toContain(KEYS_SECRET);
  });

  it('must differ from the admin keys', () => {
    const same = 'shared-secret-and-admin-key-000000';
    const problems = problemsOf({ TTHC_ADMIN_KEY: same, TTHC_KEYS_SECRET: same });
    expect(problems).toMatch(/TTHC_KEYS_SECRET: must differ from every admin key/);
    expect(problems).not.toContain(same);
  });
});

describe('Kafka TLS and SASL', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const files: Record<string, string> = {
    '/etc/kafka/ca.pem': PEM,
    '/etc/kafka/client.pem': PEM,
    '/etc/kafka/key.pem': PEM,
  };
  const readFile = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
  const production = { NODE_ENV: 'production', TTHC_ADMIN_KEY: 'a-long-secret-key', TTHC_KEYS_SECRET: KEYS_SECRET };

  it('is PLAINTEXT without SASL by default (local runs)', () => {
    const kafka = loadConfig('intake', {}).kafka;
    expect(kafka.ssl).toBe(false);
    expect(kafka.sasl).toBeUndefined();
    expect(loadConfig('intake', {}).warnings).toEqual([]);
  });

  it('reads SCRAM credentials and TLS with a CA file', () => {
    const kafka = loadConfig(
      'intake',
      {
        ...production,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'tthc',
        KAFKA_SASL_PASSWORD: 'kafka-password',
      },
      readFile,
    ).kafka;
    expect(kafka.ssl).toEqual({ ca: PEM });
    expect(kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'tthc', password: 'kafka-password' });
  });

  it('reads TLS with the system CAs, and a client certificate with its key', () => {
    expect(loadConfig('intake', { KAFKA_SSL: 'true' }).kafka.ssl).toEqual({});
    expect(loadConfig('intake', { KAFKA_SSL: 'false' }).kafka.ssl).toBe(false);
    const mutual = loadConfig(
      'intake',
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem', KAFKA_SSL_KEY_FILE: '/etc/kafka/key.pem' },
      readFile,
    );
    expect(mutual.kafka.ssl).toEqual({ cert: PEM, key: PEM });
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem' }, readFile)).toMatch(
      /a client certificate needs both/,
    );
  });

  it('refuses a mechanism without credentials, credentials without a mechanism, an unknown mechanism', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' })).toMatch(
      /KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: both required/,
    );
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toMatch(
      /KAFKA_SASL_MECHANISM: required with/,
    );
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi' })).toMatch(
      /KAFKA_SASL_MECHANISM: must be scram-sha-256, scram-sha-512 or plain/,
    );
  });

  it('refuses SASL without TLS in production; allows it outside production', () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'the-password' };
    const problems = problemsOf({ ...production, ...sasl });
    expect(problems).toMatch(/SASL without KAFKA_SSL=true is refused in production/);
    expect(problems).not.toContain('the-password');
    expect(loadConfig('intake', sasl).kafka.sasl?.mechanism).toBe('plain');
  });

  it('warns about PLAINTEXT without SASL in production', () => {
    expect(loadConfig('intake', production).warnings).toEqual([expect.stringMatching(/PLAINTEXT without SASL/)]);
  });

  it('refuses unreadable or non-PEM files and TLS files without KAFKA_SSL, naming the file only', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nope.pem' }, readFile)).toMatch(
      /KAFKA_SSL_CA_FILE: cannot read \/nope.pem \(ENOENT\)/,
    );
    const secretText = 'not a certificate but a secret';
    const notPem = problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/x' }, () => secretText);
    expect(notPem).toMatch(/KAFKA_SSL_CA_FILE: \/x is not a PEM file/);
    expect(notPem).not.toContain(secretText);
    expect(problemsOf({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, readFile)).toMatch(
      /KAFKA_SSL_CA_FILE: only with KAFKA_SSL=true/,
    );
    expect(problemsOf({ KAFKA_SSL: 'yes' })).toMatch(/KAFKA_SSL: must be true or false/);
  });

  it('never echoes the SASL password or the admin key in any configuration error', () => {
    const env = {
      NODE_ENV: 'production',
      TTHC_ADMIN_KEY: 'short-adm',
      TTHC_KEYS_SECRET: 'short-signing',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_PASSWORD: 'pa55word-secret',
      PORT: 'abc',
    };
    const problems = problemsOf(env);
    expect(problems).toMatch(/PORT/);
    for (const secret of ['short-adm', 'short-signing', 'pa55word-secret']) expect(problems).not.toContain(secret);
  });
});

describe('log format', () => {
  it('is JSON in production and pretty text elsewhere unless LOG_FORMAT says otherwise', () => {
    expect(
      loadConfig('intake', {
        NODE_ENV: 'production',
        TTHC_ADMIN_KEY: 'a-long-admin-key',
        TTHC_KEYS_SECRET: KEYS_SECRET,
      }).logFormat,
    ).toBe('json');
    expect(loadConfig('intake', {}).logFormat).toBe('pretty');
    expect(loadConfig('intake', { LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(
      loadConfig('intake', {
        NODE_ENV: 'production',
        TTHC_ADMIN_KEY: 'a-long-admin-key',
        TTHC_KEYS_SECRET: KEYS_SECRET,
        LOG_FORMAT: 'pretty',
      }).logFormat,
    ).toBe('pretty');
    expect(() => loadConfig('intake', { LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
