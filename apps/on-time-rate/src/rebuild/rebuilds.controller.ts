import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireRoles } from '@tthc/auth';
import { ApiJson, problem, ProblemException } from '@tthc/http';
import { REBUILD_VIEW } from './api-schemas';
import { RebuildService } from './rebuild.service';
import type { RebuildView } from './rebuild.store';

export const REBUILDS_PATH = '/v1/admin/rebuilds';

const PROBLEM = 'application/problem+json';
const VIEW =
  '{"id","state":"queued|running|completed|failed","policies","total","processed","percent","counters","differences":{"count","sample":[{"id","incremental","rebuilt"}]},"changedDossiers","republished","revision","createdAt","startedAt","finishedAt","error"}';

@ApiTags('admin')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: `${PROBLEM}: missing or wrong key` })
@ApiResponse({ status: 403, description: `${PROBLEM}: this key's role may not call this endpoint` })
@RequireRoles('admin')
@Controller('v1/admin/rebuilds')
export class RebuildsController {
  constructor(private readonly rebuilds: RebuildService) {}

  @Post()
  @ApiOperation({
    summary:
      'Rebuild: recompute every counter from the stored dossier snapshots under the current counting policies, as a job',
  })
  @ApiJson(202, `Queued; Location: ${REBUILDS_PATH}/{id}. ${VIEW}`, REBUILD_VIEW)
  @ApiResponse({ status: 409, description: `${PROBLEM}: a rebuild is already queued or running (rebuild: its id)` })
  async start(@Res() response: Response): Promise<void> {
    const result = await this.rebuilds.start();
    if ('busy' in result) {
      throw new ProblemException(
        problem(409, `rebuild ${result.busy} is already queued or running; one rebuild at a time`, {
          rebuild: result.busy,
        }),
      );
    }
    response.status(202).location(`${REBUILDS_PATH}/${result.started.id}`).json(result.started);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Progress and result of a rebuild' })
  @ApiParam({ name: 'id' })
  @ApiJson(200, VIEW, REBUILD_VIEW)
  @ApiResponse({ status: 404, description: `${PROBLEM}: no rebuild with this id` })
  async get(@Param('id') id: string): Promise<RebuildView> {
    const view = await this.rebuilds.get(id);
    if (view === null) throw new ProblemException(problem(404, `no rebuild ${id}`));
    return view;
  }
}
