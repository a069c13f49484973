import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireRoles } from '@tthc/auth';
import { problem, ProblemException } from '@tthc/http';
import { TrackingRepository } from './persistence/tracking.repository';
import { compareEvents } from './domain/fold';

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('v1/dossiers')
export class DossiersController {
  constructor(private readonly repository: TrackingRepository) {}

  @Get(':code')
  @RequireRoles('admin', 'viewer')
  @ApiOperation({ summary: "A dossier's state, due-date history, outcome and timeline (CONTRACT §6)" })
  async get(@Param('code') code: string) {
    const record = await this.repository.findDossier(code);
    if (record === null) throw new ProblemException(problem(404, `dossier ${code} is not known`));
    const timeline = (await this.repository.timelineOf(code))
      .sort((a, b) => compareEvents(a, b))
      .map(({ deskId, event, acceptedAt }) => ({ deskId, acceptedAt, ...event }));
    return { dossierCode: code, kind: record.kind, version: record.version, state: record.state, timeline };
  }
}
