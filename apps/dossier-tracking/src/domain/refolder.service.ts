import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS, type DossierFact } from '@tthc/contracts';
import { ContractProducer } from '@tthc/kafka';
import type { DossierRecord } from '../persistence/schemas';
import { TrackingRepository, type QualityEntry } from '../persistence/tracking.repository';
import { OverdueTimers } from '../timers/overdue-timers.service';
import { buildFact, factKindOf, sameState } from './facts';
import { foldDossier } from './fold';
import { FoldContextProvider } from './fold-context.provider';

/**
 * "Refold these dossiers and write and publish what changed", shared by the event handler (after
 * it stored a batch's new events) and the calendar-change refold: every given dossier is folded
 * from all its stored events with the current reference data; a changed dossier gets a new
 * version (written with `factOwed: true`), its overdue timer is synced, and one fact per changed
 * dossier is published, then marked published. An unchanged dossier that still owes its fact
 * publishes it again.
 */
@Injectable()
export class DossierRefolder {
  constructor(
    private readonly repository: TrackingRepository,
    private readonly producer: ContractProducer,
    private readonly context: FoldContextProvider,
    private readonly timers: OverdueTimers,
  ) {}

  /**
   * Refolds `codes`; records `quality` (findings of the caller) with the fold's own findings.
   * Returns every finding recorded.
   */
  async refold(codes: readonly string[], now: string, quality: QualityEntry[] = []): Promise<QualityEntry[]> {
    const [eventsByDossier, records] = await Promise.all([
      this.repository.eventsOf(codes),
      this.repository.dossiersByCode(codes),
    ]);
    const context = this.context.current();
    const changed: DossierRecord[] = [];
    const facts: DossierFact[] = [];
    for (const code of codes) {
      const previous = records.get(code);
      const result = foldDossier(code, eventsByDossier.get(code) ?? [], context);
      quality.push(...result.issues);
      const state = result.kind === 'dossier' ? result.state : null;
      if (previous !== undefined && previous.kind === result.kind && sameState(previous.state, state)) {
        if (previous.factOwed && previous.state !== null) {
          facts.push(buildFact(factKindOf(null, previous.state), previous.version, previous.state, now));
        }
        continue;
      }
      const version = (previous?.version ?? 0) + 1;
      const owesFact = state !== null;
      const record: DossierRecord = {
        _id: code,
        kind: result.kind,
        version,
        publishedVersion: previous?.publishedVersion ?? 0,
        factOwed: owesFact,
        state,
        updatedAt: now,
      };
      // The overdue notification of a due date is sent once, whatever else changes (e.g. a transfer).
      if (previous?.overdueNotifiedAt !== undefined && previous.state?.dueAt === state?.dueAt && state !== null) {
        record.overdueNotifiedAt = previous.overdueNotifiedAt;
      }
      changed.push(record);
      if (state !== null) facts.push(buildFact(factKindOf(previous?.state ?? null, state), version, state, now));
    }
    await this.repository.saveDossiers(changed);
    await this.timers.sync(records, changed);
    await this.repository.recordQuality(quality, now);
    await this.publish(facts);
    return quality;
  }

  /** Publishes facts and records them as published (a newer version written meanwhile keeps owing). */
  async publish(facts: readonly DossierFact[]): Promise<void> {
    if (facts.length === 0) return;
    await this.producer.send(
      DOSSIER_FACTS,
      facts.map((fact) => ({ key: fact.dossierCode, value: fact })),
    );
    await this.repository.markPublished(new Map(facts.map((fact) => [fact.dossierCode, fact.version])));
  }
}
