import { z } from 'zod';
import { defineQueue } from '@tthc/queue';

/** One job per run of a bulk import (docs/intake.md, "Bulk import of history"). */
export const INTAKE_IMPORTS = defineQueue({
  name: 'intake-imports',
  description: 'Validates and publishes the lines of an uploaded history file, chunk by chunk, with progress',
  data: z.object({ importId: z.string().min(1) }),
});
