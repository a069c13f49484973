import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DOSSIER_EVENTS } from '@tthc/contracts';
import type { ConsumedMessage } from '@tthc/kafka';
import { contentHashOf, eventKey } from '../domain/content-hash';
import { DossierRefolder } from '../domain/refolder.service';
import { TrackingRepository, type NewEvent, type QualityEntry } from '../persistence/tracking.repository';

type Message = ConsumedMessage<typeof DOSSIER_EVENTS>;

/**
 * Folds accepted desk events into dossier state, one Kafka batch at a time:
 * store the distinct (desk, eventId) events, refold every dossier that got a new event from all
 * its stored events (so arrival order never matters), write the changed dossiers with a new
 * version, then publish one lifecycle fact per changed dossier (the refold, write and publish
 * steps are {@link DossierRefolder}, shared with the calendar-change refold). Idempotent: a redelivered batch
 * stores nothing new and changes no dossier; a fact owed after a crash is published again.
 */
@Controller()
export class DossierEventsHandler {
  private readonly logger = new Logger(DossierEventsHandler.name);

  constructor(
    private readonly repository: TrackingRepository,
    private readonly refolder: DossierRefolder,
  ) {}

  @EventPattern(DOSSIER_EVENTS.name)
  async handleBatch(@Payload() messages: readonly Message[]): Promise<void> {
    const now = new Date().toISOString();
    const quality: QualityEntry[] = [];
    const candidates = new Map<string, NewEvent>();
    for (const message of messages) {
      if (message.value === null) continue;
      const { deskId, acceptedAt, event, scope, agencyAncestry } = message.value;
      const id = eventKey(deskId, event.eventId);
      const contentHash = contentHashOf(event);
      const earlier = candidates.get(id);
      if (earlier !== undefined) {
        if (earlier.contentHash !== contentHash) quality.push(conflict(deskId, event.eventId, event.dossierCode));
        continue;
      }
      candidates.set(id, {
        id,
        dossierCode: event.dossierCode,
        deskId,
        contentHash,
        event,
        acceptedAt,
        ...(scope === undefined ? {} : { scope }),
        ...(agencyAncestry === undefined ? {} : { agencyAncestry }),
        ...(message.correlationId === null ? {} : { correlationId: message.correlationId }),
      });
    }

    const stored = await this.repository.existingHashes([...candidates.keys()]);
    const fresh: NewEvent[] = [];
    const accepted: NewEvent[] = [];
    for (const candidate of candidates.values()) {
      const storedHash = stored.get(candidate.id);
      if (storedHash === undefined) fresh.push(candidate);
      if (storedHash === undefined || storedHash === candidate.contentHash) accepted.push(candidate);
      else quality.push(conflict(candidate.deskId, candidate.event.eventId, candidate.dossierCode));
    }
    await this.repository.insertEvents(fresh);
    // Also the already stored ones: after a crash between these two writes, the redelivery adds them.
    await this.repository.appendToDossiers(accepted);

    // Every dossier of the batch, not only those with new events: a batch redelivered after a crash
    // between storing its events and writing the dossiers finds its events stored, and must still fold them.
    const affected = [...new Set([...candidates.values()].map((event) => event.dossierCode))];
    await this.refolder.refold(affected, now, quality);
    if (quality.length > 0)
      this.logger.warn(`${quality.length} data-quality finding(s) in a batch of ${messages.length}`);
  }
}

function conflict(deskId: string, eventId: string, dossierCode: string): QualityEntry {
  return {
    kind: 'conflicting_duplicate',
    deskId,
    eventId,
    dossierCode,
    detail: 'the same (desk, eventId) was posted again with different content; the first one counts',
  };
}
