import { MAX_REQUEST_BYTES, requestsOf } from './contract-producer';

const message = (index: number, bytes: number) => ({ key: `k${index}`, value: 'x'.repeat(bytes) });

describe('requestsOf (produce requests under the broker batch limit)', () => {
  it('keeps a small send in one request', () => {
    const messages = Array.from({ length: 100 }, (_, index) => message(index, 100));
    expect(requestsOf(messages)).toEqual([messages]);
  });

  it('splits a large send into requests under the limit, keeping every message once and in order', () => {
    const messages = Array.from({ length: 3000 }, (_, index) => message(index, 1500));
    const requests = requestsOf(messages);
    expect(requests.length).toBeGreaterThan(5);
    for (const request of requests) {
      const bytes = request.reduce((sum, m) => sum + m.key.length + m.value.length + 64, 0);
      expect(bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
    expect(requests.flat()).toEqual(messages);
  });

  it('sends a message larger than the limit alone', () => {
    const messages = [message(0, 10), message(1, 2000), message(2, 10)];
    expect(requestsOf(messages, 1000).map((request) => request.map((m) => m.key))).toEqual([['k0'], ['k1'], ['k2']]);
  });
});
