import { Injectable } from '@nestjs/common';
import { defaultYearEntry } from '@tthc/calendar';
import {
  REFERENCE_AGENCIES,
  REFERENCE_CALENDARS,
  REFERENCE_FIELDS,
  REFERENCE_PROCEDURES,
  type Agency,
  type Field,
  type Procedure,
} from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { TransactionalProducer } from '@tthc/kafka';
import { ReferenceData, type ReferenceChange } from '@tthc/reference';
import { badRequest, publishOr503 } from '../shared/publish';
import { Serial } from '../shared/serial';
import {
  validateAgencies,
  validateCalendar,
  validateFields,
  validateProcedures,
  type Validated,
} from './reference-validation';

export interface CalendarAnswer {
  year: number;
  holidays: readonly string[];
  workingSaturdays: readonly string[];
  /** `uploaded`, `default` (the shipped table) or `none` (counted as plain Monday–Friday). */
  source: 'uploaded' | 'default' | 'none';
  confidence: 'CONFIRMED' | 'INFERRED' | 'UPLOADED' | null;
}

const NOTHING_STORED = 'nothing was stored or published';

/**
 * The reference-data API of docs/api.md §3: validates an upload as a whole, publishes every entry to
 * its compacted topic (acks from all in-sync replicas), then applies it locally so that the next
 * request of this replica sees it at once. Uploads of one replica are serialised so that each is
 * validated against everything accepted before it.
 */
@Injectable()
export class ReferenceAdminService {
  private readonly serial = new Serial();

  constructor(
    private readonly producer: TransactionalProducer,
    private readonly reference: ReferenceData,
  ) {}

  putAgencies(body: unknown): Promise<{ upserted: number }> {
    return this.serial.run(async () => {
      const result = validateAgencies(body, this.reference.all('agency'));
      const agencies = this.orFail(result, 'agencies');
      await publishOr503(
        this.producer,
        REFERENCE_AGENCIES,
        agencies.map((agency) => ({ key: agency.code, value: agency })),
        'the reference topic',
      );
      await this.reference.apply(
        agencies.map((agency): ReferenceChange => ({ kind: 'agency', code: agency.code, value: agency })),
      );
      return { upserted: agencies.length };
    });
  }

  putFields(body: unknown): Promise<{ upserted: number }> {
    return this.serial.run(async () => {
      const fields = this.orFail(validateFields(body), 'fields');
      await publishOr503(
        this.producer,
        REFERENCE_FIELDS,
        fields.map((field) => ({ key: field.code, value: field })),
        'the reference topic',
      );
      await this.reference.apply(
        fields.map((field): ReferenceChange => ({ kind: 'field', code: field.code, value: field })),
      );
      return { upserted: fields.length };
    });
  }

  putProcedures(body: unknown): Promise<{ upserted: number }> {
    return this.serial.run(async () => {
      const result = validateProcedures(body, (code) => this.reference.field(code) !== undefined);
      const procedures = this.orFail(result, 'procedures');
      await publishOr503(
        this.producer,
        REFERENCE_PROCEDURES,
        procedures.map((procedure) => ({ key: procedure.code, value: procedure })),
        'the reference topic',
      );
      await this.reference.apply(
        procedures.map((procedure): ReferenceChange => ({ kind: 'procedure', code: procedure.code, value: procedure })),
      );
      return { upserted: procedures.length };
    });
  }

  putCalendar(yearText: string, body: unknown): Promise<{ upserted: number }> {
    return this.serial.run(async () => {
      const result = validateCalendar(yearText, body);
      if (!result.ok) throw badRequest(`the calendar of ${yearText} is invalid; ${NOTHING_STORED}`, result.problems);
      const key = String(result.value.year);
      await publishOr503(this.producer, REFERENCE_CALENDARS, [{ key, value: result.value }], 'the reference topic');
      await this.reference.apply([{ kind: 'calendar', code: key, value: result.value }]);
      return { upserted: 1 };
    });
  }

  agencies(): Agency[] {
    return this.reference.all('agency').sort(byCode);
  }

  fields(): Field[] {
    return this.reference.all('field').sort(byCode);
  }

  procedures(): Procedure[] {
    return this.reference.all('procedure').sort(byCode);
  }

  calendar(yearText: string): CalendarAnswer {
    if (!/^\d{4}$/.test(yearText)) throw new ProblemException(problem(400, 'the year must be four digits'));
    const year = Number(yearText);
    const status = this.reference.calendar().yearStatus(year);
    const uploaded = this.reference.all('calendar').find((entry) => entry.year === year);
    const table =
      status.source === 'uploaded' ? uploaded : status.source === 'default' ? defaultYearEntry(year) : undefined;
    return {
      year,
      holidays: table?.holidays ?? [],
      workingSaturdays: table?.workingSaturdays ?? [],
      source: status.source,
      confidence: status.confidence,
    };
  }

  private orFail<T>(result: Validated<T>, what: string): T[] {
    if (result.ok) return result.items;
    const count = new Set(result.problems.map((p) => p.index)).size;
    throw badRequest(
      result.problems.some((p) => p.index !== undefined)
        ? `${count} ${what} are invalid; ${NOTHING_STORED}`
        : `the ${what} upload is invalid; ${NOTHING_STORED}`,
      result.problems,
    );
  }
}

function byCode(a: { code: string }, b: { code: string }): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
