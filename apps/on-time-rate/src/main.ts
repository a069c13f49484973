import 'reflect-metadata';
import { loadConfig } from '@tthc/config';
import { runService } from '@tthc/http';
import { OnTimeRateModule } from './on-time-rate.module';

const config = loadConfig('on-time-rate', process.env);
void runService(config, OnTimeRateModule.forRoot(config), {
  title: 'tthc-stats on-time-rate',
  description: 'Outcome classification (early / on time / late) and counters (docs/counting-rules.md §5).',
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
