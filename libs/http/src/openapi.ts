import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  PathItemObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from './problem';

export type { SchemaObject };

/** The schema of every error body (RFC 9457 problem details, `ProblemDetails`). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'the invalid items or parameters, where the answer lists them',
      items: { type: 'object' },
    },
  },
};

/** The problem answers every operation of a kind can give, added where a controller did not document them. */
const STANDARD_PROBLEMS = {
  protected: {
    401: 'missing, wrong or revoked key (WWW-Authenticate: Bearer)',
    403: "this key's role may not call this endpoint",
  },
  withBody: {
    400: 'the body is malformed or invalid',
    413: 'the body is too large',
    415: 'unsupported Content-Type',
  },
} as const;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** A JSON answer with a schema (`application/json`). */
export function ApiJson(status: number, description: string, schema: SchemaObject): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema } } });
}

/** A problem answer (`application/problem+json`, PROBLEM_SCHEMA) with the situations that give it. */
export function ApiProblem(status: number, description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description: `${PROBLEM_CONTENT_TYPE}: ${description}` });
}

/** Several problem answers at once: `{404: 'unknown dossier', …}`. */
export function ApiProblems(answers: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(...Object.entries(answers).map(([status, text]) => ApiProblem(Number(status), text)));
}

/**
 * The rules every service's OpenAPI document follows, in one place (applied by createService):
 * - every `/v1` operation needs a bearer key: it lists the `bearer` security requirement and the
 *   401 and 403 answers of the AuthGuard;
 * - every operation with a request body can answer 400, 413 and 415 (libs/http body parsing);
 *   a body schema (@ApiBody) describes the JSON form; other media types (NDJSON, CSV) are text;
 * - every 4xx and 5xx answer is a problem document: `application/problem+json`, PROBLEM_SCHEMA.
 */
export function documentStandardProblems(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  const problemRef: ReferenceObject = { $ref: '#/components/schemas/Problem' };
  for (const [path, item] of Object.entries<PathItemObject>(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation === undefined) continue;
      const added: Record<number, string> = {};
      if (path === '/v1' || path.startsWith('/v1/')) {
        if (!(operation.security ?? []).some((requirement) => 'bearer' in requirement)) {
          operation.security = [...(operation.security ?? []), { bearer: [] }];
        }
        Object.assign(added, STANDARD_PROBLEMS.protected);
      }
      const body = operation.requestBody;
      if (body !== undefined) {
        Object.assign(added, STANDARD_PROBLEMS.withBody);
        if (!('$ref' in body)) {
          for (const [type, media] of Object.entries(body.content)) {
            if (type !== 'application/json') media.schema = { type: 'string' };
          }
        }
      }
      for (const [status, description] of Object.entries(added)) {
        operation.responses[status] ??= { description: `${PROBLEM_CONTENT_TYPE}: ${description}` };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || response === undefined || '$ref' in response) continue;
        response.content = { [PROBLEM_CONTENT_TYPE]: { schema: problemRef } };
      }
    }
  }
  return document;
}

/**
 * Small builders of response and request schemas (OpenAPI 3.0). Objects list their properties;
 * every property is required unless named in `optional`; more properties are allowed (answers may
 * grow, docs/api.md §7: extended, never broken).
 */
export const schema = {
  string: (extra: SchemaObject = {}): SchemaObject => ({ type: 'string', ...extra }),
  integer: (extra: SchemaObject = {}): SchemaObject => ({ type: 'integer', ...extra }),
  number: (extra: SchemaObject = {}): SchemaObject => ({ type: 'number', ...extra }),
  boolean: (): SchemaObject => ({ type: 'boolean' }),
  /** An ISO 8601 instant as the services write it (`2017-03-14T02:12:00.000Z`). */
  instant: (): SchemaObject => ({ type: 'string', format: 'date-time' }),
  /** A local date `YYYY-MM-DD`. */
  date: (): SchemaObject => ({ type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  enumOf: (values: readonly string[]): SchemaObject => ({ type: 'string', enum: [...values] }),
  nullable: (inner: SchemaObject): SchemaObject => ({ ...inner, nullable: true }),
  array: (items: SchemaObject, extra: SchemaObject = {}): SchemaObject => ({ type: 'array', items, ...extra }),
  object: (properties: Record<string, SchemaObject>, optional: readonly string[] = []): SchemaObject => {
    const required = Object.keys(properties).filter((name) => !optional.includes(name));
    return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
  },
  /** Any JSON object (its shape documented elsewhere). */
  anyObject: (): SchemaObject => ({ type: 'object' }),
};

/**
 * The OpenAPI 3.0 schema of a zod schema (libs/contracts): what a request must be (`input`, the
 * default) or what an answer carries (`output`). One home for each shape: the contract itself.
 */
export function schemaOfZod(source: z.ZodType, io: 'input' | 'output' = 'input'): SchemaObject {
  const generated = z.toJSONSchema(source, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete generated.$schema;
  // zod closes output objects (additionalProperties: false); answers may grow, so they stay open.
  return io === 'output' ? openObjects(generated) : generated;
}

function openObjects(node: Record<string, unknown>): Record<string, unknown> {
  const opened: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    if (Array.isArray(value)) {
      opened[key] = value.map((item: unknown) => (isRecord(item) ? openObjects(item) : item));
    } else opened[key] = isRecord(value) ? openObjects(value) : value;
  }
  return opened;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
