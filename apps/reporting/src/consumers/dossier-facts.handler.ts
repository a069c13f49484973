import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS } from '@tthc/contracts';
import { HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { ReportDossierRepository } from '../persistence/report-dossier.repository';

/** Keeps reporting's copy of each dossier at its newest version. */
@HandlesTopic(DOSSIER_FACTS)
@Injectable()
export class ReportingFactsHandler implements TopicBatchHandler<typeof DOSSIER_FACTS> {
  constructor(private readonly repository: ReportDossierRepository) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    await this.repository.saveNewer(
      messages.flatMap(({ value: fact }) =>
        fact === null
          ? []
          : [
              {
                _id: fact.dossierCode,
                version: fact.version,
                snapshot: fact.dossier,
                agencyCode: fact.dossier.agencyCode,
                factEmittedAt: fact.emittedAt,
              },
            ],
      ),
    );
  }
}
