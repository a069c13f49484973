import { Logger, type DynamicModule, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppConfig } from '@tthc/config';
import { documentStandardProblems } from './openapi';
import { problem, ProblemFilter, sendProblem, statusOfLibraryError } from './problem';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

export interface ServiceOptions {
  title: string;
  description: string;
  /** Largest accepted request body. */
  bodyLimit?: string;
  /**
   * Path prefixes whose request bodies are not buffered: their controllers read the request
   * stream themselves and enforce their own size limit (large uploads).
   */
  streamedPaths?: readonly string[];
}

/** Creates a service's Nest application: problem errors, OpenAPI at /docs, graceful shutdown. */
export async function createService(
  config: AppConfig,
  module: DynamicModule,
  options: ServiceOptions,
): Promise<INestApplication> {
  const logLevels = LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1);
  const app = await NestFactory.create(module, { bodyParser: false, logger: logLevels });
  const limit = options.bodyLimit ?? '1mb';
  // Raw bytes for every request: controllers parse JSON and NDJSON themselves so that malformed
  // input, wrong content types and size limits all answer with problem documents.
  const streamed = options.streamedPaths ?? [];
  const buffered = (request: Request) => !streamed.some((prefix) => request.path.startsWith(prefix));
  app.use(express.raw({ type: (request) => buffered(request as Request), limit }));
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    const status = statusOfLibraryError(error);
    if (status === undefined) {
      next(error);
      return;
    }
    const detail = status === 413 ? `request body larger than ${limit}` : (error as Error).message;
    sendProblem(response, { ...problem(status, detail), instance: request.originalUrl });
  });
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  const document = documentStandardProblems(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(options.title)
        .setDescription(options.description)
        .setVersion('1')
        .addBearerAuth()
        .build(),
    ),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** Starts a service from `main.ts` and logs where it listens. */
export async function runService(config: AppConfig, module: DynamicModule, options: ServiceOptions): Promise<void> {
  const app = await createService(config, module, options);
  const logger = new Logger('bootstrap');
  // Nest's shutdown hooks drain in-flight work; this bounds how long the drain may take.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: draining (at most ${config.shutdownTimeoutMs} ms)`);
      setTimeout(() => {
        logger.error(`shutdown did not finish within ${config.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
    });
  }
  await app.listen(config.port, '0.0.0.0');
  logger.log(`${config.service} listening on :${config.port}`);
}
