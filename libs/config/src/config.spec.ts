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

describe('log format', () => {
  it('is JSON in production and pretty text elsewhere unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig('intake', { NODE_ENV: 'production', TTHC_ADMIN_KEY: 'a-long-admin-key' }).logFormat).toBe('json');
    expect(loadConfig('intake', {}).logFormat).toBe('pretty');
    expect(loadConfig('intake', { LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(
      loadConfig('intake', { NODE_ENV: 'production', TTHC_ADMIN_KEY: 'a-long-admin-key', LOG_FORMAT: 'pretty' })
        .logFormat,
    ).toBe('pretty');
    expect(() => loadConfig('intake', { LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
