import { Controller, Get, Param, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { localDateOf } from '@tthc/calendar';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { ApiJson, problem, ProblemException, readOptionalJson, SMALL_BODY_BYTES } from '@tthc/http';
import { FILE_CONTENT, RUN, RUN_BODY, RUN_QUEUED, SCHEDULED_LIST } from '../reports/api-schemas';
import { ReferenceData } from '@tthc/reference';
import { ReportScope } from '../reports/scope';
import { compareNewestFirst, MONTH, monthEnded, previousMonth } from './plan';
import { ScheduledReportsScheduler } from './scheduled-reports.worker';
import { ScheduledReportsStore, type ScheduledReportEntry } from './scheduled-reports.store';

const PROBLEM = 'application/problem+json';
export const SCHEDULED_RUNS_PATH = '/v1/admin/scheduled-reports/runs';
const ITEM =
  '{id, agency: {code, name}, period: {from, to}, kind: month|quarter, rows: field|agency, format: xlsx|csv, bytes, createdAt, dataAsOf}';
const RUN_TEXT =
  '{id, trigger: schedule|manual, month, state: waiting|delayed|active|completed|failed…, produced, total, attemptsMade, createdAt, finishedAt, failedReason}';

const itemOf = (entry: ScheduledReportEntry) => ({
  id: entry._id,
  agency: entry.agency,
  period: entry.period,
  kind: entry.kind,
  rows: entry.rows,
  format: entry.format,
  bytes: entry.bytes,
  createdAt: entry.createdAt,
  dataAsOf: entry.dataAsOf,
});

/**
 * The stored scheduled II.06a reports (docs/reporting.md, "Scheduled reports"). A report covers a
 * whole province, so a key may list and download it exactly when it may read that province's
 * subtree on demand (`ReportScope.permits`): an admin, or a viewer whose agency is the province
 * (or above it). A viewer of a department or district sees none of them.
 */
@ApiTags('reports')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: `${PROBLEM}: missing or wrong key` })
@ApiResponse({ status: 403, description: `${PROBLEM}: role not allowed` })
@RequireRoles('viewer', 'admin')
@Controller('v1/reports/scheduled')
export class ScheduledReportsController {
  constructor(
    private readonly store: ScheduledReportsStore,
    private readonly reference: ReferenceData,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The scheduled II.06a files the key may read, newest period first' })
  @ApiJson(200, `{items: [${ITEM}]}`, SCHEDULED_LIST)
  async list(@Req() request: AuthenticatedRequest) {
    const principal = principalOf(request);
    const tree = this.reference.agencies();
    const items = (await this.store.list())
      .filter((entry) => ReportScope.permits(principal, entry.agency.code, tree))
      .sort(compareNewestFirst)
      .map(itemOf);
    return { items };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Download a scheduled II.06a file (attachment named like the on-demand export)' })
  @ApiParam({ name: 'id', description: 'report id <agency>:<period>:<rows>:<format>, e.g. PROV:2017-Q1:field:xlsx' })
  @ApiResponse({
    status: 200,
    description: 'text/csv (UTF-8 with BOM) or xlsx, Content-Disposition: attachment',
    content: FILE_CONTENT,
  })
  @ApiResponse({
    status: 404,
    description: `${PROBLEM}: no scheduled report with this id, or one outside the key's subtree (one answer for both)`,
  })
  async download(
    @Param('id') id: string,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    // One answer for "no such report" and "not this key's": 404 either way (docs/reporting.md).
    const notFound = () => new ProblemException(problem(404, `no scheduled report ${id}`));
    const found = await this.store.entry(id);
    if (found === null || !ReportScope.permits(principalOf(request), found.agency.code, this.reference.agencies())) {
      throw notFound();
    }
    const file = await this.store.read(id);
    if (file === null) throw notFound();
    const { entry, content } = file;
    response.setHeader('Content-Type', entry.contentType);
    response.setHeader('Content-Disposition', `attachment; filename="${entry.filename}"`);
    return new StreamableFile(content);
  }
}

const runBodySchema = z.object({ month: z.string().regex(MONTH, 'must be a month YYYY-MM').optional() }).strict();

/** Manual runs of the scheduled reports (tests, catch-up after an outage or late data). */
@ApiTags('admin')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: `${PROBLEM}: missing or wrong key` })
@ApiResponse({ status: 403, description: `${PROBLEM}: this key's role may not call this endpoint` })
@RequireRoles('admin')
@Controller('v1/admin/scheduled-reports')
export class ScheduledReportsAdminController {
  constructor(private readonly scheduler: ScheduledReportsScheduler) {}

  @Post('run')
  @ApiOperation({
    summary: 'Produce the scheduled II.06a files of a month now (and of its quarter when it ends one); replaces them',
  })
  @ApiBody({
    required: false,
    description: '{"month"?: YYYY-MM, an ended month; default the previous month}',
    schema: RUN_BODY,
  })
  @ApiJson(202, `Queued: {jobId, month}; Location: ${SCHEDULED_RUNS_PATH}/{jobId}`, RUN_QUEUED)
  @ApiResponse({ status: 400, description: `${PROBLEM} with errors: [{path, message}]` })
  async run(@Req() request: Request, @Res() response: Response): Promise<void> {
    const raw = await readOptionalJson(request, SMALL_BODY_BYTES, {});
    const parsed = runBodySchema.safeParse(raw);
    const today = localDateOf(Date.now());
    const errors = parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    const month = parsed.success ? (parsed.data.month ?? previousMonth(today)) : '';
    if (parsed.success && !monthEnded(month, today)) errors.push({ path: 'month', message: 'has not ended yet' });
    if (errors.length > 0) {
      throw new ProblemException(
        problem(400, `invalid body: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors }),
      );
    }
    const jobId = await this.scheduler.runNow(month);
    response.status(202).location(`${SCHEDULED_RUNS_PATH}/${jobId}`).json({ jobId, month });
  }

  @Get('runs/:jobId')
  @ApiOperation({ summary: 'State and progress of a run (files produced of the total)' })
  @ApiParam({ name: 'jobId' })
  @ApiJson(200, RUN_TEXT, RUN)
  @ApiResponse({ status: 404, description: `${PROBLEM}: no run with this id (or it expired)` })
  async status(@Param('jobId') jobId: string) {
    const run = await this.scheduler.run(jobId);
    if (run === undefined) throw new ProblemException(problem(404, `no scheduled-report run ${jobId}`));
    return run;
  }
}
