import type { DynamicModule } from '@nestjs/common';
import type { AppConfig, ServiceName } from '@tthc/config';
import mongoose from 'mongoose';
import {
  call,
  mongoUrlFor,
  startService,
  testConfig,
  waitFor,
  type RunningService,
  type TestNamespace,
} from '@tthc/testing';
import { DossierTrackingModule } from '../../apps/dossier-tracking/src/dossier-tracking.module';
import { IntakeModule } from '../../apps/intake/src/intake.module';
import { OnTimeRateModule } from '../../apps/on-time-rate/src/on-time-rate.module';
import { ReportingModule } from '../../apps/reporting/src/reporting.module';

const MODULES: Record<ServiceName, (config: AppConfig) => DynamicModule> = {
  intake: (config) => IntakeModule.forRoot(config),
  'dossier-tracking': (config) => DossierTrackingModule.forRoot(config),
  'on-time-rate': (config) => OnTimeRateModule.forRoot(config),
  reporting: (config) => ReportingModule.forRoot(config),
};

/** The four services in one namespace, in the test process, against the real servers. */
export class Stack {
  readonly services = new Map<ServiceName, RunningService>();

  constructor(
    readonly namespace: TestNamespace,
    private readonly env: Partial<Record<ServiceName, Record<string, string>>> = {},
  ) {}

  url(service: ServiceName): string {
    const running = this.services.get(service);
    if (running === undefined) throw new Error(`${service} is not running`);
    return running.url;
  }

  async start(service: ServiceName): Promise<RunningService> {
    const config = testConfig(service, this.namespace, this.env[service] ?? {});
    const running = await startService(config, MODULES[service](config));
    this.services.set(service, running);
    return running;
  }

  async startAll(): Promise<void> {
    for (const service of ['intake', 'dossier-tracking', 'on-time-rate', 'reporting'] as const)
      await this.start(service);
  }

  async stop(service: ServiceName): Promise<void> {
    await this.services.get(service)?.close();
    this.services.delete(service);
  }

  /** Stops every service and drops the namespace's database (the in-memory stand-in keeps it on its heap). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.services.keys()].map((service) => this.stop(service)));
    const db = await mongoose.createConnection(mongoUrlFor(this.namespace)).asPromise();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }

  /** Uploads reference data through intake's public API. */
  async putReference(reference: { agencies: unknown[]; fields: unknown[]; procedures: unknown[] }): Promise<void> {
    for (const [path, body] of [
      ['agencies', reference.agencies],
      ['fields', reference.fields],
      ['procedures', reference.procedures],
    ] as const) {
      const answer = await call(`${this.url('intake')}/v1/reference/${path}`, { method: 'PUT', body });
      if (answer.status !== 200) throw new Error(`PUT ${path}: ${answer.status} ${answer.text}`);
    }
  }

  /** Posts events to intake as NDJSON batches of 1,000 (a few in flight), retrying 429/503. */
  async postEvents(events: readonly unknown[], options: { key?: string; concurrency?: number } = {}): Promise<void> {
    const batches: string[] = [];
    for (let index = 0; index < events.length; index += 1000)
      batches.push(
        events
          .slice(index, index + 1000)
          .map((event) => JSON.stringify(event))
          .join('\n'),
      );
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const raw = batches[next++] as string;
        for (let attempt = 1; ; attempt++) {
          const answer = await call(`${this.url('intake')}/v1/events`, {
            raw,
            contentType: 'application/x-ndjson',
            ...(options.key === undefined ? {} : { key: options.key }),
          });
          if (answer.status === 202) break;
          if ((answer.status === 429 || answer.status === 503) && attempt < 20) {
            await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
            continue;
          }
          throw new Error(`POST /v1/events: ${answer.status} ${answer.text.slice(0, 500)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 3 }, worker));
  }

  /**
   * Waits until reporting's summary of `period` has the oracle's received, resolved and pending
   * totals (figures that no counting policy changes): every posted event has gone through.
   */
  async waitForSummary(
    period: { from: string; to: string },
    expected: { received: { new: number }; resolved: { total: number }; pending: { total: number } },
    timeoutMs: number,
  ): Promise<void> {
    await waitFor(
      async () => {
        const answer = await call(
          `${this.url('reporting')}/v1/reports/summary?${new URLSearchParams(period).toString()}`,
        );
        const body = answer.body as typeof expected;
        return answer.status === 200 &&
          body.received.new === expected.received.new &&
          body.resolved.total === expected.resolved.total &&
          body.pending.total === expected.pending.total
          ? true
          : undefined;
      },
      { what: 'reporting to reflect every posted event', timeoutMs },
    );
  }
}
