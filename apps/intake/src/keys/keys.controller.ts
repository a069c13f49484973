import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { ApiJson, readJson, SMALL_BODY_BYTES } from '@tthc/http';
import { CREATED_KEY, DESK_BODY, DESKS, VIEWER_BODY, VIEWERS } from '../shared/api-schemas';
import { ApiAuthProblems, ApiWriteProblems } from '../shared/api-responses';
import { KeysService, type ListedKey } from './keys.service';

const CREATED = 'The key record is durably in Kafka: {"id","key"} — the key is shown only this once';
const REVOKED = 'Revoked (also when it already was); the key answers 401 from now on';
const NOT_FOUND = 'application/problem+json: no key of this kind with this id';

@ApiTags('admin')
@ApiAuthProblems()
@RequireRoles('admin')
@Controller('v1/admin')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post('desks')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a desk key for one or more agency subtrees (docs/api.md §2)' })
  @ApiBody({ description: '{"name","agencyCodes":["<known agency code>", ...]}', schema: DESK_BODY })
  @ApiJson(201, CREATED, CREATED_KEY)
  @ApiWriteProblems()
  async createDesk(@Req() request: AuthenticatedRequest): Promise<{ id: string; key: string }> {
    return this.keys.createDesk(await readJson(request, SMALL_BODY_BYTES));
  }

  @Post('viewers')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a viewer key for one agency subtree (docs/api.md §2)' })
  @ApiBody({ description: '{"name","agencyCode":"<known agency code>"}', schema: VIEWER_BODY })
  @ApiJson(201, CREATED, CREATED_KEY)
  @ApiWriteProblems()
  async createViewer(@Req() request: AuthenticatedRequest): Promise<{ id: string; key: string }> {
    return this.keys.createViewer(await readJson(request, SMALL_BODY_BYTES));
  }

  @Get('desks')
  @ApiOperation({ summary: 'Desk keys: id, name, agencyCodes, createdAt, revokedAt (never the key or its hash)' })
  @ApiJson(200, 'JSON array, oldest first', DESKS)
  desks(): ListedKey[] {
    return this.keys.list('desk');
  }

  @Get('viewers')
  @ApiOperation({ summary: 'Viewer keys: id, name, agencyCode, createdAt, revokedAt (never the key or its hash)' })
  @ApiJson(200, 'JSON array, oldest first', VIEWERS)
  viewers(): ListedKey[] {
    return this.keys.list('viewer');
  }

  @Post('keys/re-sign')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish every desk and viewer key record again, signed with the first TTHC_KEYS_SECRET',
    description: 'The last step of a rotation of the signing secret (docs/security.md); keys are unchanged.',
  })
  @ApiResponse({ status: 200, description: '{"reSigned": n}: the records are durably in Kafka' })
  @ApiResponse({ status: 503, description: 'application/problem+json: Kafka unavailable; retry after Retry-After' })
  reSign(): Promise<{ reSigned: number }> {
    return this.keys.reSignAll();
  }

  @Delete('desks/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a desk key' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 204, description: REVOKED })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 503, description: 'application/problem+json: Kafka unavailable; retry after Retry-After' })
  async revokeDesk(@Param('id') id: string): Promise<void> {
    await this.keys.revoke('desk', id);
  }

  @Delete('viewers/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a viewer key' })
  @ApiParam({ name: 'id' })
  @ApiResponse({ status: 204, description: REVOKED })
  @ApiResponse({ status: 404, description: NOT_FOUND })
  @ApiResponse({ status: 503, description: 'application/problem+json: Kafka unavailable; retry after Retry-After' })
  async revokeViewer(@Param('id') id: string): Promise<void> {
    await this.keys.revoke('viewer', id);
  }
}
