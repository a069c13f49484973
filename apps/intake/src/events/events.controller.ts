import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { ApiJson, readJsonOrNdjson } from '@tthc/http';
import { ACCEPTED, EVENTS_BODY } from '../shared/api-schemas';
import { EventIntakeService } from './event-intake.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly intake: EventIntakeService) {}

  @Post()
  @HttpCode(202)
  @RequireRoles('admin', 'desk')
  @ApiOperation({ summary: 'Post dossier events (CONTRACT §4): one object, an array of 1–1000, or NDJSON' })
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
  @ApiResponse({ status: 413, description: 'Body or event count too large' })
  @ApiResponse({ status: 415, description: 'Content type is not application/json or application/x-ndjson' })
  @ApiResponse({ status: 429, description: 'Over the per-key rate limit; retry after Retry-After seconds' })
  @ApiResponse({ status: 503, description: 'Kafka unavailable; retry after Retry-After seconds' })
  async post(@Req() request: AuthenticatedRequest): Promise<{ accepted: number }> {
    return this.intake.accept(principalOf(request), readJsonOrNdjson(request));
  }
}
