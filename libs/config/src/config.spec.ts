import { ConfigError, DEVELOPMENT_ADMIN_KEY, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives each service its CONTRACT §1 port and the local defaults', () => {
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
    expect(() => loadConfig('intake', { NODE_ENV: 'production' })).toThrow(/TTHC_ADMIN_KEY/);
    expect(loadConfig('intake', { NODE_ENV: 'production', TTHC_ADMIN_KEY: 'a-long-secret-key' }).adminKey).toBe(
      'a-long-secret-key',
    );
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

  it('lists the cross-variable problems together with the production admin key', () => {
    let error: unknown;
    try {
      loadConfig('intake', { NODE_ENV: 'production', KAFKA_MIN_INSYNC_REPLICAS: '3' });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems).toHaveLength(2);
  });
});
