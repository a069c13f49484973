import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { documentStandardProblems, schema, schemaOfZod } from './openapi';

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

function documentWith(paths: OpenAPIObject['paths']): OpenAPIObject {
  return { openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: {} };
}

describe('documentStandardProblems', () => {
  it('gives every /v1 operation the bearer requirement, 401 and 403, as problem documents', () => {
    const document = documentStandardProblems(
      documentWith({ '/v1/things': { get: { responses: { 200: { description: 'ok' } } } } }),
    );
    const operation = document.paths['/v1/things']?.get;
    expect(operation?.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '401', '403']);
    expect(operation?.responses['401']).toMatchObject({ content: PROBLEM });
    expect(operation?.responses['200']).toEqual({ description: 'ok' });
    expect(document.components?.schemas?.Problem).toMatchObject({ required: ['type', 'title', 'status'] });
  });

  it('leaves public routes public and keeps a route-specific description', () => {
    const document = documentStandardProblems(
      documentWith({
        '/health/live': { get: { responses: { 200: { description: 'ok' } } } },
        '/v1/x': { get: { security: [{ bearer: [] }], responses: { 403: { description: 'not yours' } } } },
      }),
    );
    expect(document.paths['/health/live']?.get?.security).toBeUndefined();
    expect(Object.keys(document.paths['/health/live']?.get?.responses ?? {})).toEqual(['200']);
    expect(document.paths['/v1/x']?.get?.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/v1/x']?.get?.responses['403']).toEqual({ description: 'not yours', content: PROBLEM });
  });

  it('adds 400, 413 and 415 to operations with a body; NDJSON and CSV bodies are text', () => {
    const document = documentStandardProblems(
      documentWith({
        '/v1/events': {
          post: {
            requestBody: {
              content: {
                'application/json': { schema: { type: 'object' } },
                'application/x-ndjson': { schema: { type: 'object' } },
              },
            },
            responses: { 202: { description: 'accepted' }, 429: { description: 'slow down' } },
          },
        },
      }),
    );
    const operation = document.paths['/v1/events']?.post;
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['202', '400', '401', '403', '413', '415', '429']);
    expect(operation?.responses['429']).toMatchObject({ description: 'slow down', content: PROBLEM });
    expect(operation?.requestBody).toEqual({
      content: {
        'application/json': { schema: { type: 'object' } },
        'application/x-ndjson': { schema: { type: 'string' } },
      },
    });
  });
});

describe('schemaOfZod', () => {
  const shape = z.object({ code: z.string().min(1), parent: z.string().nullable(), note: z.string().optional() });

  it('describes a request as the contract validates it', () => {
    expect(schemaOfZod(shape)).toEqual({
      type: 'object',
      properties: {
        code: { type: 'string', minLength: 1 },
        parent: { type: 'string', nullable: true },
        note: { type: 'string' },
      },
      required: ['code', 'parent'],
    });
  });

  it('keeps a strict request body closed', () => {
    expect(schemaOfZod(shape.strict())).toMatchObject({ additionalProperties: false });
  });

  it('leaves answers open to more properties, also nested and in unions', () => {
    const answer = schemaOfZod(
      z.object({ inner: z.object({ a: z.number() }), either: z.union([z.object({ b: z.string() }), z.null()]) }),
      'output',
    );
    expect(JSON.stringify(answer)).not.toContain('additionalProperties');
    expect(answer).toMatchObject({ properties: { inner: { properties: { a: { type: 'number' } } } } });
  });
});

describe('schema builders', () => {
  it('require every property not named optional', () => {
    expect(schema.object({ a: schema.string(), b: schema.integer() }, ['b'])).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'integer' } },
      required: ['a'],
    });
    expect(schema.object({ a: schema.string() }, ['a'])).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
    });
    expect(schema.nullable(schema.instant())).toEqual({ type: 'string', format: 'date-time', nullable: true });
  });
});
