import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireRoles } from '@tthc/auth';
import { ApiJson, ApiProblem, problem, ProblemException } from '@tthc/http';
import { TrackingRepository } from './persistence/tracking.repository';
import { DATA_QUALITY } from './api-schemas';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function integerParam(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ProblemException(problem(400, `${name} must be an integer between ${min} and ${max}`));
  }
  return value;
}

/** Records kept out of the figures: conflicting duplicates, impossible sequences, events refused by desk scope (admin). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/data-quality')
export class DataQualityController {
  constructor(private readonly repository: TrackingRepository) {}

  @Get()
  @RequireRoles('admin')
  @ApiOperation({
    summary:
      'Data-quality findings (incl. desk-scope refusals foreign_desk, conflicting_receipt), oldest first: { total, items }',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
  })
  @ApiQuery({ name: 'offset', required: false, description: 'default 0', schema: { type: 'integer', minimum: 0 } })
  @ApiJson(200, '{total, items: [{id, kind, dossierCode, deskId, eventId, detail, firstSeenAt}]}', DATA_QUALITY)
  @ApiProblem(400, 'limit or offset is not an integer in its range')
  async list(@Query('limit') limit?: string, @Query('offset') offset?: string) {
    const { total, items } = await this.repository.listQuality(
      integerParam('limit', limit, DEFAULT_LIMIT, 1, MAX_LIMIT),
      integerParam('offset', offset, 0, 0, Number.MAX_SAFE_INTEGER),
    );
    return {
      total,
      items: items.map(({ _id, kind, dossierCode, deskId, eventId, detail, firstSeenAt }) => ({
        id: _id,
        kind,
        dossierCode,
        deskId,
        eventId,
        detail,
        firstSeenAt,
      })),
    };
  }
}
