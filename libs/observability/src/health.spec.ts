import { HealthRegistry } from './health';

describe('HealthRegistry', () => {
  it('is ready only when every indicator is ok', async () => {
    const registry = new HealthRegistry();
    registry.register({ name: 'kafka', check: () => Promise.resolve({ ok: true }) });
    registry.register({ name: 'mongo', check: () => Promise.resolve({ ok: true }) });
    expect((await registry.checkAll()).ok).toBe(true);
    registry.register({ name: 'redis', check: () => Promise.resolve({ ok: false, detail: 'ECONNREFUSED' }) });
    const result = await registry.checkAll();
    expect(result.ok).toBe(false);
    expect(result.checks['redis']).toEqual({ ok: false, detail: 'ECONNREFUSED' });
  });

  it('treats a throwing or hanging check as not ready', async () => {
    const registry = new HealthRegistry();
    registry.register({ name: 'throws', check: () => Promise.reject(new Error('boom')) });
    registry.register({ name: 'hangs', check: () => new Promise(() => undefined) });
    const result = await registry.checkAll(50);
    expect(result.ok).toBe(false);
    expect(result.checks['throws']?.detail).toBe('boom');
    expect(result.checks['hangs']?.detail).toMatch(/no answer/);
  });

  it('is not ready with no indicator at all', async () => {
    expect((await new HealthRegistry().checkAll()).ok).toBe(false);
  });
});
