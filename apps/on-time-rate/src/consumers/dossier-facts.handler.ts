import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS } from '@tthc/contracts';
import { HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { CounterLedger } from '../persistence/counter-ledger';

/**
 * Classifies each dossier's newest snapshot and moves the counters by the change of its
 * contribution; older or repeated versions change nothing.
 */
@HandlesTopic(DOSSIER_FACTS)
@Injectable()
export class DossierFactsHandler implements TopicBatchHandler<typeof DOSSIER_FACTS> {
  constructor(private readonly ledger: CounterLedger) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    await this.ledger.applyFacts(messages.flatMap(({ value }) => (value === null ? [] : [value])));
  }
}
