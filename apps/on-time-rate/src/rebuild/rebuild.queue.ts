import { z } from 'zod';
import { defineQueue } from '@tthc/queue';

/** One job per requested rebuild (docs/counting.md, "Rebuild"). */
export const OTR_REBUILDS = defineQueue({
  name: 'otr-rebuilds',
  description:
    'Reclassifies every stored dossier under the current counting policies, compares the counters, corrects them',
  data: z.object({ rebuildId: z.string().min(1) }),
});

/** Attempts of a rebuild job before the rebuild is marked failed. */
export const REBUILD_ATTEMPTS = 3;
