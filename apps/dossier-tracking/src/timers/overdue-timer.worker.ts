import { Injectable, Logger } from '@nestjs/common';
import { ProcessesQueue, type JobDataOf, type QueueJobHandler, type RunningJob } from '@tthc/queue';
import { TrackingRepository } from '../persistence/tracking.repository';
import { OverdueTimers } from './overdue-timers.service';
import { OVERDUE_TIMERS } from './queues';
import { decideFire } from './timer-plan';

/** A timer that fires a little early (clock skew between hosts) waits up to this long. */
const EARLY_WAIT_MS = 5000;
/** A timer whose version still owes its lifecycle fact looks again after this long. */
const FACT_OWED_RECHECK_MS = 2000;

/**
 * A dossier's due instant passed: if the stored dossier is still the same version, pending, not
 * paused or waiting for a supplement, and not yet notified, publish `due_instant_reached` (same
 * snapshot and version: consumers do not count it again, it is a notification).
 */
@ProcessesQueue(OVERDUE_TIMERS)
@Injectable()
export class OverdueTimerWorker implements QueueJobHandler<typeof OVERDUE_TIMERS> {
  private readonly logger = new Logger(OverdueTimerWorker.name);

  constructor(
    private readonly repository: TrackingRepository,
    private readonly timers: OverdueTimers,
  ) {}

  async process(data: JobDataOf<typeof OVERDUE_TIMERS>, job: RunningJob): Promise<string> {
    const early = Date.parse(data.dueAt) - Date.now();
    if (early > 0 && early <= EARLY_WAIT_MS) await new Promise((resolve) => setTimeout(resolve, early));
    const record = await this.repository.findDossier(data.dossierCode);
    const decision = decideFire(record, data.version, Date.now());
    if (decision === 'not_yet_due' || decision === 'fact_owed') {
      // Checked again later without spending an attempt: at the due instant, or shortly, once the
      // version's lifecycle fact is published (the sweep republishes an owed fact after a crash).
      const at = decision === 'not_yet_due' ? Date.parse(data.dueAt) : Date.now() + FACT_OWED_RECHECK_MS;
      return job.retryAt(at);
    }
    if (decision === 'notify' && record !== null) {
      await this.timers.notify(record, new Date().toISOString());
      this.logger.debug(`${data.dossierCode} v${data.version} reached its due instant`);
    }
    return decision;
  }
}
