import { Injectable } from '@nestjs/common';
import { createWorkingCalendar, type WorkingCalendar } from '@tthc/calendar';
import type { DueCalculator, FoldContext, ProcedureInfo } from './fold';

export function dueCalculatorOf(calendar: WorkingCalendar): DueCalculator {
  return {
    dueFrom: (from, processingTime) => calendar.dueAt(from, processingTime) ?? from,
    workingMillisBetween: (from, to) => calendar.workingMillisBetween(from, to),
    extend: (due, workingMillis) => calendar.extendByWorkingTime(due, workingMillis),
  };
}

/** What the fold needs from reference data: procedures and the working calendar. */
@Injectable()
export class FoldContextProvider {
  private calendar: WorkingCalendar = createWorkingCalendar();
  private readonly procedures = new Map<string, ProcedureInfo>();

  setProcedure(code: string, info: ProcedureInfo | null): void {
    if (info === null) this.procedures.delete(code);
    else this.procedures.set(code, info);
  }

  setCalendar(calendar: WorkingCalendar): void {
    this.calendar = calendar;
  }

  current(): Promise<FoldContext> {
    const procedures = this.procedures;
    return Promise.resolve({ procedure: (code) => procedures.get(code), due: dueCalculatorOf(this.calendar) });
  }
}
