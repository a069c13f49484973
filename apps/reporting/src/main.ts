import 'reflect-metadata';
import { loadConfig } from '@tthc/config';
import { runService } from '@tthc/http';
import { ReportingModule } from './reporting.module';

const config = loadConfig('reporting', process.env);
void runService(config, ReportingModule.forRoot(config), {
  title: 'tthc-stats reporting',
  description: 'Reports (docs/api.md §5), exports and the web dashboard.',
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
