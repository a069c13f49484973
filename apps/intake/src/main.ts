import 'reflect-metadata';
import { loadConfig } from '@tthc/config';
import { runService } from '@tthc/http';
import { IMPORTS_PATH } from './import/imports.controller';
import { IntakeModule } from './intake.module';

const config = loadConfig('intake', process.env);
void runService(config, IntakeModule.forRoot(config), {
  title: 'tthc-stats intake',
  description: 'The desk-facing API: dossier events, reference data, keys (CONTRACT §2–§4).',
  bodyLimit: '8mb',
  // Bulk imports stream their body into MongoDB with their own limit (INTAKE_IMPORT_MAX_BYTES).
  streamedPaths: [IMPORTS_PATH],
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
