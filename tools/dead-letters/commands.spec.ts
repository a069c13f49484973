import { formatAnswer, planCall, UsageError } from './commands';

const common = ['--service', 'http://127.0.0.1:3002/', '--key', 'k-123'];
const id = 'tthc.dossier-events.v1|0|41|tthc.dossier-tracking';

describe('dead-letters CLI: command line → HTTP call', () => {
  it('lists with filters', () => {
    expect(planCall(['list', ...common, '--status', 'open', '--topic', 'tthc.dossier-events.v1'])).toEqual({
      command: 'list',
      method: 'GET',
      path: '/v1/admin/dead-letters?topic=tthc.dossier-events.v1&status=open',
      service: 'http://127.0.0.1:3002',
      key: 'k-123',
      json: false,
    });
    expect(planCall(['list', ...common]).path).toBe('/v1/admin/dead-letters');
  });

  it('shows, redrives and discards one letter by its URL-encoded id', () => {
    const encoded = encodeURIComponent(id);
    expect(planCall(['show', id, ...common])).toMatchObject({
      method: 'GET',
      path: `/v1/admin/dead-letters/${encoded}`,
    });
    expect(planCall(['redrive', id, ...common])).toMatchObject({
      command: 'redrive',
      method: 'POST',
      path: `/v1/admin/dead-letters/${encoded}/redrive`,
    });
    expect(planCall(['discard', id, ...common])).toMatchObject({
      method: 'POST',
      path: `/v1/admin/dead-letters/${encoded}/discard`,
    });
  });

  it('redrives a whole topic', () => {
    expect(planCall(['redrive', ...common, '--topic', 'tthc.dossier-facts.v1'])).toMatchObject({
      command: 'redrive-topic',
      method: 'POST',
      path: '/v1/admin/dead-letters/redrive?topic=tthc.dossier-facts.v1',
    });
  });

  it('takes the key from TTHC_ADMIN_KEY when --key is missing', () => {
    expect(planCall(['list', '--service', 'http://h:1'], { TTHC_ADMIN_KEY: 'from-env' }).key).toBe('from-env');
  });

  it('refuses bad command lines with a reason', () => {
    const refused = (argv: string[], message: RegExp) => {
      expect(() => planCall(argv)).toThrow(UsageError);
      expect(() => planCall(argv)).toThrow(message);
    };
    refused(['list', '--key', 'k'], /--service/);
    refused(['list', '--service', 'http://h:1'], /--key/);
    refused([...common], /command is required/);
    refused(['purge', ...common], /unknown command purge/);
    refused(['show', ...common], /needs the id/);
    refused(['redrive', ...common], /--topic/);
    refused(['redrive', id, '--topic', 't', ...common], /not both/);
    refused(['list', ...common, '--colour'], /colour/);
  });
});

describe('dead-letters CLI: output', () => {
  const letter = {
    id,
    status: 'redriven',
    attempts: 5,
    firstFailedAt: '2026-01-01T00:00:00.000Z',
    error: 'Error: boom',
    value: '{"a":1}',
    redrive: { topic: 'tthc.dossier-events.v1', partition: 0, offset: '99' },
  };
  const call = (command: string) => planCall([command, ...(command === 'list' ? [] : [id]), ...common]);

  it('prints one line per letter, with where a redrive published it', () => {
    const text = formatAnswer(call('list'), { total: 3, items: [letter] });
    expect(text.split('\n')[0]).toBe('1 of 3 dead letter(s)');
    expect(text).toContain(`${id}  (5 attempt(s): Error: boom)  → tthc.dossier-events.v1[0]@99`);
    expect(formatAnswer(call('show'), letter)).toContain('value: {"a":1}');
  });

  it('summarises a topic redrive and prints JSON on request', () => {
    const planned = planCall(['redrive', ...common, '--topic', 't']);
    const text = formatAnswer(planned, {
      topic: 't',
      open: 2,
      redriven: [letter],
      refused: [{ id: 'x', detail: 'no' }],
    });
    expect(text).toMatch(/^t: 1 of 2 open dead letter\(s\) redriven, 1 refused/);
    expect(text).toContain('refused    x: no');
    expect(JSON.parse(formatAnswer({ ...planned, json: true }, { a: 1 }))).toEqual({ a: 1 });
  });
});
