import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@tthc/contracts';
import { problem, ProblemException } from '@tthc/http';
import { AuthFailureThrottle } from './auth-failures';
import { AccessKeyDirectory, type Principal } from './principal';

export const ROLES_KEY = Symbol('ROLES');
/** Roles allowed on a route; routes without it are public (health, metrics, docs, dashboard). */
export const RequireRoles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/**
 * Bearer-key authentication: wrong or missing key → 401, right key without the role → 403, more
 * than `AUTH_FAILURES_PER_MINUTE` failed authentications from the client's address → 429 with
 * Retry-After (whatever key it then presents). Runs before any of the request's body is read
 * (routes read their bodies themselves, libs/http body.ts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AccessKeyDirectory) private readonly directory: AccessKeyDirectory,
    private readonly failures: AuthFailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles === undefined) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const address = clientAddress(request);
    const admitted = await this.failures.admits(address);
    if (!admitted.allowed) {
      throw new ProblemException(
        problem(429, `too many failed authentications from this address; retry after ${admitted.retryAfterSeconds} s`),
        { 'Retry-After': String(admitted.retryAfterSeconds) },
      );
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const principal = match?.[1] === undefined ? undefined : this.directory.authenticate(match[1]);
    if (principal === undefined) {
      await this.failures.failed(address);
      throw new ProblemException(problem(401, 'A valid key is required: Authorization: Bearer <key>'), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (!roles.includes(principal.role)) {
      throw new ProblemException(problem(403, `This key (${principal.role}) may not call this endpoint`));
    }
    request.principal = principal;
    return true;
  }
}

/** The client's address: the socket's peer, or behind `TRUST_PROXY_HOPS` proxies their X-Forwarded-For. */
export function clientAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

export function principalOf(request: AuthenticatedRequest): Principal {
  if (request.principal === undefined) throw new Error('route is not protected by AuthGuard');
  return request.principal;
}
