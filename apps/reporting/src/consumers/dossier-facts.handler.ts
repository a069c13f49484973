import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS, type DossierFact } from '@tthc/contracts';
import { HandlesTopic, type ConsumedMessage, type TopicBatchHandler } from '@tthc/kafka';
import { newestVersions } from '@tthc/persistence';
import { ReportDossierRepository } from '../persistence/report-dossier.repository';

/** Keeps reporting's copy of each dossier at its newest version. */
@HandlesTopic(DOSSIER_FACTS)
@Injectable()
export class ReportingFactsHandler implements TopicBatchHandler<typeof DOSSIER_FACTS> {
  constructor(private readonly repository: ReportDossierRepository) {}

  async handleBatch(messages: readonly ConsumedMessage<typeof DOSSIER_FACTS>[]): Promise<void> {
    const facts = messages.flatMap((message) => (message.value === null ? [] : [message.value]));
    const stored = await this.repository.versionsOf([...new Set(facts.map((fact) => fact.dossierCode))]);
    const newer = newestVersions(
      facts,
      (fact: DossierFact) => fact.dossierCode,
      (fact) => fact.version,
      stored,
    );
    await this.repository.save(
      newer.map((fact) => ({
        _id: fact.dossierCode,
        version: fact.version,
        snapshot: fact.dossier,
        agencyCode: fact.dossier.agencyCode,
        factEmittedAt: fact.emittedAt,
      })),
    );
  }
}
