import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS, DOSSIER_OUTCOMES } from '@tthc/contracts';
import { ContractProducer, HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { classifiedDossierOf, outcomeMessageOf } from '../domain/classified';
import { OnTimeRateLedger } from '../persistence/on-time-rate-ledger';

/**
 * Classifies each dossier's newest snapshot, publishes the classification for reporting, then
 * moves the counters by the change of its contribution; older or repeated versions change
 * nothing. Publishing comes first so a failure after it only republishes (reporting keeps the
 * highest version), never skips a dossier.
 */
@HandlesTopic(DOSSIER_FACTS)
@Injectable()
export class DossierFactsHandler implements TopicBatchHandler<typeof DOSSIER_FACTS> {
  constructor(
    private readonly ledger: OnTimeRateLedger,
    private readonly producer: ContractProducer,
  ) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    const dossiers = messages.flatMap(({ value }) => (value === null ? [] : [classifiedDossierOf(value)]));
    const newer = await this.ledger.newer(dossiers);
    if (newer.length === 0) return;
    const emittedAt = new Date().toISOString();
    await this.producer.send(
      DOSSIER_OUTCOMES,
      newer.map(({ document }) => ({ key: document._id, value: outcomeMessageOf(document, 0, emittedAt) })),
    );
    await this.ledger.apply(newer.map(({ document }) => document));
  }
}
