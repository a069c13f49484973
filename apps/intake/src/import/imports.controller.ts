import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireRoles } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { ApiJson, bodyChunks, mediaType, problem, ProblemException } from '@tthc/http';
import { IMPORT_LIST, IMPORT_VIEW } from '../shared/api-schemas';
import { ApiAuthProblems } from '../shared/api-responses';
import { ImportService, type ImportView } from './import.service';
import { IMPORT_FORMATS } from './line-parser';

/** Path of the upload route: its body is streamed into MongoDB, never buffered whole. */
export const IMPORTS_PATH = '/v1/admin/imports';

const PROBLEM = 'application/problem+json';
const VIEW =
  '{"id","desk","format","sha256","bytes","state":"queued|running|completed|failed","total","processed","accepted","rejected","percent","rejections":[{"line","reason"}],"createdAt","startedAt","finishedAt","error"}';

@ApiTags('admin')
@ApiAuthProblems()
@RequireRoles('admin')
@Controller('v1/admin/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Bulk import of history: upload a CSV or NDJSON file of docs/api.md §4 events, processed as a job',
  })
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiQuery({
    name: 'desk',
    required: false,
    description:
      'Desk identity the events are recorded under for (desk, eventId) idempotency (default "import"; 1-128 of [A-Za-z0-9._:-])',
  })
  @ApiBody({
    description:
      'NDJSON: one event object a line. CSV: header row eventId,type,occurredAt,dossierCode plus any of procedureCode, agencyCode, receivingAgencyCode, fieldCode, channel, submittedAt, dueAt, reason, toAgencyCode, newDueAt, outcome; empty cell = absent',
  })
  @ApiJson(202, `Stored and queued; Location: /v1/admin/imports/{id}. ${VIEW}`, IMPORT_VIEW)
  @ApiJson(
    200,
    'The same file was already uploaded for this desk: the existing import, nothing is counted twice',
    IMPORT_VIEW,
  )
  @ApiResponse({ status: 400, description: `${PROBLEM}: bad desk, CSV header, or no event line` })
  @ApiResponse({ status: 413, description: `${PROBLEM}: larger than INTAKE_IMPORT_MAX_BYTES` })
  @ApiResponse({ status: 415, description: `${PROBLEM}: Content-Type is not text/csv or application/x-ndjson` })
  async upload(
    @Req() request: Request,
    @Res() response: Response,
    @Query('desk') desk: string | undefined,
  ): Promise<void> {
    const type = mediaType(request);
    const format = (IMPORT_FORMATS as Record<string, (typeof IMPORT_FORMATS)[keyof typeof IMPORT_FORMATS]>)[type];
    if (format === undefined) {
      throw new ProblemException(
        problem(415, `Content-Type must be text/csv or application/x-ndjson (got ${type || 'none'})`),
      );
    }
    const length = Number(request.headers['content-length']);
    const { created, view } = await this.imports.upload(
      format,
      desk,
      bodyChunks(request, this.config.imports.maxBytes),
      Number.isFinite(length) ? length : undefined,
    );
    response
      .status(created ? 202 : 200)
      .location(`${IMPORTS_PATH}/${view.id}`)
      .json(view);
  }

  @Get()
  @ApiOperation({ summary: 'Bulk imports, newest first (without rejection reasons)' })
  @ApiJson(200, `JSON array of ${VIEW} without rejections`, IMPORT_LIST)
  list(): Promise<ImportView[]> {
    return this.imports.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Progress of a bulk import: processed / total, accepted, rejected lines with reasons' })
  @ApiParam({ name: 'id' })
  @ApiJson(200, `${VIEW}; rejections lists the first 1000 rejected lines`, IMPORT_VIEW)
  @ApiResponse({ status: 404, description: `${PROBLEM}: no import with this id` })
  get(@Param('id') id: string): Promise<ImportView> {
    return this.imports.get(id);
  }
}
