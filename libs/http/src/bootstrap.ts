import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { documentStandardProblems } from './openapi';
import type { AppConfig } from '@tthc/config';
import { installHttpObservability, ServiceLogger } from '@tthc/observability';
import { messageTransportOf, startMessageTransports } from './message-transport';
import { problem, ProblemFilter, sendProblem, statusOfLibraryError } from './problem';

export interface ServiceOptions {
  title: string;
  description: string;
}

/**
 * Creates a service's Nest application: problem errors, OpenAPI at /docs, graceful shutdown, and
 * its message transport (the Kafka consumer) connected as a microservice.
 * No body parser: a route reads its own body after authentication, with its own size limit
 * (`readJson`, `readJsonOrNdjson`, `bodyChunks` of ./body), so an anonymous or over-limit request
 * is refused before any of its body is buffered.
 */
export async function createService(
  config: AppConfig,
  module: DynamicModule,
  options: ServiceOptions,
): Promise<INestApplication> {
  const logger = new ServiceLogger(config.service, { format: config.logFormat, level: config.logLevel });
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger });
  // First: request id (X-Request-Id / traceparent), HTTP metrics and the access log for every request.
  installHttpObservability(app);
  // The client address of `request.ip` (failed-authentication throttling): behind N trusted
  // proxies, the N-th address from the right of X-Forwarded-For.
  app.set('trust proxy', config.trustProxyHops);
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    const status = statusOfLibraryError(error);
    if (status === undefined) {
      next(error);
      return;
    }
    sendProblem(response, { ...problem(status, (error as Error).message), instance: request.originalUrl });
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
  messageTransportOf(app)?.connect(app);
  return app;
}

/** Starts a service from `main.ts` and logs where it listens. */
export async function runService(config: AppConfig, module: DynamicModule, options: ServiceOptions): Promise<void> {
  const app = await createService(config, module, options);
  const logger = new Logger('bootstrap');
  for (const warning of config.warnings) logger.warn(`configuration: ${warning}`);
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
  await startMessageTransports(app);
  await app.listen(config.port, '0.0.0.0');
  logger.log(`${config.service} listening on :${config.port}`);
}
