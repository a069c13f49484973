import { Controller, Get, HttpCode, Inject, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import type { Agency, Field, Procedure } from '@tthc/contracts';
import { ApiJson, readJson, SMALL_BODY_BYTES } from '@tthc/http';
import {
  AGENCIES,
  AGENCIES_BODY,
  CALENDAR,
  CALENDAR_BODY,
  FIELDS,
  FIELDS_BODY,
  PROCEDURES,
  PROCEDURES_BODY,
  UPSERTED,
} from '../shared/api-schemas';
import { ApiAuthProblems, ApiWriteProblems } from '../shared/api-responses';
import { ReferenceAdminService, type CalendarAnswer } from './reference-admin.service';

const UPSERTED_TEXT = 'Every entry is durably in Kafka and applied: {"upserted": n}';

@ApiTags('reference')
@ApiAuthProblems()
@Controller('v1/reference')
export class ReferenceController {
  constructor(
    private readonly admin: ReferenceAdminService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The upload's JSON body, at most INTAKE_REFERENCE_MAX_BYTES. */
  private body(request: AuthenticatedRequest): Promise<unknown> {
    return readJson(request, this.config.intakeLimits.referenceMaxBytes);
  }

  @Put('agencies')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({
    summary:
      'Upsert agencies by code (docs/api.md §3); parents must exist, no cycles, validTo ≥ validFrom, known successor',
  })
  @ApiBody({
    description: '[{"code","name","parentCode"|null,"level","validFrom"?,"validTo"?,"successorCode"?}]',
    schema: AGENCIES_BODY,
  })
  @ApiJson(200, UPSERTED_TEXT, UPSERTED)
  @ApiWriteProblems()
  async putAgencies(@Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putAgencies(await this.body(request));
  }

  @Put('fields')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: 'Upsert fields (lĩnh vực) by code (docs/api.md §3)' })
  @ApiBody({ description: '[{"code","name"}]', schema: FIELDS_BODY })
  @ApiJson(200, UPSERTED_TEXT, UPSERTED)
  @ApiWriteProblems()
  async putFields(@Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putFields(await this.body(request));
  }

  @Put('procedures')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: 'Upsert procedures by code (docs/api.md §3); fieldCode must be a known field' })
  @ApiBody({
    description: '[{"code","name","fieldCode","processingTime":{"value","unit"}|null}]',
    schema: PROCEDURES_BODY,
  })
  @ApiJson(200, UPSERTED_TEXT, UPSERTED)
  @ApiWriteProblems()
  async putProcedures(@Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putProcedures(await this.body(request));
  }

  @Put('calendars/:year')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: "Replace a year's working calendar (holidays incl. compensatory days, working Saturdays)" })
  @ApiParam({ name: 'year', example: '2026' })
  @ApiBody({
    description: '{"holidays":["YYYY-MM-DD",...],"workingSaturdays":["YYYY-MM-DD",...]}',
    schema: CALENDAR_BODY,
  })
  @ApiJson(200, 'The table is durably in Kafka and applied: {"upserted": 1}', UPSERTED)
  @ApiWriteProblems()
  async putCalendar(@Param('year') year: string, @Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putCalendar(year, await readJson(request, SMALL_BODY_BYTES));
  }

  @Get('agencies')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: 'The agencies this service knows, by code' })
  @ApiJson(200, 'JSON array of agencies', AGENCIES)
  agencies(): Agency[] {
    return this.admin.agencies();
  }

  @Get('fields')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: 'The fields this service knows, by code' })
  @ApiJson(200, 'JSON array of fields', FIELDS)
  fields(): Field[] {
    return this.admin.fields();
  }

  @Get('procedures')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: 'The procedures this service knows, by code' })
  @ApiJson(200, 'JSON array of procedures', PROCEDURES)
  procedures(): Procedure[] {
    return this.admin.procedures();
  }

  @Get('calendars/:year')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({
    summary: "A year's calendar in force: the uploaded table, else the shipped default, with its source",
  })
  @ApiParam({ name: 'year', example: '2026' })
  @ApiJson(200, '{"year","holidays","workingSaturdays","source":"uploaded"|"default"|"none","confidence"}', CALENDAR)
  @ApiResponse({ status: 400, description: 'application/problem+json: the year is not four digits' })
  calendar(@Param('year') year: string): CalendarAnswer {
    return this.admin.calendar(year);
  }
}
