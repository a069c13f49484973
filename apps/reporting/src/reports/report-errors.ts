/**
 * What can go wrong answering a report, in the reports' own terms. The domain (scope, service,
 * repository) throws these; only the HTTP layer turns them into problem documents
 * (report-problems.filter.ts), so the same code serves requests, scheduled runs and metrics.
 */
export abstract class ReportError extends Error {}

/** The requested agency is not in the reference data. */
export class UnknownAgencyError extends ReportError {
  constructor(readonly agencyCode: string) {
    super(`agency ${agencyCode} is not known`);
    this.name = 'UnknownAgencyError';
  }
}

/** The key may not read this (its role, or an agency outside its subtree). */
export class ScopeRefusedError extends ReportError {
  constructor(detail: string) {
    super(detail);
    this.name = 'ScopeRefusedError';
  }
}

/** No such dossier within the scope: unknown and outside the scope are one answer, on purpose. */
export class UnknownDossierError extends ReportError {
  constructor(readonly dossierCode: string) {
    super(`dossier ${dossierCode} is not known`);
    this.name = 'UnknownDossierError';
  }
}

/** A timeseries would have more points than allowed. */
export class TooManyPointsError extends ReportError {
  constructor(
    readonly points: number,
    readonly interval: string,
    readonly max: number,
  ) {
    super(`${points} ${interval} intervals: at most ${max} points; choose a longer interval`);
    this.name = 'TooManyPointsError';
  }
}
