import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS } from '@tthc/contracts';
import { HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { classify } from '../domain/classify';
import { ClassifiedDossierRepository } from '../persistence/classified-dossier.repository';

/** Classifies each dossier's newest snapshot; older or repeated versions change nothing. */
@HandlesTopic(DOSSIER_FACTS)
@Injectable()
export class DossierFactsHandler implements TopicBatchHandler<typeof DOSSIER_FACTS> {
  constructor(private readonly repository: ClassifiedDossierRepository) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    await this.repository.saveNewer(
      messages.flatMap(({ value: fact }) => {
        if (fact === null) return [];
        const classification = classify(fact.dossier);
        return [
          {
            _id: fact.dossierCode,
            version: fact.version,
            snapshot: fact.dossier,
            outcome: classification.outcome,
            withdrawn: classification.withdrawn,
            voided: fact.dossier.status === 'voided',
          },
        ];
      }),
    );
  }
}
