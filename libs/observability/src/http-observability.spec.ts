import {
  Controller,
  Get,
  HttpException,
  Logger,
  Module,
  Param,
  Post,
  Req,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ConfigModule, loadConfig } from '@tthc/config';
import type { Request } from 'express';
import { createService, readJson } from '@tthc/http';
import { METRICS_REGISTRY } from './metrics';
import { ObservabilityModule } from './observability.module';
import { currentRequestId } from './request-context';

/**
 * libs/http's createService with this lib's request ids, HTTP metrics and access log, on a real
 * HTTP port (no Kafka, MongoDB or Redis involved).
 */

@Controller('v1/things')
class ThingsController {
  private readonly logger = new Logger('things');

  @Get(':code')
  get(@Param('code') code: string, @Req() request: { principal?: { id: string } }) {
    request.principal = { id: 'desk-7' };
    this.logger.warn(`looked at ${code}`);
    return { code, requestId: currentRequestId() };
  }

  @Post('fail')
  fail() {
    throw new HttpException('nope', 503);
  }

  /** Reads its own body with a cap, as every route does (libs/http): 413 above 1 KiB. */
  @Post('upload')
  async upload(@Req() request: Request) {
    return { got: await readJson(request, 1024) };
  }
}

@Module({})
class TestModule {
  static forRoot(): DynamicModule {
    return {
      module: TestModule,
      imports: [ConfigModule.forRoot(CONFIG), ObservabilityModule],
      controllers: [ThingsController],
    };
  }
}

let app: INestApplication;
let base: string;
const lines: string[] = [];
const spies: jest.SpyInstance[] = [];
const CONFIG = loadConfig('intake', { LOG_FORMAT: 'json', LOG_LEVEL: 'log', PORT: '0' });

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    spies.push(
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(
          ...String(chunk)
            .split('\n')
            .filter((line) => line !== ''),
        );
        return true;
      }),
    );
  }
  app = await createService(CONFIG, TestModule.forRoot(), { title: 't', description: 't' });
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as { address(): { port: number } }).address();
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app.close();
  for (const spy of spies) spy.mockRestore();
});

const records = () =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

async function metricsText(): Promise<string> {
  return app.get<Registry>(METRICS_REGISTRY).metrics();
}

describe('request ids', () => {
  it('echoes a valid X-Request-Id and makes it the context of the request', async () => {
    const response = await fetch(`${base}/v1/things/A-1`, { headers: { 'X-Request-Id': 'req-abc-1' } });
    expect(response.headers.get('x-request-id')).toBe('req-abc-1');
    expect(await response.json()).toEqual({ code: 'A-1', requestId: 'req-abc-1' });
  });

  it('takes the trace id of a traceparent, or creates one', async () => {
    const traced = await fetch(`${base}/v1/things/A-2`, {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(traced.headers.get('x-request-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const fresh = await fetch(`${base}/v1/things/A-3`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('are JSON lines with an ISO UTC time, level, service, context and the request id', async () => {
    await fetch(`${base}/v1/things/B-1`, {
      headers: { 'X-Request-Id': 'req-log-1', Authorization: 'Bearer s3cr3t-key' },
    });
    const mine = records().filter((record) => record.requestId === 'req-log-1');
    const warning = mine.find((record) => record.context === 'things');
    expect(warning).toMatchObject({ level: 'warn', service: 'intake', message: 'looked at B-1' });
    expect(String(warning?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // One access line: method, route template, status, duration, key id — never the key.
    const access = mine.filter((record) => record.message === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      level: 'info',
      context: 'http',
      method: 'GET',
      route: '/v1/things/:code',
      status: 200,
      keyId: 'desk-7',
    });
    expect(typeof access[0]?.durationMs).toBe('number');
    expect(lines.join('\n')).not.toContain('s3cr3t-key');
  });
});

describe('HTTP metrics', () => {
  it('count and time requests by route template and status, unmatched paths under one label', async () => {
    await fetch(`${base}/v1/things/C-1`);
    await fetch(`${base}/v1/things/C-2`);
    expect((await fetch(`${base}/v1/things/fail`, { method: 'POST' })).status).toBe(503);
    expect((await fetch(`${base}/no/such/path/123`)).status).toBe(404);
    const tooLarge = await fetch(`${base}/v1/things/upload`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify('x'.repeat(4096)),
    });
    expect(tooLarge.status).toBe(413);
    const text = await metricsText();
    const count = (labels: string) =>
      Number(new RegExp(`^tthc_http_requests_total\\{${labels}[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(count('method="GET",route="/v1/things/:code",status="200"')).toBeGreaterThanOrEqual(2);
    expect(count('method="POST",route="/v1/things/fail",status="503"')).toBe(1);
    expect(count('method="GET",route="unmatched",status="404"')).toBe(1);
    expect(count('method="POST",route="/v1/things/upload",status="413"')).toBe(1);
    expect(text).not.toContain('C-1');
    expect(text).toMatch(/^tthc_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/things\/:code"/m);
    expect(text).toMatch(/service="intake"/);
  });
});
