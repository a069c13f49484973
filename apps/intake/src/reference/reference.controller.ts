import { Controller, Get, HttpCode, Inject, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import type { Agency, Field, Procedure } from '@tthc/contracts';
import { readJson, SMALL_BODY_BYTES } from '@tthc/http';
import { ApiAuthProblems, ApiWriteProblems } from '../shared/api-responses';
import { ReferenceAdminService, type CalendarAnswer } from './reference-admin.service';

const UPSERTED = 'Every entry is durably in Kafka and applied: {"upserted": n}';

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
      'Upsert agencies by code (CONTRACT §3); parents must exist, no cycles, validTo ≥ validFrom, known successor',
  })
  @ApiBody({ description: '[{"code","name","parentCode"|null,"level","validFrom"?,"validTo"?,"successorCode"?}]' })
  @ApiResponse({ status: 200, description: UPSERTED })
  @ApiWriteProblems()
  async putAgencies(@Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putAgencies(await this.body(request));
  }

  @Put('fields')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: 'Upsert fields (lĩnh vực) by code (CONTRACT §3)' })
  @ApiBody({ description: '[{"code","name"}]' })
  @ApiResponse({ status: 200, description: UPSERTED })
  @ApiWriteProblems()
  async putFields(@Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putFields(await this.body(request));
  }

  @Put('procedures')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: 'Upsert procedures by code (CONTRACT §3); fieldCode must be a known field' })
  @ApiBody({ description: '[{"code","name","fieldCode","processingTime":{"value","unit"}|null}]' })
  @ApiResponse({ status: 200, description: UPSERTED })
  @ApiWriteProblems()
  async putProcedures(@Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putProcedures(await this.body(request));
  }

  @Put('calendars/:year')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiOperation({ summary: "Replace a year's working calendar (holidays incl. compensatory days, working Saturdays)" })
  @ApiParam({ name: 'year', example: '2026' })
  @ApiBody({ description: '{"holidays":["YYYY-MM-DD",...],"workingSaturdays":["YYYY-MM-DD",...]}' })
  @ApiResponse({ status: 200, description: 'The table is durably in Kafka and applied: {"upserted": 1}' })
  @ApiWriteProblems()
  async putCalendar(@Param('year') year: string, @Req() request: AuthenticatedRequest): Promise<{ upserted: number }> {
    return this.admin.putCalendar(year, await readJson(request, SMALL_BODY_BYTES));
  }

  @Get('agencies')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: 'The agencies this service knows, by code' })
  @ApiResponse({ status: 200, description: 'JSON array of agencies' })
  agencies(): Agency[] {
    return this.admin.agencies();
  }

  @Get('fields')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: 'The fields this service knows, by code' })
  @ApiResponse({ status: 200, description: 'JSON array of fields' })
  fields(): Field[] {
    return this.admin.fields();
  }

  @Get('procedures')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: 'The procedures this service knows, by code' })
  @ApiResponse({ status: 200, description: 'JSON array of procedures' })
  procedures(): Procedure[] {
    return this.admin.procedures();
  }

  @Get('calendars/:year')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({
    summary: "A year's calendar in force: the uploaded table, else the shipped default, with its source",
  })
  @ApiParam({ name: 'year', example: '2026' })
  @ApiResponse({
    status: 200,
    description: '{"year","holidays","workingSaturdays","source":"uploaded"|"default"|"none","confidence"}',
  })
  @ApiResponse({ status: 400, description: 'application/problem+json: the year is not four digits' })
  calendar(@Param('year') year: string): CalendarAnswer {
    return this.admin.calendar(year);
  }
}
