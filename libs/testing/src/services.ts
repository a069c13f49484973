import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@tthc/config';
import { createService, startMessageTransports, type ServiceOptions } from '@tthc/http';

/** A service booted in the test process on a random port. */
export interface RunningService {
  app: INestApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

export async function startService(
  config: AppConfig,
  module: DynamicModule,
  options: Partial<ServiceOptions> = {},
): Promise<RunningService> {
  const app = await createService(config, module, {
    title: config.service,
    description: 'under test',
    ...options,
  });
  try {
    await startMessageTransports(app);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const server = app.getHttpServer() as { address(): AddressInfo };
  const address = server.address();
  return { app, url: `http://127.0.0.1:${address.port}`, config, close: () => app.close() };
}

export interface WaitOptions {
  timeoutMs?: number;
  /** What is awaited, for the failure message. */
  what: string;
}

/**
 * Waits until `probe` returns a value other than undefined, checking with a growing pause
 * (25 ms doubling to 1 s) up to a deadline; fails with the last observation.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let pause = 25;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(1000, pause * 2);
  }
}
