import type { Principal } from '@tthc/auth';
import type { AgencyTree } from '@tthc/reference';
import { ScopeRefusedError, UnknownAgencyError } from './report-errors';

/** The agency shown for an admin's report over everything (no `agency` asked). */
export const ALL_AGENCIES = { code: '*', name: 'Tất cả cơ quan' } as const;

export interface ScopeOptions {
  /** Map each row's agency through `successorCode` links to today's agency before testing and grouping. */
  restate?: boolean;
}

/**
 * What a report may read: an agency subtree (or everything, for an admin who asked for no agency),
 * derived only from the authenticated principal and the requested `agency`. The counter cache and
 * the dossier repository take nothing else, so a controller cannot widen a viewer's reach.
 */
export class ReportScope {
  private readonly within = new Map<string, boolean>();
  private readonly restated = new Map<string, string>();

  private constructor(
    /** The agency the report is about (`*` = everything). */
    readonly agency: { code: string; name: string },
    /** The subtree root, or null for everything. */
    private readonly root: string | null,
    private readonly tree: AgencyTree,
    readonly restate: boolean,
  ) {}

  /**
   * admin: any known agency, default everything; viewer: its own subtree by default, a requested
   * agency must lie within it (ScopeRefusedError otherwise, 403). Unknown agency:
   * UnknownAgencyError (404). Other roles: ScopeRefusedError.
   */
  static forPrincipal(
    principal: Principal,
    requested: string | undefined,
    tree: AgencyTree,
    options: ScopeOptions = {},
  ): ReportScope {
    const restate = options.restate ?? false;
    const known = (code: string) => {
      if (!tree.has(code)) throw new UnknownAgencyError(code);
      return { code, name: tree.get(code)?.name ?? code };
    };
    if (principal.role === 'admin') {
      if (requested === undefined) return new ReportScope({ ...ALL_AGENCIES }, null, tree, restate);
      return new ReportScope(known(requested), requested, tree, restate);
    }
    const own = principal.role === 'viewer' ? principal.agencyCodes[0] : undefined;
    if (own === undefined) throw new ScopeRefusedError('This key may not read reports');
    if (requested === undefined) {
      return new ReportScope({ code: own, name: tree.get(own)?.name ?? own }, own, tree, restate);
    }
    const agency = known(requested);
    if (!tree.isWithin(requested, own)) {
      throw new ScopeRefusedError(`agency ${requested} is outside the agency subtree of this key`);
    }
    return new ReportScope(agency, requested, tree, restate);
  }

  /**
   * The scope of work the service does on its own behalf (scheduled reports): `agency`'s subtree,
   * exactly what an admin asking for `agency=<agency>` gets. Takes no principal and is never built
   * from a request, so it cannot widen a caller's reach. Unknown agency: an Error.
   */
  static forSystem(agency: string, tree: AgencyTree, options: ScopeOptions = {}): ReportScope {
    const known = tree.get(agency);
    if (known === undefined) throw new Error(`agency ${agency} is not known`);
    return new ReportScope({ code: agency, name: known.name }, agency, tree, options.restate ?? false);
  }

  /**
   * Whether `principal` may read the whole subtree of `agency` — true exactly when
   * `forPrincipal(principal, agency, tree)` would not answer 403: any admin; a viewer when
   * `agency` is its own agency or lies below it. Other roles: false.
   */
  static permits(principal: Principal, agency: string, tree: AgencyTree): boolean {
    if (principal.role === 'admin') return true;
    const own = principal.role === 'viewer' ? principal.agencyCodes[0] : undefined;
    return own !== undefined && tree.isWithin(agency, own);
  }

  /** The subtree root (null: everything). */
  get subtreeRoot(): string | null {
    return this.root;
  }

  /** The agency tree the scope was derived from (the counter index's subtree aggregates follow it). */
  get agencyTree(): AgencyTree {
    return this.tree;
  }

  /** The agency a row of `code` counts under: itself, or with `restate` its newest successor. */
  attribute(code: string): string {
    if (!this.restate) return code;
    let known = this.restated.get(code);
    if (known === undefined) {
      known = successorOf(this.tree, code);
      this.restated.set(code, known);
    }
    return known;
  }

  /** True when an (attributed) agency lies within the scope. */
  includes(agency: string): boolean {
    if (this.root === null) return true;
    let known = this.within.get(agency);
    if (known === undefined) {
      known = this.tree.isWithin(agency, this.root);
      this.within.set(agency, known);
    }
    return known;
  }

  /** The row of II.06a by agency an (attributed, in-scope) agency belongs to: the scope agency's direct child containing it, or the scope agency itself. */
  childOf(agency: string): string {
    const chain = this.tree.ancestry(agency);
    if (this.root === null) return chain[chain.length - 1] ?? agency;
    const index = chain.indexOf(this.root);
    return index <= 0 ? this.root : (chain[index - 1] as string);
  }

  nameOf(agency: string): string {
    if (agency === ALL_AGENCIES.code) return ALL_AGENCIES.name;
    return this.tree.get(agency)?.name ?? agency;
  }

  /** The agencies of the reference data within the scope (for the dashboard's pickers). */
  agencies() {
    return this.tree.all().filter((agency) => this.includes(agency.code));
  }
}

/** Follows `successorCode` links to the end (today's agency); stops on a cycle. */
export function successorOf(tree: AgencyTree, code: string): string {
  const seen = new Set<string>();
  let current = code;
  for (;;) {
    seen.add(current);
    const next = tree.get(current)?.successorCode;
    if (next === undefined || seen.has(next)) return current;
    current = next;
  }
}
