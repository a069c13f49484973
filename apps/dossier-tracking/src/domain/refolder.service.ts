import { Injectable } from '@nestjs/common';
import { DOSSIER_FACTS, type DossierFact } from '@tthc/contracts';
import { ContractProducer } from '@tthc/kafka';
import type { DossierRecord } from '../persistence/schemas';
import { TrackingRepository, type DossierWrite, type QualityEntry } from '../persistence/tracking.repository';
import { OverdueTimers } from '../timers/overdue-timers.service';
import { TrackingMetrics } from '../tracking-metrics';
import { buildFact, factKindOf, sameState } from './facts';
import { ConcurrentWriteError } from './concurrent-write.error';
import { foldDossier, type DataQualityIssue } from './fold';
import { FoldContextProvider } from './fold-context.provider';

/** Refold rounds of one call before contended dossiers are left to a retry of the whole call. */
export const MAX_WRITE_ROUNDS = 4;

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
    private readonly metrics: TrackingMetrics,
  ) {}

  /**
   * Refolds `codes`; records `quality` (findings of the caller) with the fold's own findings.
   * Returns every finding recorded.
   *
   * Every write is fenced by the version read (`saveDossiers`). A dossier whose write was lost to
   * another writer is refolded again from fresh reads, at most {@link MAX_WRITE_ROUNDS} rounds in
   * this call; what was written is synced and published either way, and a dossier still contended
   * after the last round makes the call throw a {@link ConcurrentWriteError} (retryable).
   */
  async refold(codes: readonly string[], now: string, quality: QualityEntry[] = []): Promise<QualityEntry[]> {
    const findings = new Map<string, QualityEntry[]>();
    const facts: DossierFact[] = [];
    let pending = [...new Set(codes)];
    for (let round = 1; pending.length > 0 && round <= MAX_WRITE_ROUNDS; round++) {
      const outcome = await this.refoldOnce(pending, now);
      // A lost dossier's findings are those of its next round (the fold of fresher reads).
      for (const [code, issues] of outcome.findings) findings.set(code, issues);
      facts.push(...outcome.facts);
      pending = outcome.lost;
    }
    for (const issues of findings.values()) quality.push(...issues);
    const recorded = await this.repository.recordQuality(quality, now);
    this.metrics.countRefused(recorded.map((entry) => entry.kind));
    await this.publish(facts);
    if (pending.length > 0) {
      throw new ConcurrentWriteError(
        `${pending.length} of ${codes.length} dossier(s) were still written by another writer after ${MAX_WRITE_ROUNDS} refold rounds: ${pending.slice(0, 5).join(', ')}`,
        pending,
      );
    }
    return quality;
  }

  /**
   * One round: read, fold, write what changed (fenced), sync the timers of what was written.
   * Returns the facts to publish (written versions, and owed facts of unchanged dossiers), the
   * findings per dossier and the dossiers whose write was lost.
   */
  private async refoldOnce(
    codes: readonly string[],
    now: string,
  ): Promise<{ facts: DossierFact[]; findings: Map<string, DataQualityIssue[]>; lost: string[] }> {
    // Records FIRST, then events, never concurrently. A dossier's events are appended before any
    // writer folds them, and a writer reads the events after the record it will write over: so a
    // writer that read version v reads at least every event folded into v (events are only ever
    // added). Read the other way round, a writer could fold an event list older than the version it
    // then writes over, and the fenced write would succeed with a state that drops an event.
    const records = await this.repository.dossiersByCode(codes);
    const eventsByDossier = await this.repository.eventsOf(codes);
    const context = this.context.current();
    const writes: DossierWrite[] = [];
    const facts = new Map<string, DossierFact>();
    const findings = new Map<string, DataQualityIssue[]>();
    for (const code of codes) {
      const previous = records.get(code);
      const result = foldDossier(code, eventsByDossier.get(code) ?? [], context);
      findings.set(code, result.issues);
      const state = result.kind === 'dossier' ? result.state : null;
      if (previous !== undefined && previous.kind === result.kind && sameState(previous.state, state)) {
        if (previous.factOwed && previous.state !== null) {
          facts.set(code, buildFact(factKindOf(null, previous.state), previous.version, previous.state, now));
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
      writes.push({ next: record, read: previous });
      if (state !== null) facts.set(code, buildFact(factKindOf(previous?.state ?? null, state), version, state, now));
    }
    const { written, lost } = await this.repository.saveDossiers(writes);
    // A lost write changed nothing: no timer, no fact (its next round decides).
    for (const code of lost) facts.delete(code);
    await this.timers.sync(records, written);
    return { facts: [...facts.values()], findings, lost };
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
