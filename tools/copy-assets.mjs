// Copies the static files the services serve into dist/ after tsc (tsc emits only .ts and .json):
// the reporting dashboard (apps/reporting/src/dashboard/public). Run by `npm run build`.
// Lives in tools/ (not scripts/) because the Docker build context leaves scripts/ out.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['apps/reporting/src/dashboard/public'];

for (const folder of FOLDERS) {
  const source = join(root, folder);
  const target = join(root, 'dist', folder);
  if (!existsSync(source)) {
    console.error(`copy-assets: ${folder} is missing`);
    process.exit(1);
  }
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
}
