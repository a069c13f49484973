import { Injectable } from '@nestjs/common';

export interface HealthResult {
  ok: boolean;
  detail?: string;
}

/** One dependency the readiness probe checks (Kafka, MongoDB, Redis, a consumer…). */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<HealthResult>;
}

/** Collects the indicators that the libs register; `/health/ready` asks all of them. */
@Injectable()
export class HealthRegistry {
  private readonly indicators = new Map<string, HealthIndicator>();

  register(indicator: HealthIndicator): void {
    this.indicators.set(indicator.name, indicator);
  }

  names(): string[] {
    return [...this.indicators.keys()];
  }

  async checkAll(timeoutMs = 3000): Promise<{ ok: boolean; checks: Record<string, HealthResult> }> {
    const entries = await Promise.all(
      [...this.indicators.values()].map(async (indicator): Promise<[string, HealthResult]> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const result = await Promise.race([
            indicator.check(),
            new Promise<HealthResult>((resolve) => {
              timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
            }),
          ]);
          return [indicator.name, result];
        } catch (error) {
          return [indicator.name, { ok: false, detail: error instanceof Error ? error.message : String(error) }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.length > 0 && entries.every(([, result]) => result.ok), checks };
  }
}
