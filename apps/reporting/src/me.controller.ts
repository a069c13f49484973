import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { principalOf, RequireRoles, type AuthenticatedRequest } from '@tthc/auth';
import { ApiJson } from '@tthc/http';
import { ME } from './reports/api-schemas';

/** Who the presented key is (the dashboard's sign-in). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  @Get()
  @RequireRoles('viewer', 'admin')
  @ApiOperation({ summary: 'The role, name and agency of the presented key' })
  @ApiJson(200, "{role, name, agencyCode?} (agencyCode: a viewer's subtree root)", ME)
  @ApiResponse({ status: 401, description: 'application/problem+json: missing or wrong key' })
  @ApiResponse({ status: 403, description: 'application/problem+json: a desk key' })
  me(@Req() request: AuthenticatedRequest) {
    const principal = principalOf(request);
    const agencyCode = principal.role === 'viewer' ? principal.agencyCodes[0] : undefined;
    return { role: principal.role, name: principal.name, ...(agencyCode === undefined ? {} : { agencyCode }) };
  }
}
