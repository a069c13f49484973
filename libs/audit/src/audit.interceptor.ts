import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import { tap, type Observable } from 'rxjs';
import { keyIdOf, ROLES_KEY, type AuthenticatedRequest } from '@tthc/auth';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { bodyReadFrom } from '@tthc/http';
import type { Role } from '@tthc/contracts';
import { METRICS_REGISTRY } from '@tthc/observability';
import { auditEntryId, resultIdOf, summarize, summarizeBody, type AuditEntry } from './audit-entry';
import { AuditLog } from './audit-log';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Records every admin action in the service's audit log: every call of an admin-only route
 * (reads included), and every write an admin key makes on a shared route (e.g. `POST /v1/events`
 * with an admin key). The entry is written when the answer is finished, with its status; it names
 * the key by its id, never the key (docs/security.md).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');
  private readonly failures: Counter;

  constructor(
    private readonly reflector: Reflector,
    private readonly log: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_REGISTRY) metrics: Registry,
  ) {
    this.failures = new Counter({
      name: 'tthc_audit_write_failures_total',
      help: 'Audit entries that could not be written (MongoDB unavailable)',
      registers: [metrics],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (principal === undefined || principal.role !== 'admin') return next.handle();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const adminOnly = roles !== undefined && roles.length === 1 && roles[0] === 'admin';
    if (!adminOnly && READS.has(request.method)) return next.handle();

    const started = new Date();
    const presented = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
    const options = { secrets: presented === undefined ? [] : [presented] };
    const forwarded = request.headers['x-forwarded-for'];
    const base: Omit<AuditEntry, 'status' | 'durationMs' | 'body'> = {
      _id: auditEntryId(started),
      at: started.toISOString(),
      service: this.config.service,
      keyId: keyIdOf(principal),
      role: principal.role,
      method: request.method,
      route: routeTemplate(request),
      params: summarize({ ...request.params }, options) as Record<string, unknown>,
      query: summarize({ ...(request.query as Record<string, unknown>) }, options) as Record<string, unknown>,
      client: {
        ip: request.ip ?? request.socket.remoteAddress ?? 'unknown',
        ...(typeof forwarded === 'string' ? { forwardedFor: forwarded.slice(0, 200) } : {}),
      },
    };
    let resultId: string | undefined;
    const response = context.switchToHttp().getResponse<Response>();
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const entry: AuditEntry = {
        ...base,
        // Summarised once the route has run: routes read their own bodies after auth (libs/http).
        body: summarizeBody(
          bodyReadFrom(request) ?? request.body,
          request.headers['content-type'],
          request.headers['content-length'],
          options,
        ),
        status: response.writableFinished ? response.statusCode : 499,
        ...(resultId === undefined ? {} : { resultId }),
        durationMs: Date.now() - started.getTime(),
      };
      this.log.append(entry).catch((error: unknown) => {
        this.failures.inc();
        this.logger.error(
          `audit entry ${entry._id} (${entry.method} ${entry.route}) not written: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    };
    response.once('finish', write);
    response.once('close', write);
    return next.handle().pipe(
      tap((result) => {
        resultId = resultIdOf(result);
      }),
    );
  }
}

function routeTemplate(request: AuthenticatedRequest): string {
  const route = (request as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? route.path : request.path;
}
