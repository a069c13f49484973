import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

/**
 * A message transport run beside the HTTP server: an `@nestjs/microservices` custom transport
 * strategy (libs/kafka's consumer of the service's topics). A module that provides one under
 * {@link MESSAGE_TRANSPORT} has it connected by `createService` (`app.connectMicroservice`) and
 * started by {@link startMessageTransports} (`app.startAllMicroservices`) before the HTTP listener.
 */
export interface MessageTransport {
  /** Connects the strategy to the application; its handlers are registered here. */
  connect(app: INestApplication): void;
}

/** Injection token of the service's {@link MessageTransport}, if it has one. */
export const MESSAGE_TRANSPORT = Symbol.for('tthc.message-transport');

/**
 * The application's message transport, or undefined when no module provides one. Looked up in the
 * module container rather than with `app.get`: a failed `app.get` is an exception inside Nest's
 * exceptions zone, which ends the process when the application aborts on errors (the default).
 */
export function messageTransportOf(app: INestApplication): MessageTransport | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    const wrapper = module.providers.get(MESSAGE_TRANSPORT);
    if (wrapper !== undefined) return wrapper.instance as MessageTransport;
  }
  return undefined;
}

/**
 * Runs the lifecycle hooks, then starts the connected microservices (the Kafka consumer: topics
 * ensured, handlers matched to subscriptions — a gap refuses to start —, consumers joined). The
 * caller listens for HTTP afterwards.
 */
export async function startMessageTransports(app: INestApplication): Promise<void> {
  await app.init();
  await app.startAllMicroservices();
}
