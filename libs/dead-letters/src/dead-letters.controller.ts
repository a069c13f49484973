import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireRoles } from '@tthc/auth';
import { problem, ProblemException } from '@tthc/http';
import { DEAD_LETTER_STATUSES, type DeadLetterStatus, type DeadLetterView } from './dead-letter-record';
import { DeadLettersService, type BulkRedriveResult } from './dead-letters.service';

export const DEAD_LETTERS_PATH = '/v1/admin/dead-letters';

const PROBLEM = 'application/problem+json';
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const VIEW =
  '{"id":"sourceTopic|partition|offset|consumerGroup","sourceTopic","partition","offset","consumerGroup","key","value" (detail only),"error","attempts","firstFailedAt","lastFailedAt","recorded","status":"open|redriving|redriven|discarded","statusChangedAt","redrive":{"topic","partition","offset","at"}|null}';

function integerParam(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ProblemException(problem(400, `${name} must be an integer between ${min} and ${max}`));
  }
  return value;
}

function statusParam(raw: string | undefined): DeadLetterStatus | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(DEAD_LETTER_STATUSES as readonly string[]).includes(raw)) {
    throw new ProblemException(problem(400, `status must be one of ${DEAD_LETTER_STATUSES.join(', ')}`));
  }
  return raw as DeadLetterStatus;
}

/**
 * The service's dead letters (docs/operations.md "Dead letters and outages"): messages its
 * consumer gave up on after `KAFKA_MAX_ATTEMPTS` deterministic failures or a contract violation.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: `${PROBLEM}: missing or wrong key` })
@ApiResponse({ status: 403, description: `${PROBLEM}: this key's role may not call this endpoint` })
@RequireRoles('admin')
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @ApiOperation({ summary: 'Dead letters of this service, newest first: { total, items } (items without value)' })
  @ApiQuery({ name: 'topic', required: false, description: 'source topic, e.g. tthc.dossier-events.v1' })
  @ApiQuery({ name: 'status', required: false, enum: DEAD_LETTER_STATUSES })
  @ApiQuery({ name: 'limit', required: false, description: `1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}` })
  @ApiQuery({ name: 'offset', required: false, description: 'items to skip, default 0' })
  @ApiResponse({ status: 200, description: `{"total","items":[${VIEW}]}` })
  @ApiResponse({ status: 400, description: `${PROBLEM}: bad status, limit or offset` })
  list(
    @Query('topic') topic?: string,
    @Query('status') status?: string,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    return this.deadLetters.list(
      { topic: topic === '' ? undefined : topic, status: statusParam(status) },
      integerParam('limit', limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
      integerParam('offset', offset, 0, 0, Number.MAX_SAFE_INTEGER),
    );
  }

  @Post('redrive')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Redrive every open dead letter of a topic (in partition and offset order); letters that cannot be redriven are listed in refused',
  })
  @ApiQuery({ name: 'topic', required: true, description: 'source topic, e.g. tthc.dossier-events.v1' })
  @ApiResponse({ status: 200, description: `{"topic","open","redriven":[${VIEW}],"refused":[{"id","detail"}]}` })
  @ApiResponse({ status: 400, description: `${PROBLEM}: topic missing` })
  @ApiResponse({
    status: 503,
    description: `${PROBLEM}: Kafka unavailable; the rest stays open, retry after Retry-After`,
  })
  redriveTopic(@Query('topic') topic?: string): Promise<BulkRedriveResult> {
    if (topic === undefined || topic === '') throw new ProblemException(problem(400, 'topic is required'));
    return this.deadLetters.redriveTopic(topic);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead letter with its original value' })
  @ApiParam({ name: 'id', description: 'sourceTopic|partition|offset|consumerGroup (URL-encoded)' })
  @ApiResponse({ status: 200, description: VIEW })
  @ApiResponse({ status: 404, description: `${PROBLEM}: no dead letter with this id` })
  show(@Param('id') id: string): Promise<DeadLetterView> {
    return this.deadLetters.show(id);
  }

  @Post(':id/redrive')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Publish the original key and value again, byte for byte, to the original topic, once: a repeated redrive publishes nothing and answers the first result',
  })
  @ApiParam({ name: 'id', description: 'sourceTopic|partition|offset|consumerGroup (URL-encoded)' })
  @ApiResponse({ status: 200, description: `${VIEW} with status redriven and redrive set` })
  @ApiResponse({ status: 404, description: `${PROBLEM}: no dead letter with this id` })
  @ApiResponse({
    status: 409,
    description: `${PROBLEM}: discarded, a redrive in progress, a compacted topic, or the message still violates its contract`,
  })
  @ApiResponse({
    status: 503,
    description: `${PROBLEM}: Kafka unavailable; the letter stays open, retry after Retry-After`,
  })
  redrive(@Param('id') id: string): Promise<DeadLetterView> {
    return this.deadLetters.redrive(id);
  }

  @Post(':id/discard')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give up on an open dead letter (repeating it answers the same)' })
  @ApiParam({ name: 'id', description: 'sourceTopic|partition|offset|consumerGroup (URL-encoded)' })
  @ApiResponse({ status: 200, description: `${VIEW} with status discarded` })
  @ApiResponse({ status: 404, description: `${PROBLEM}: no dead letter with this id` })
  @ApiResponse({ status: 409, description: `${PROBLEM}: the letter was redriven or is being redriven` })
  discard(@Param('id') id: string): Promise<DeadLetterView> {
    return this.deadLetters.discard(id);
  }
}
