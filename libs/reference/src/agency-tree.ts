import type { Agency } from '@tthc/contracts';

/**
 * The agency hierarchy (docs/api.md §3) as a lookup: parent links, subtree membership, and the
 * successor chain of agencies that ceased to exist (2025 reorganisation).
 */
export class AgencyTree {
  private readonly byCode: ReadonlyMap<string, Agency>;

  constructor(agencies: Iterable<Agency>) {
    this.byCode = new Map([...agencies].map((agency) => [agency.code, agency]));
  }

  get(code: string): Agency | undefined {
    return this.byCode.get(code);
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  all(): Agency[] {
    return [...this.byCode.values()];
  }

  /** The codes from `code` up to its root (itself first); stops on an unknown parent or a cycle. */
  ancestry(code: string): string[] {
    const chain: string[] = [];
    let current: string | null | undefined = code;
    while (current !== null && current !== undefined && !chain.includes(current)) {
      chain.push(current);
      current = this.byCode.get(current)?.parentCode;
    }
    return chain;
  }

  /** True when `code` is `root` or lies below it. */
  isWithin(code: string, root: string): boolean {
    return this.ancestry(code).includes(root);
  }

  /** True when `code` lies within at least one of `roots`. */
  isWithinAny(code: string, roots: readonly string[]): boolean {
    const chain = this.ancestry(code);
    return roots.some((root) => chain.includes(root));
  }
}

export interface AgencyProblem {
  index: number;
  path: string;
  message: string;
}

/**
 * Validates an upload of agencies against those already known: parents must exist (in the
 * upload or already), the hierarchy has no cycle, validity dates are ordered, and a successor
 * exists.
 */
export function validateAgencyUpload(upload: readonly Agency[], existing: Iterable<Agency>): AgencyProblem[] {
  const problems: AgencyProblem[] = [];
  const merged = new Map([...existing].map((agency) => [agency.code, agency]));
  const seen = new Set<string>();
  upload.forEach((agency, index) => {
    if (seen.has(agency.code))
      problems.push({ index, path: 'code', message: `${agency.code} appears twice in the upload` });
    seen.add(agency.code);
    merged.set(agency.code, agency);
  });
  upload.forEach((agency, index) => {
    if (agency.parentCode !== null && !merged.has(agency.parentCode)) {
      problems.push({ index, path: 'parentCode', message: `unknown parent agency ${agency.parentCode}` });
    }
    if (agency.parentCode === agency.code)
      problems.push({ index, path: 'parentCode', message: 'an agency cannot be its own parent' });
    if (agency.validFrom !== undefined && agency.validTo !== undefined && agency.validTo < agency.validFrom) {
      problems.push({
        index,
        path: 'validTo',
        message: `validTo ${agency.validTo} is before validFrom ${agency.validFrom}`,
      });
    }
    if (agency.successorCode !== undefined && !merged.has(agency.successorCode)) {
      problems.push({ index, path: 'successorCode', message: `unknown successor agency ${agency.successorCode}` });
    }
    if (agency.successorCode === agency.code)
      problems.push({ index, path: 'successorCode', message: 'an agency cannot succeed itself' });
  });
  upload.forEach((agency, index) => {
    const visited = new Set<string>();
    let current: string | null | undefined = agency.code;
    while (current !== null && current !== undefined) {
      if (visited.has(current)) {
        problems.push({ index, path: 'parentCode', message: `the hierarchy has a cycle through ${current}` });
        break;
      }
      visited.add(current);
      current = merged.get(current)?.parentCode;
    }
  });
  return problems;
}
