import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Content types of the files the dashboard ships; any other file in the folder is not served. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Plain file names only: no separators, no leading dot, so no way out of the folder. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$/;

export interface DashboardAsset {
  name: string;
  contentType: string;
  body: Buffer;
  etag: string;
}

/**
 * The dashboard's static files, read once at start-up from `public/` next to this file (the
 * TypeScript sources under Jest, `dist/apps/reporting/src/dashboard/public` once built: the
 * build copies the folder, tools/copy-assets.mjs). Requests are answered from this map by exact
 * file name, so a path can never reach another file.
 */
@Injectable()
export class DashboardAssets {
  private readonly logger = new Logger(DashboardAssets.name);
  private readonly files = new Map<string, DashboardAsset>();

  constructor() {
    this.load(DashboardAssets.folder());
  }

  /** The folder the assets are read from. */
  static folder(): string {
    return join(__dirname, 'public');
  }

  private load(folder: string): void {
    if (!existsSync(folder)) {
      this.logger.error(`dashboard assets missing: ${folder} (the build must copy them, tools/copy-assets.mjs)`);
      return;
    }
    for (const name of readdirSync(folder)) {
      const contentType = CONTENT_TYPES[extname(name).toLowerCase()];
      const path = join(folder, name);
      if (contentType === undefined || !SAFE_NAME.test(name) || !statSync(path).isFile()) continue;
      const body = readFileSync(path);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      this.files.set(name, { name, contentType, body, etag });
    }
  }

  /** The asset of that exact file name, or undefined. */
  get(name: string): DashboardAsset | undefined {
    return SAFE_NAME.test(name) ? this.files.get(name) : undefined;
  }

  names(): string[] {
    return [...this.files.keys()].sort();
  }
}
