import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { problem, sendProblem, type ProblemDetails } from '@tthc/http';
import {
  ReportError,
  ScopeRefusedError,
  TooManyPointsError,
  UnknownAgencyError,
  UnknownDossierError,
} from './report-errors';

/** The problem document of a report error (docs/api.md §6). */
export function problemOf(error: ReportError): ProblemDetails {
  if (error instanceof UnknownAgencyError || error instanceof UnknownDossierError) return problem(404, error.message);
  if (error instanceof ScopeRefusedError) return problem(403, error.message);
  if (error instanceof TooManyPointsError) {
    return problem(400, error.message, {
      errors: [{ path: 'interval', message: `gives ${error.points} points, more than ${error.max}` }],
    });
  }
  return problem(500, 'the report could not be answered');
}

/** Answers the report errors of a controller with their problem documents. */
@Catch(ReportError)
export class ReportProblemsFilter implements ExceptionFilter {
  catch(error: ReportError, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    sendProblem(context.getResponse<Response>(), { ...problemOf(error), instance: request.originalUrl });
  }
}
