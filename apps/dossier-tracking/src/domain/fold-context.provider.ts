import { Injectable } from '@nestjs/common';
import type { AccessKey } from '@tthc/contracts';
import { ReferenceData, type AgencyTree } from '@tthc/reference';
import type { ScopeFallback } from './desk-scope';
import type { FoldContext } from './fold';

/**
 * The desk scope of envelopes intake did not stamp (accepted before it stamped them), from the key
 * directory and the agency tree this replica knows (docs/dossier-tracking.md, "Desk scope").
 */
export function scopeFallbackOf(keys: readonly AccessKey[], tree: AgencyTree): ScopeFallback {
  const byId = new Map(keys.map((key) => [key.id, key]));
  return {
    scopeOfDesk: (deskId) => {
      const key = byId.get(deskId);
      // The bootstrap admin ('admin'), and desk names of bulk imports (admin-only), are no desk key.
      if (key === undefined || key.role === 'admin') return 'admin';
      return key.agencyCodes;
    },
    lineageOf: (code) => tree.ancestry(code),
  };
}

/**
 * What the fold needs from reference data: procedures (field, processing time), the working
 * calendar, and the desk-scope fallback.
 */
@Injectable()
export class FoldContextProvider {
  constructor(private readonly reference: ReferenceData) {}

  current(): FoldContext {
    const reference = this.reference;
    return {
      procedure: (code) => {
        const procedure = reference.procedure(code);
        return procedure === undefined
          ? undefined
          : { fieldCode: procedure.fieldCode, processingTime: procedure.processingTime };
      },
      due: reference.calendar(),
      desks: scopeFallbackOf(reference.all('key'), reference.agencies()),
    };
  }
}
