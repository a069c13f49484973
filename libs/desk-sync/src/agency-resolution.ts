import { foldName } from './portal-records';

/** What agency resolution needs of the reference data. */
export interface AgencyDirectory {
  /** True for a known agency code. */
  has(code: string): boolean;
  /** The codes of the agencies whose folded name (`foldName`) is this. */
  named(folded: string): readonly string[];
}

export type UnitResolution =
  | { ok: true; agencyCode: string; receivingAgencyCode?: string; via: 'code' | 'name' | 'prefix' | 'key' }
  | { ok: false; message: string };

/** The agency code a MaHoSo starts with (`000.00.12.H56-170314-0001` → `000.00.12.H56`), if known. */
export function prefixAgency(maHoSo: string, directory: AgencyDirectory): string | undefined {
  const prefix = maHoSo.split('-')[0] ?? '';
  return prefix !== '' && directory.has(prefix) ? prefix : undefined;
}

/**
 * The handling agency of a snapshot (docs/desk-sync.md, "Agency resolution"): `DonViXuLy` when it
 * is a known agency code or the name of exactly one agency (accents and case ignored); else the
 * agency code the MaHoSo starts with; else the desk key's only agency; else refused. The MaHoSo
 * prefix is also the receiving agency (the one-stop desk that numbered the dossier).
 */
export function resolveUnit(
  unit: string | undefined,
  maHoSo: string,
  directory: AgencyDirectory,
  keyAgencies: readonly string[] | 'admin',
): UnitResolution {
  const prefix = prefixAgency(maHoSo, directory);
  const receiving = prefix === undefined ? {} : { receivingAgencyCode: prefix };
  let ambiguous: readonly string[] = [];
  if (unit !== undefined) {
    if (directory.has(unit)) return { ok: true, agencyCode: unit, via: 'code', ...receiving };
    const named = directory.named(foldName(unit));
    if (named.length === 1) return { ok: true, agencyCode: named[0] as string, via: 'name', ...receiving };
    ambiguous = named;
  }
  if (prefix !== undefined) return { ok: true, agencyCode: prefix, via: 'prefix', ...receiving };
  if (keyAgencies !== 'admin' && keyAgencies.length === 1) {
    return { ok: true, agencyCode: keyAgencies[0] as string, via: 'key' };
  }
  const what =
    unit === undefined
      ? 'DonViXuLy is missing'
      : ambiguous.length > 1
        ? `DonViXuLy "${unit}" names ${ambiguous.length} agencies (${ambiguous.slice(0, 5).join(', ')})`
        : `DonViXuLy "${unit}" is neither a known agency code nor the name of one`;
  return {
    ok: false,
    message: `${what}, MaHoSo does not start with a known agency code and the key has not exactly one agency: the handling agency is unknown`,
  };
}

/** A name index of agencies for `AgencyDirectory.named`. */
export function nameIndex(agencies: Iterable<{ code: string; name: string }>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const { code, name } of agencies) {
    const folded = foldName(name);
    const codes = index.get(folded) ?? [];
    codes.push(code);
    index.set(folded, codes);
  }
  return index;
}
