import { kafkaSecurityOptions } from './kafka-client';

describe('kafkaSecurityOptions', () => {
  it('is PLAINTEXT without SASL when nothing is configured', () => {
    expect(kafkaSecurityOptions({ ssl: false })).toEqual({});
  });

  it('uses the system CAs, or the given CA and client certificate, verifying the brokers', () => {
    expect(kafkaSecurityOptions({ ssl: {} })).toEqual({ ssl: true });
    expect(kafkaSecurityOptions({ ssl: { ca: 'CA', cert: 'CERT', key: 'KEY' } })).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['CA'], cert: 'CERT', key: 'KEY' },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('passes SASL %s with its credentials', (mechanism) => {
    expect(kafkaSecurityOptions({ ssl: {}, sasl: { mechanism, username: 'u', password: 'p' } })).toEqual({
      ssl: true,
      sasl: { mechanism, username: 'u', password: 'p' },
    });
  });
});
