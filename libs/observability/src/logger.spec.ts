import { logLevelsUpTo, logRecord, ServiceLogger, stringifyLogRecord } from './logger';
import { runWithRequestContext } from './request-context';

const NOW = new Date('2017-03-14T02:12:00.000Z');

describe('logRecord', () => {
  it('has an ISO UTC time, level (log → info), service, context, request id and message', () => {
    expect(
      logRecord({ now: NOW, level: 'log', service: 'reporting', context: 'x', requestId: 'r', message: 'hello' }),
    ).toEqual({
      time: '2017-03-14T02:12:00.000Z',
      level: 'info',
      service: 'reporting',
      context: 'x',
      requestId: 'r',
      message: 'hello',
    });
  });

  it('spreads a plain-object message, which cannot overwrite time, level or service', () => {
    const record = logRecord({
      now: NOW,
      level: 'warn',
      service: 'intake',
      message: { msg: 'request', status: 200, time: 'forged', level: 'forged', service: 'forged' },
    });
    expect(record).toEqual({
      time: NOW.toISOString(),
      level: 'warn',
      service: 'intake',
      message: 'request',
      status: 200,
    });
  });

  it('keeps an error stack and leaves out what is absent', () => {
    const record = logRecord({
      now: NOW,
      level: 'error',
      service: 's',
      context: '',
      message: 'boom',
      stack: 'Error: boom\n  at x',
    });
    expect(record).toEqual({
      time: NOW.toISOString(),
      level: 'error',
      service: 's',
      message: 'boom',
      stack: 'Error: boom\n  at x',
    });
  });
});

describe('stringifyLogRecord', () => {
  it('writes one line whatever the fields hold', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const line = stringifyLogRecord({
      time: 't',
      level: 'error',
      service: 's',
      message: 'm',
      big: 10n,
      error: new Error('multi\nline'),
      cyclic,
    });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed.big).toBe('10');
    expect(parsed.error).toMatchObject({ name: 'Error', message: 'multi\nline' });
    expect(parsed.cyclic).toEqual({ a: 1, self: '[circular]' });
  });
});

describe('logLevelsUpTo', () => {
  it('keeps the level and every more severe one', () => {
    expect(logLevelsUpTo('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(logLevelsUpTo('verbose')).toHaveLength(6);
  });
});

describe('ServiceLogger', () => {
  function capture(run: () => void): string[] {
    const out: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      }),
    );
    try {
      run();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    return out;
  }

  it('writes JSON lines carrying the current request id, and drops levels below LOG_LEVEL', () => {
    const logger = new ServiceLogger('on-time-rate', { format: 'json', level: 'log' });
    const out = capture(() =>
      runWithRequestContext({ requestId: 'req-9' }, () => {
        logger.log('kept', 'ctx');
        logger.debug('dropped', 'ctx');
        logger.error('failed', 'Error: failed\n    at here', 'ctx');
      }),
    );
    expect(out).toHaveLength(2);
    const [info, error] = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(info).toMatchObject({
      level: 'info',
      service: 'on-time-rate',
      context: 'ctx',
      requestId: 'req-9',
      message: 'kept',
    });
    expect(error).toMatchObject({ level: 'error', message: 'failed', stack: 'Error: failed\n    at here' });
  });

  it('writes text with an ISO UTC time in pretty mode', () => {
    const logger = new ServiceLogger('intake', { format: 'pretty', level: 'log' });
    const [line] = capture(() => logger.warn('careful', 'ctx'));
    expect(line).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(line).toContain('careful');
    expect(() => JSON.parse(line ?? '')).toThrow();
  });
});
