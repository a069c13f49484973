import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@tthc/observability';
import { DeadLetterRepository } from './dead-letter.repository';

/** How long a scrape waits for MongoDB before showing the last known counts. */
const COUNT_TIMEOUT_MS = 2000;

/** `tthc_dead_letters_open{topic}`: open dead letters of the service, counted at each scrape. */
@Injectable()
export class DeadLetterMetrics {
  private readonly logger = new Logger(DeadLetterMetrics.name);
  private last = new Map<string, number>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, repository: DeadLetterRepository) {
    const counts = () => this.counts(repository);
    new Gauge({
      name: 'tthc_dead_letters_open',
      help: 'Dead letters of this service waiting for an operator (status open), per source topic',
      labelNames: ['topic'],
      registers: [registry],
      async collect() {
        const open = await counts();
        this.reset();
        for (const [topic, count] of open) this.set({ topic }, count);
      },
    });
  }

  private async counts(repository: DeadLetterRepository): Promise<Map<string, number>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      this.last = await Promise.race([
        repository.openCountsByTopic(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${COUNT_TIMEOUT_MS} ms`)), COUNT_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      this.logger.debug(`open dead letters not counted, showing the last count: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
    return this.last;
  }
}
