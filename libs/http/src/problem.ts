import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { discardUnreadBody } from './unread-body';

/** RFC 9457 problem details, the error body of every `/v1` answer (`application/problem+json`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Throw to answer with a problem document; `headers` such as Retry-After are set too. */
export class ProblemException extends HttpException {
  constructor(
    readonly problem: ProblemDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem, problem.status);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, detail: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  const title = TITLES[status] ?? 'Error';
  return {
    type: `https://tthc-stats.example/problems/${title.toLowerCase().replace(/ /g, '-')}`,
    title,
    status,
    detail,
    ...extensions,
  };
}

/**
 * Sends a problem document. When the request's body has not been received in full (refused before
 * or while it was read: 401, 413, 429, …), at most a bounded rest of it is read and discarded
 * after the answer, then the connection is closed (`discardUnreadBody`).
 */
export function sendProblem(response: Response, body: ProblemDetails, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  const request = response.req as Request | undefined;
  if (request !== undefined) discardUnreadBody(request, response);
  response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Turns every error into a problem document; unexpected errors are logged and answered 500. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();
    if (exception instanceof ProblemException) {
      sendProblem(response, { ...exception.problem, instance: request.originalUrl }, exception.headers);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail =
        typeof body === 'string'
          ? body
          : typeof body === 'object' && body !== null && 'message' in body
            ? ([] as unknown[]).concat(body.message).map(String).join('; ')
            : exception.message;
      sendProblem(response, { ...problem(status, detail), instance: request.originalUrl });
      return;
    }
    const status = statusOfLibraryError(exception);
    if (status !== undefined) {
      sendProblem(response, { ...problem(status, (exception as Error).message), instance: request.originalUrl });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    sendProblem(response, {
      ...problem(HttpStatus.INTERNAL_SERVER_ERROR, 'Unexpected error'),
      instance: request.originalUrl,
    });
  }
}

/** body-parser and friends attach a `status` to their errors (413 too large, 400 bad JSON, 415). */
export function statusOfLibraryError(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
