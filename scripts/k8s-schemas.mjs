#!/usr/bin/env node
// Writes kubeconform's JSON schemas ("standalone-strict": every $ref inlined, no property beyond
// those declared) from a Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of the
// k8s.io/kubernetes Go module), in the layout kubeconform's default schema location uses:
//   <out>/v<version>-standalone-strict/<kind>[-<group's first label>]-<version>.json
// Usage: node scripts/k8s-schemas.mjs <swagger.json> <out dir> <kubernetes version, e.g. 1.34.2> [CRD YAML files...]
// CustomResourceDefinitions given after the version add a schema per served version of their
// kind (their openAPIV3Schema, made strict the same way; x-kubernetes-preserve-unknown-fields
// objects stay open, x-kubernetes-int-or-string accepts a string or an integer).
// The same conversion as the openapi2jsonschema tool kubeconform's own schemas are made with:
// int-or-string and Quantity accept a string or a number, object types with declared properties
// get additionalProperties: false, and kind and apiVersion are fixed to the resource's.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const [swaggerPath, outDir, version, ...crdPaths] = process.argv.slice(2);
if (!swaggerPath || !outDir || !/^\d+\.\d+\.\d+$/.test(version ?? '')) {
  console.error('usage: node scripts/k8s-schemas.mjs <swagger.json> <out dir> <kubernetes version, e.g. 1.34.2>');
  process.exit(2);
}
const definitions = JSON.parse(readFileSync(swaggerPath, 'utf8')).definitions;
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const NESTED = new Set(['items', 'additionalProperties', 'not']);
const NESTED_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

/** The schema with every $ref inlined (a recursive reference becomes an open schema). */
function standalone(schema, stack) {
  if (schema === null || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/definitions\//, '');
    const { $ref: _ref, ...siblings } = schema;
    if (stack.includes(name)) return { description: `${name} (recursive, not checked)` };
    const target =
      name === QUANTITY
        ? { description: definitions[name]?.description, oneOf: [{ type: 'string' }, { type: 'number' }] }
        : standalone(definitions[name], [...stack, name]);
    return { ...target, ...standalone(siblings, stack) };
  }
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true) {
    return { description: schema.description, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, standalone(sub, stack)]));
    } else if (NESTED.has(key) && typeof value === 'object') out[key] = standalone(value, stack);
    else if (NESTED_LISTS.has(key)) out[key] = value.map((sub) => standalone(sub, stack));
    else out[key] = value;
  }
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties !== undefined && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

const dir = join(outDir, `v${version}-standalone-strict`);
mkdirSync(dir, { recursive: true });
let written = 0;
const resources = Object.entries(definitions).flatMap(([name, definition]) =>
  (definition['x-kubernetes-group-version-kind'] ?? []).map((gvk) => ({
    gvk,
    schema: () => standalone(definition, [name]),
  })),
);
for (const path of crdPaths) {
  for (const document of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const crd = document.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const served of crd.spec.versions ?? []) {
      const openapi = served.schema?.openAPIV3Schema;
      if (openapi === undefined) continue;
      const gvk = { group: crd.spec.group, version: served.name, kind: crd.spec.names.kind };
      resources.push({ gvk, schema: () => standalone(openapi, []) });
    }
  }
}
for (const { gvk, schema: make } of resources) {
  const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
  const schema = make();
  if (schema.properties?.kind !== undefined) schema.properties.kind = { ...schema.properties.kind, enum: [gvk.kind] };
  if (schema.properties?.apiVersion !== undefined) {
    schema.properties.apiVersion = { ...schema.properties.apiVersion, enum: [apiVersion] };
  }
  const group = gvk.group === '' ? '' : `-${gvk.group.split('.')[0]}`;
  const file = `${gvk.kind}${group}-${gvk.version}.json`.toLowerCase();
  writeFileSync(join(dir, file), JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', ...schema }));
  written++;
}
console.error(`${written} schemas written to ${dir}`);
