import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DOSSIER_FACTS, DOSSIER_OUTCOMES } from '@tthc/contracts';
import { ContractProducer, type ConsumedMessage } from '@tthc/kafka';
import { CountingContext } from '../counting/counting-context';
import { classifiedDossierOf, outcomeMessageOf } from '../domain/classified';
import { CountingState } from '../persistence/counting-state';
import { OnTimeRateLedger } from '../persistence/on-time-rate-ledger';

/**
 * Classifies each dossier's newest snapshot under the configured counting policies, publishes the
 * classification for reporting with the current counting revision, then moves the counters by the
 * change of its contribution; older or repeated versions change nothing. Publishing comes first so
 * a failure after it only republishes (reporting keeps the highest (version, revision)), never
 * skips a dossier. Other replicas, a zombie of this partition and a rebuild's corrections are kept
 * apart by the ledger (one claimed journal at a time per partition, libs/counting).
 */
@Controller()
export class DossierFactsHandler {
  constructor(
    private readonly ledger: OnTimeRateLedger,
    private readonly producer: ContractProducer,
    private readonly counting: CountingContext,
    private readonly state: CountingState,
  ) {}

  @EventPattern(DOSSIER_FACTS.name)
  async handleBatch(@Payload() messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    const revision = await this.state.revision();
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
  }
}
