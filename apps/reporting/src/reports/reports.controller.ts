import { applyDecorators, Controller, Get, Param, Query, Req, Res, StreamableFile, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { ApiJson } from '@tthc/http';
import {
  EXAMPLE_DOSSIER_CODE,
  FORM_06A_CONTENT,
  FORM_06A_LAYOUT_SCHEMA,
  INDICATORS,
  OVERDUE,
  REFERENCE_LISTS,
  REPORT_DOSSIER,
  SUMMARY,
  TIMESERIES,
} from './api-schemas';
import { form06aCsv, form06aFilename, form06aXlsx } from './form-06a-export';
import { FORM_06A_LAYOUT, type Form06aLayout } from './form-06a-layout';
import {
  form06aQuerySchema,
  overdueQuerySchema,
  parseQuery,
  periodQuerySchema,
  scopeQuerySchema,
  timeseriesQuerySchema,
} from './query';
import { ReportProblemsFilter } from './report-problems.filter';
import { ReportsService } from './reports.service';

const PROBLEM = 'application/problem+json';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A day of a report period (a real calendar date; 400 otherwise). */
const REPORT_DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** Query parameters and problem answers shared by the period reports. */
function ApiPeriodReport(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'from',
      required: true,
      description: 'first day, YYYY-MM-DD',
      schema: { ...REPORT_DATE, example: '2017-01-01' },
    }),
    ApiQuery({
      name: 'to',
      required: true,
      description: 'last day (inclusive), YYYY-MM-DD, not before from',
      schema: { ...REPORT_DATE, example: '2017-12-31' },
    }),
    ApiScopeParams(),
    ApiQuery({ name: 'field', required: false, description: 'only this field code' }),
    ApiQuery({ name: 'procedure', required: false, description: 'only this procedure code' }),
    ApiQuery({ name: 'channel', required: false, enum: ['online', 'in_person', 'postal'] }),
    ApiResponse({ status: 400, description: `${PROBLEM} with errors: [{path, message}] naming each bad parameter` }),
  );
}

function ApiScopeParams(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'agency',
      required: false,
      description: "agency code (its subtree); default: the viewer's own agency, everything for an admin",
    }),
    ApiQuery({
      name: 'restate',
      required: false,
      enum: ['true', 'false'],
      description: "true: count each row under its agency's newest successor (today's structure)",
    }),
    ApiResponse({ status: 400, description: `${PROBLEM} with errors: [{path, message}] naming each bad parameter` }),
    ApiResponse({ status: 401, description: `${PROBLEM}: missing or wrong key` }),
    ApiResponse({ status: 403, description: `${PROBLEM}: role not allowed, or agency outside the key's subtree` }),
    ApiResponse({ status: 404, description: `${PROBLEM}: unknown agency` }),
  );
}

/** Report API (docs/api.md §5). Thin: validation here, scope and figures in ReportsService and below. */
@ApiTags('reports')
@ApiBearerAuth()
@RequireRoles('viewer', 'admin')
@UseFilters(ReportProblemsFilter)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('summary')
  @ApiOperation({ summary: 'docs/api.md §5 summary of a period, with previousPeriod (the equally long period before)' })
  @ApiPeriodReport()
  @ApiJson(200, 'period, agency, received, resolved, pending, onTimeRate, dataAsOf, previousPeriod', SUMMARY)
  summary(@Query() raw: unknown, @Req() request: AuthenticatedRequest) {
    const query = parseQuery(periodQuerySchema, raw);
    return this.reports.summary(this.reports.scopeOf(principalOf(request), query), query);
  }

  @Get('form-06a')
  @ApiOperation({ summary: 'Biểu II.06a/VPCP/KSTT by field, agency (direct children) or procedure; json, csv or xlsx' })
  @ApiPeriodReport()
  @ApiQuery({ name: 'rows', required: false, enum: ['field', 'agency', 'procedure'], description: 'default field' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'], description: 'default json' })
  @ApiResponse({
    status: 200,
    description: `JSON {period, agency, rows[], total, dataAsOf}; text/csv (UTF-8 with BOM) or ${XLSX} as an attachment`,
    content: FORM_06A_CONTENT,
  })
  async form06a(
    @Query() raw: unknown,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const query = parseQuery(form06aQuerySchema, raw);
    const report = await this.reports.form06a(this.reports.scopeOf(principalOf(request), query), query);
    if (query.format === 'json') return report;
    const filename = form06aFilename(report, query.format);
    response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    if (query.format === 'csv') {
      response.setHeader('Content-Type', 'text/csv; charset=utf-8');
      return new StreamableFile(Buffer.from(form06aCsv(report), 'utf8'));
    }
    response.setHeader('Content-Type', XLSX);
    return new StreamableFile(await form06aXlsx(report));
  }

  @Get('form-06a/layout')
  @ApiOperation({
    summary: 'The II.06a layout: code, title, the 13 numbered columns (Vietnamese and English headings), groups',
  })
  @ApiJson(
    200,
    '{code, title, totalLabel, columns: [{number, figure, heading: {vi, en}}], groups}',
    FORM_06A_LAYOUT_SCHEMA,
  )
  form06aLayout(): Form06aLayout {
    return FORM_06A_LAYOUT;
  }

  @Get('timeseries')
  @ApiOperation({ summary: 'A summary per calendar interval (weeks start on Monday), clipped to [from, to]' })
  @ApiPeriodReport()
  @ApiQuery({ name: 'interval', required: false, enum: ['day', 'week', 'month', 'quarter', 'year'] })
  @ApiJson(
    200,
    '{period, agency, interval, points: [{period, received, resolved, pending, onTimeRate}], dataAsOf}; at most 1000 points (400 beyond)',
    TIMESERIES,
  )
  timeseries(@Query() raw: unknown, @Req() request: AuthenticatedRequest) {
    const query = parseQuery(timeseriesQuerySchema, raw);
    return this.reports.timeseries(this.reports.scopeOf(principalOf(request), query), query);
  }

  @Get('overdue')
  @ApiOperation({ summary: 'The pending overdue dossiers as of now (not waiting, due date before today), paged' })
  @ApiScopeParams()
  @ApiQuery({ name: 'page', required: false, description: '≥ 1, default 1', schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({
    name: 'pageSize',
    required: false,
    description: '1–500, default 50',
    schema: { type: 'integer', minimum: 1, maximum: 500 },
  })
  @ApiQuery({ name: 'sort', required: false, enum: ['dueAt', 'daysOverdue', 'code', 'agency'] })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  @ApiJson(200, '{items: [{code, agency, procedure, dueAt, daysOverdue}], page, pageSize, total, dataAsOf}', OVERDUE)
  @ApiResponse({ status: 400, description: `${PROBLEM} with errors: [{path, message}]` })
  overdue(@Query() raw: unknown, @Req() request: AuthenticatedRequest) {
    const query = parseQuery(overdueQuerySchema, raw);
    return this.reports.overdue(this.reports.scopeOf(principalOf(request), query), query);
  }

  @Get('dossiers/:code')
  @ApiOperation({
    summary: 'A classified dossier (snapshot, outcome, due history, waiting intervals) for the drill-down',
  })
  @ApiParam({ name: 'code', description: 'dossier code', example: EXAMPLE_DOSSIER_CODE })
  @ApiScopeParams()
  @ApiJson(200, 'the dossier', REPORT_DOSSIER)
  @ApiResponse({
    status: 404,
    description: `${PROBLEM}: unknown dossier, or one outside the scope (one answer for both); unknown agency`,
  })
  dossier(@Param('code') code: string, @Query() raw: unknown, @Req() request: AuthenticatedRequest) {
    const query = parseQuery(scopeQuerySchema, raw);
    return this.reports.dossier(this.reports.scopeOf(principalOf(request), query), code);
  }

  @Get('indicators')
  @ApiOperation({
    summary: 'QĐ 766 indicators 2.1 (processing progress) and 3.3 (online share) per agency and direct child',
  })
  @ApiPeriodReport()
  @ApiJson(
    200,
    '{period, agency, rows: [{agency, part, received, new, onlineNew, onTimeRate, indicators}], dataAsOf}',
    INDICATORS,
  )
  indicators(@Query() raw: unknown, @Req() request: AuthenticatedRequest) {
    const query = parseQuery(periodQuerySchema, raw);
    return this.reports.indicators(this.reports.scopeOf(principalOf(request), query), query);
  }

  @Get('reference')
  @ApiOperation({ summary: "The agencies of the caller's scope, the fields and procedures (dashboard pickers)" })
  @ApiScopeParams()
  @ApiJson(
    200,
    '{agencies: [{code, name, parentCode, level}], fields: [{code, name}], procedures: [{code, name, fieldCode}]}',
    REFERENCE_LISTS,
  )
  reference(@Query() raw: unknown, @Req() request: AuthenticatedRequest) {
    const query = parseQuery(scopeQuerySchema, raw);
    return this.reports.referenceLists(this.reports.scopeOf(principalOf(request), query));
  }
}
