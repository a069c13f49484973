import { Inject, Injectable } from '@nestjs/common';
import type { WorkingCalendar } from '@tthc/calendar';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { describePolicies, type CountingPolicies } from '@tthc/counting';
import { ReferenceData } from '@tthc/reference';

/**
 * What on-time-rate classifies with: the configured counting policies (COUNTING_* variables,
 * the same on every replica) and the reference working calendar (the shipped table with the
 * uploaded years, from the reference topics), which the non-default policies need.
 */
@Injectable()
export class CountingContext {
  readonly policies: CountingPolicies;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reference: ReferenceData,
  ) {
    this.policies = Object.freeze({ ...config.counting });
  }

  calendar(): WorkingCalendar {
    return this.reference.calendar();
  }

  describe(): string {
    return describePolicies(this.policies);
  }
}
