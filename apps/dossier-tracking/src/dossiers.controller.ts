import { Controller, Get, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { ApiJson, ApiProblems, problem, ProblemException } from '@tthc/http';
import { ReferenceData } from '@tthc/reference';
import { TrackingRepository } from './persistence/tracking.repository';
import { compareEvents } from './domain/fold';
import { DOSSIER, EXAMPLE_DOSSIER_CODE } from './api-schemas';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('v1/dossiers')
export class DossiersController {
  constructor(
    private readonly repository: TrackingRepository,
    private readonly reference: ReferenceData,
  ) {}

  @Get(':code')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: "A dossier's state, due-date history, outcome and timeline (docs/api.md §5)" })
  @ApiParam({ name: 'code', description: 'dossier code', example: EXAMPLE_DOSSIER_CODE })
  @ApiJson(200, '{dossierCode, kind, version, state, timeline}', DOSSIER)
  @ApiProblems({
    403: "a desk key (this key's role may not read dossiers)",
    404: "no such dossier, or one outside the key's subtree (one answer for both)",
  })
  async get(@Param('code') code: string, @Req() request: AuthenticatedRequest) {
    // One answer for "unknown" and "not this key's": a key must not learn which codes exist.
    const notFound = () => new ProblemException(problem(404, `dossier ${code} is not known`));
    const record = await this.repository.findDossier(code);
    if (record === null) throw notFound();
    const principal = principalOf(request);
    if (principal.role !== 'admin') {
      // A viewer reads only dossiers whose current agency lies within its one subtree.
      const root = principal.agencyCodes[0];
      const agency = record.state?.agencyCode;
      if (root === undefined || agency === undefined || !this.reference.agencies().isWithin(agency, root)) {
        throw notFound();
      }
    }
    const timeline = (await this.repository.timelineOf(code))
      .sort((a, b) => compareEvents(a, b))
      .map(({ deskId, event, acceptedAt, correlationId }) => ({
        deskId,
        acceptedAt,
        correlationId: correlationId ?? null,
        ...event,
      }));
    return { dossierCode: code, kind: record.kind, version: record.version, state: record.state, timeline };
  }
}
