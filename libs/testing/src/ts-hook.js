/*
 * Lets a plain `node` process run the TypeScript sources (tests that need a service in its own
 * process, e.g. to measure its memory): `node -r libs/testing/src/ts-hook.js apps/intake/src/main.ts`.
 * Compiles each .ts file with @swc/core as jest.config.js does, and maps `@tthc/<lib>` to
 * libs/<lib>/src like tsconfig.json's paths.
 */
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '../../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@tthc\/([a-z-]+)$/.exec(request);
  return resolveFilename.call(this, lib ? join(root, 'libs', lib[1], 'src', 'index.ts') : request, ...rest);
};
Module._extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
