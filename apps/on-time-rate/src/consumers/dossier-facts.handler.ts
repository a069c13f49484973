import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS, DOSSIER_OUTCOMES } from '@tthc/contracts';
import { ContractProducer, HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { CountingContext } from '../counting/counting-context';
import { classifiedDossierOf, outcomeMessageOf } from '../domain/classified';
import { OnTimeRateLedger } from '../persistence/on-time-rate-ledger';
import { FactGate } from '../rebuild/fact-gate';

/**
 * Classifies each dossier's newest snapshot under the configured counting policies, publishes the
 * classification for reporting with the current counting revision, then moves the counters by the
 * change of its contribution; older or repeated versions change nothing. Publishing comes first so
 * a failure after it only republishes (reporting keeps the highest (revision, version)), never
 * skips a dossier. A batch waits while a rebuild applies corrections (FactGate).
 */
@HandlesTopic(DOSSIER_FACTS)
@Injectable()
export class DossierFactsHandler implements TopicBatchHandler<typeof DOSSIER_FACTS> {
  constructor(
    private readonly ledger: OnTimeRateLedger,
    private readonly producer: ContractProducer,
    private readonly counting: CountingContext,
    private readonly gate: FactGate,
  ) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    await this.gate.pass(async (revision) => {
      const context = { policies: this.counting.policies, calendar: this.counting.calendar(), revision };
      const dossiers = messages.flatMap(({ value }) => (value === null ? [] : [classifiedDossierOf(value, context)]));
      await this.ledger.apply(dossiers, {
        beforeWriting: async (newer) => {
          const emittedAt = new Date().toISOString();
          await this.producer.send(
            DOSSIER_OUTCOMES,
            newer.map((document) => ({ key: document._id, value: outcomeMessageOf(document, revision, emittedAt) })),
          );
        },
      });
    });
  }
}
