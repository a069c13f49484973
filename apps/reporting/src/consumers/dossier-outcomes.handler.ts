import { Injectable } from '@nestjs/common';
import { DOSSIER_OUTCOMES } from '@tthc/contracts';
import { HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { reportDossierOf } from '../persistence/report-dossier';
import { ReportingLedger } from '../persistence/reporting-ledger';

/** Moves reporting's counters by each classified dossier's newest contribution (older or repeated ones change nothing). */
@HandlesTopic(DOSSIER_OUTCOMES)
@Injectable()
export class DossierOutcomesHandler implements TopicBatchHandler<typeof DOSSIER_OUTCOMES> {
  constructor(private readonly ledger: ReportingLedger) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_OUTCOMES>[]): Promise<void> {
    await this.ledger.apply(messages.flatMap(({ value }) => (value === null ? [] : [reportDossierOf(value)])));
  }
}
