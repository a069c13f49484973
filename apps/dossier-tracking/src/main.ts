import 'reflect-metadata';
import { loadConfig } from '@tthc/config';
import { runService } from '@tthc/http';
import { DossierTrackingModule } from './dossier-tracking.module';

const config = loadConfig('dossier-tracking', process.env);
void runService(config, DossierTrackingModule.forRoot(config), {
  title: 'tthc-stats dossier-tracking',
  description:
    'Dossier state, due dates on the working calendar, overdue timers (docs/counting-rules.md, docs/api.md §5).',
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
