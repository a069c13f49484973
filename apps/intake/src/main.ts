import 'reflect-metadata';
import { loadConfig } from '@tthc/config';
import { runService } from '@tthc/http';
import { IntakeModule } from './intake.module';

const config = loadConfig('intake', process.env);
void runService(config, IntakeModule.forRoot(config), {
  title: 'tthc-stats intake',
  description: 'The desk-facing API: dossier events, reference data, keys (docs/api.md §2–§4).',
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
