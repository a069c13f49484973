import { Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { PROGRESS_SERVICE, SNAPSHOT_SERVICE, unwrapBody, type PortalService } from '@tthc/desk-sync';
import { ApiJson, problem, ProblemException, readJson } from '@tthc/http';
import { EventRateLimiter } from '../rate-limit/rate-limiter';
import { SYNC_ANSWER, SYNC_BODY, SYNC_FINDINGS } from '../shared/api-schemas';
import { asPortalError, DeskSyncService, portalError, type SyncAnswer } from './desk-sync.service';
import { SyncStore, type DossierFindings } from './sync.store';

const ERRORS =
  'problem+json in the portal shape too: error_code (the HTTP status as text), a Vietnamese message, errors: [{index, MaHoSo, field, message}]; nothing was accepted';

function SyncRoute(summary: string, service: string): MethodDecorator {
  return (target, key, descriptor) => {
    for (const decorator of [
      Post(service),
      HttpCode(200),
      RequireRoles('admin', 'desk'),
      ApiOperation({ summary }),
      ApiBody({ schema: SYNC_BODY }),
      ApiJson(
        200,
        'Every record is accepted and its events are durably in Kafka (error_code "0", "… thành công …")',
        SYNC_ANSWER,
      ),
      ApiResponse({ status: 400, description: `invalid records (${ERRORS})` }),
      ApiResponse({
        status: 403,
        description: `role not allowed, or (desk) a record's agency is outside the key's subtrees (${ERRORS})`,
      }),
      ApiResponse({ status: 413, description: 'body larger than INTAKE_EVENTS_MAX_BYTES or more than 1000 records' }),
      ApiResponse({ status: 415, description: 'Content-Type is not application/json' }),
      ApiResponse({
        status: 429,
        description: 'over the per-key request or (desk) event rate of POST /v1/events; retry after Retry-After',
      }),
      ApiResponse({
        status: 503,
        description:
          'Kafka or MongoDB unavailable; send the same request again after Retry-After (safe: records and events are idempotent)',
      }),
    ]) {
      decorator(target, key, descriptor);
    }
  };
}

/**
 * The national portal's (DVCQG) dossier-sync format (docs/desk-sync.md): what one-stop desk systems
 * already send, accepted with the keys, scope, limits and idempotency of `POST /v1/events`.
 */
@ApiTags('portal sync (DVCQG)')
@ApiBearerAuth()
@Controller('v1/sync/dvcqg')
export class DeskSyncController {
  constructor(
    private readonly sync: DeskSyncService,
    private readonly store: SyncStore,
    private readonly limiter: EventRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @SyncRoute(`Dossier snapshots (${SNAPSHOT_SERVICE}): a bare array of records or {"service","data":[…]}`, 'dossiers')
  dossiers(@Req() request: AuthenticatedRequest): Promise<SyncAnswer> {
    return this.handle(request, SNAPSHOT_SERVICE);
  }

  @SyncRoute(`Processing steps (${PROGRESS_SERVICE}): a bare array of records or {"service","data":[…]}`, 'progress')
  progress(@Req() request: AuthenticatedRequest): Promise<SyncAnswer> {
    return this.handle(request, PROGRESS_SERVICE);
  }

  @SyncRoute(`Either, as {"service": "${SNAPSHOT_SERVICE}" | "${PROGRESS_SERVICE}", "data": […]}`, '')
  any(@Req() request: AuthenticatedRequest): Promise<SyncAnswer> {
    return this.handle(request, undefined);
  }

  @Get('findings')
  @RequireRoles('admin')
  @ApiOperation({
    summary: 'Data-quality findings of synced dossiers (what the derived events cannot say), newest first',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  @ApiQuery({ name: 'desk', required: false, description: 'only this desk id' })
  @ApiJson(200, 'Dossiers with findings', SYNC_FINDINGS)
  @ApiResponse({ status: 400, description: 'bad limit' })
  async findings(@Query('limit') limitText?: string, @Query('desk') desk?: string): Promise<DossierFindings[]> {
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ProblemException(
        problem(400, 'limit must be an integer 1–1000', {
          errors: [{ path: 'limit', message: 'must be an integer 1–1000' }],
        }),
      );
    }
    return this.store.findings(limit, desk === undefined || desk === '' ? undefined : desk);
  }

  private async handle(request: AuthenticatedRequest, route: PortalService | undefined): Promise<SyncAnswer> {
    try {
      const principal = principalOf(request);
      await this.limiter.admitRequest(principal);
      const body = await readJson(request, this.config.intakeLimits.eventsMaxBytes);
      const unwrapped = unwrapBody(body, route);
      if (!unwrapped.ok) throw portalError(400, unwrapped.message);
      await this.limiter.admitEvents(principal, unwrapped.records.length);
      return await this.sync.accept(principal, unwrapped.service, unwrapped.records);
    } catch (error) {
      throw asPortalError(error);
    }
  }
}
