import type { INestApplication } from '@nestjs/common';

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

/** The application's message transport, or undefined when no module provides one. */
export function messageTransportOf(app: INestApplication): MessageTransport | undefined {
  try {
    return app.get<MessageTransport>(MESSAGE_TRANSPORT, { strict: false });
  } catch (error) {
    if ((error as { name?: unknown }).name === 'UnknownElementException') return undefined;
    throw error;
  }
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
