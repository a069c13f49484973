import { Injectable } from '@nestjs/common';
import type { WorkingCalendar } from '@tthc/calendar';
import { ReferenceData } from '@tthc/reference';
import type { DueCalculator, FoldContext } from './fold';

export function dueCalculatorOf(calendar: WorkingCalendar): DueCalculator {
  return {
    dueFrom: (from, processingTime) => calendar.dueAt(from, processingTime) ?? from,
    workingMillisBetween: (from, to) => calendar.workingMillisBetween(from, to),
    extend: (due, workingMillis) => calendar.extendByWorkingTime(due, workingMillis),
  };
}

/** What the fold needs from reference data: procedures (field, processing time) and the working calendar. */
@Injectable()
export class FoldContextProvider {
  constructor(private readonly reference: ReferenceData) {}

  current(): FoldContext {
    const reference = this.reference;
    return {
      procedure: (code) => {
        const procedure = reference.procedure(code);
        return procedure === undefined
          ? undefined
          : { fieldCode: procedure.fieldCode, processingTime: procedure.processingTime };
      },
      due: dueCalculatorOf(reference.calendar()),
    };
  }
}
