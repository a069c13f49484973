import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';

const PROBLEM = 'application/problem+json';

/** 401/403 problem answers of every `/v1` route (docs/api.md §2). */
export function ApiAuthProblems(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ApiResponse({ status: 401, description: `${PROBLEM}: missing or wrong key` }),
    ApiResponse({ status: 403, description: `${PROBLEM}: this key's role may not call this endpoint` }),
  );
}

/** The answers of a validated, published write: 400 listing problems, 415, 503 with Retry-After. */
export function ApiWriteProblems(): MethodDecorator {
  return applyDecorators(
    ApiResponse({
      status: 400,
      description: `${PROBLEM} with errors: [{index?, path, message}]; nothing was stored or published`,
    }),
    ApiResponse({ status: 413, description: `${PROBLEM}: body too large` }),
    ApiResponse({ status: 415, description: `${PROBLEM}: Content-Type is not application/json` }),
    ApiResponse({ status: 503, description: `${PROBLEM}: Kafka unavailable; retry after Retry-After seconds` }),
  );
}
