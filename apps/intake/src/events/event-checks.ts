import type { AgencyAncestry, DeskScope, DossierEvent, EventProblem } from '@tthc/contracts';

/** What the event checks need to know of the reference data. */
export interface ReferenceLookup {
  hasAgency(code: string): boolean;
  hasField(code: string): boolean;
  hasProcedure(code: string): boolean;
}

/** An agency code an event names, with where it is. */
export interface NamedAgency {
  path: string;
  code: string;
}

/** The agency codes an event carries (`agencyCode`, `receivingAgencyCode`, `toAgencyCode`). */
export function agencyCodesOf(event: DossierEvent): NamedAgency[] {
  switch (event.type) {
    case 'dossier.received': {
      const named: NamedAgency[] = [{ path: 'data.agencyCode', code: event.data.agencyCode }];
      if (event.data.receivingAgencyCode !== undefined) {
        named.push({ path: 'data.receivingAgencyCode', code: event.data.receivingAgencyCode });
      }
      return named;
    }
    case 'dossier.transferred':
      return [{ path: 'data.toAgencyCode', code: event.data.toAgencyCode }];
    case 'dossier.rejected':
    case 'dossier.supplement_requested':
    case 'dossier.supplement_received':
    case 'dossier.paused':
    case 'dossier.resumed':
    case 'dossier.rescheduled':
    case 'dossier.resolved':
    case 'dossier.returned':
    case 'dossier.withdrawn':
    case 'dossier.voided':
      return [];
  }
}

/**
 * Every reference an event names must be known: procedure, field and agencies. Returns the
 * problems in the shape of the 400 answer of `POST /v1/events` (index = `indexes[i]`).
 */
export function checkEventReferences(
  events: readonly { index: number; event: DossierEvent }[],
  lookup: ReferenceLookup,
): EventProblem[] {
  const problems: EventProblem[] = [];
  for (const { index, event } of events) {
    if (event.type === 'dossier.received') {
      if (!lookup.hasProcedure(event.data.procedureCode)) {
        problems.push({
          index,
          path: 'data.procedureCode',
          message: `unknown procedure ${event.data.procedureCode}`,
        });
      }
      if (event.data.fieldCode !== undefined && !lookup.hasField(event.data.fieldCode)) {
        problems.push({ index, path: 'data.fieldCode', message: `unknown field ${event.data.fieldCode}` });
      }
    }
    for (const { path, code } of agencyCodesOf(event)) {
      if (!lookup.hasAgency(code)) problems.push({ index, path, message: `unknown agency ${code}` });
    }
  }
  return problems;
}

/** An agency an event names that lies outside every subtree the desk may post for. */
export interface ScopeViolation extends NamedAgency {
  index: number;
}

/**
 * A desk may post only events whose agency codes all lie within at least one of its allowed
 * subtrees (docs/api.md §2). `isWithinAny(code, roots)` is the agency tree's subtree test.
 */
export function checkEventScope(
  events: readonly { index: number; event: DossierEvent }[],
  allowedRoots: readonly string[],
  isWithinAny: (code: string, roots: readonly string[]) => boolean,
): ScopeViolation[] {
  const violations: ScopeViolation[] = [];
  for (const { index, event } of events) {
    for (const named of agencyCodesOf(event)) {
      if (!isWithinAny(named.code, allowedRoots)) violations.push({ index, ...named });
    }
  }
  return violations;
}

/** What intake stamps on each accepted event's envelope (`tthc.dossier-events.v1`). */
export interface AcceptanceStamp {
  scope: DeskScope;
  agencyAncestry?: AgencyAncestry;
}

/**
 * The stamp of an accepted event: the accepting key's scope (`admin` for the admin key and bulk
 * imports, else the desk key's agency codes) and, for each agency the event names, its chain up
 * to the root in the agency tree now (itself first). dossier-tracking decides from them which
 * desk may act on which dossier, identically at every refold (docs/dossier-tracking.md).
 */
export function acceptanceStamp(
  event: DossierEvent,
  scope: DeskScope,
  ancestry: (code: string) => readonly string[],
): AcceptanceStamp {
  const named = agencyCodesOf(event);
  if (named.length === 0) return { scope };
  return { scope, agencyAncestry: Object.fromEntries(named.map(({ code }) => [code, [...ancestry(code)]])) };
}
