import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { ApiJson, readJsonOrNdjson } from '@tthc/http';
import { ACCEPTED, EVENTS_BODY } from '../shared/api-schemas';
import { EventRateLimiter } from '../rate-limit/rate-limiter';
import { EventIntakeService, MAX_EVENTS_PER_REQUEST } from './event-intake.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly intake: EventIntakeService,
    private readonly limiter: EventRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRoles('admin', 'desk')
  @ApiOperation({ summary: 'Post dossier events (docs/api.md §4): one object, an array of 1–1000, or NDJSON' })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ description: 'One event, an array of events, or one event per line (NDJSON)', schema: EVENTS_BODY })
  @ApiJson(202, 'Every event is durably in Kafka: {"accepted": n}', ACCEPTED)
  @ApiResponse({
    status: 400,
    description:
      'application/problem+json listing each invalid event (index, path, message), incl. unknown procedure, field or agency',
  })
  @ApiResponse({ status: 401, description: 'Missing or wrong key' })
  @ApiResponse({
    status: 403,
    description:
      'application/problem+json: key not allowed for this endpoint, or (desk) an event names an agency outside its subtrees; nothing was accepted',
  })
  @ApiResponse({
    status: 413,
    description:
      'Body larger than INTAKE_EVENTS_MAX_BYTES (counted while it streams) or more than 1000 events (NDJSON: reading stops at the 1001st)',
  })
  @ApiResponse({ status: 415, description: 'Content type is not application/json or application/x-ndjson' })
  @ApiResponse({
    status: 429,
    description:
      'Over the per-key request or (desk) event rate, shared by all replicas, or too many failed authentications from this address; retry after Retry-After seconds',
  })
  @ApiResponse({ status: 503, description: 'Kafka unavailable; retry after Retry-After seconds' })
  async post(@Req() request: AuthenticatedRequest): Promise<{ accepted: number }> {
    // The key was checked by the guard; the request rate is checked before the body is read.
    const principal = principalOf(request);
    await this.limiter.admitRequest(principal);
    const items = await readJsonOrNdjson(request, {
      maxBytes: this.config.intakeLimits.eventsMaxBytes,
      maxItems: MAX_EVENTS_PER_REQUEST,
      noun: 'events',
    });
    await this.limiter.admitEvents(principal, items.length);
    return this.intake.accept(principal, items);
  }
}
