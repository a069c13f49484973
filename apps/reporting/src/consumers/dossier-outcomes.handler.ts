import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DOSSIER_OUTCOMES } from '@tthc/contracts';
import type { ConsumedMessage } from '@tthc/kafka';
import { reportDossierOf } from '../persistence/report-dossier';
import { ReportingLedger } from '../persistence/reporting-ledger';
import { ReportingMeta } from '../persistence/reporting-meta';
import { CounterCache } from '../reports/counter-cache';

/** Moves reporting's counters by each classified dossier's newest contribution (older or repeated ones change nothing). */
@Controller()
export class DossierOutcomesHandler {
  constructor(
    private readonly ledger: ReportingLedger,
    private readonly meta: ReportingMeta,
    private readonly cache: CounterCache,
  ) {}

  @EventPattern(DOSSIER_OUTCOMES.name)
  async handleBatch(@Payload() messages: readonly ConsumedMessage<typeof DOSSIER_OUTCOMES>[]): Promise<void> {
    const documents = messages.flatMap(({ value }) => (value === null ? [] : [reportDossierOf(value)]));
    // Serialised with the counter cache's reloads, so a reload never sees half of this process's journal.
    await this.cache.serialised(async () => {
      const applied = await this.ledger.apply(documents);
      const newest = applied.reduce<string | null>(
        (max, doc) => (max === null || doc.emittedAt > max ? doc.emittedAt : max),
        null,
      );
      if (newest !== null) {
        await this.meta.noteDataAsOf(newest);
        this.cache.noteDataAsOf(newest);
      }
    });
  }
}
