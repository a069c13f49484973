import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireRoles } from '@tthc/auth';
import { problem, ProblemException } from '@tthc/http';
import { AUDIT_MAX_LIMIT, parseAuditQuery, type AuditEntry } from './audit-entry';
import { AuditLog } from './audit-log';

@ApiTags('admin')
@ApiBearerAuth()
@RequireRoles('admin')
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly log: AuditLog) {}

  @Get()
  @ApiOperation({
    summary: "This service's audit log of admin actions, newest first",
    description:
      'Each entry: `_id`, `at`, `service`, `keyId` and `role` (never the key), `method`, `route` (template), ' +
      '`params`, `query`, `body` (a bounded summary with secrets redacted), `client` (`ip`, `forwardedFor`), ' +
      '`status`, `resultId` (the id a creating call answered, e.g. a new key id), `durationMs`.',
  })
  @ApiQuery({ name: 'from', required: false, description: 'ISO date or date-time, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO date or date-time, exclusive' })
  @ApiQuery({ name: 'limit', required: false, description: `1–${AUDIT_MAX_LIMIT}, default 100` })
  @ApiResponse({ status: 200, description: 'JSON array of audit entries, newest first' })
  @ApiResponse({ status: 400, description: 'application/problem+json: bad from, to or limit' })
  @ApiResponse({ status: 401, description: 'application/problem+json: missing or unknown key' })
  @ApiResponse({ status: 403, description: 'application/problem+json: not an admin key' })
  async list(@Query() query: Record<string, unknown>): Promise<AuditEntry[]> {
    const parsed = parseAuditQuery(query);
    if ('problems' in parsed) {
      throw new ProblemException(
        problem(400, 'invalid audit query', {
          errors: parsed.problems.map((message) => ({ path: message.split(':')[0], message })),
        }),
      );
    }
    return this.log.find(parsed.query);
  }
}
