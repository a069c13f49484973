import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INFRA_SCRIPT = resolve(__dirname, '../../../deploy/local/infra.sh');

/**
 * Stops or starts the suite's Kafka. Locally that is deploy/local/infra.sh; against other servers
 * set TTHC_TEST_KAFKA_STOP / TTHC_TEST_KAFKA_START to shell commands that do it
 * (e.g. `docker compose stop kafka`).
 */
export async function controlKafka(action: 'stop' | 'start'): Promise<void> {
  const custom = action === 'stop' ? process.env.TTHC_TEST_KAFKA_STOP : process.env.TTHC_TEST_KAFKA_START;
  if (custom !== undefined && custom !== '') {
    await run('bash', ['-c', custom], { timeout: 180_000 });
    return;
  }
  await run('bash', [INFRA_SCRIPT, action, 'kafka'], { timeout: 180_000 });
}
