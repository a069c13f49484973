import { SetMetadata } from '@nestjs/common';
import type { JobDataOf, QueueDefinition } from './queue-definition';
import type { RunningJob } from './queue-port';

export const QUEUE_HANDLER = Symbol('QUEUE_HANDLER');

/** Processes the jobs of one queue; its data has already passed the queue's schema. */
export interface QueueJobHandler<Q extends QueueDefinition> {
  process(data: JobDataOf<Q>, job: RunningJob): Promise<unknown>;
}

/** Marks a provider as the worker of a queue; the service refuses to boot without one. */
export const ProcessesQueue = (queue: QueueDefinition): ClassDecorator => SetMetadata(QUEUE_HANDLER, queue);

export class QueueRegistrationError extends Error {
  constructor(problems: string[]) {
    super(`Queue workers do not match queues: ${problems.join('; ')}`);
    this.name = 'QueueRegistrationError';
  }
}

export function matchQueueHandlers(
  queues: readonly QueueDefinition[],
  handlers: readonly { queue: QueueDefinition; handler: QueueJobHandler<QueueDefinition>; owner: string }[],
): Map<string, QueueJobHandler<QueueDefinition>> {
  const problems: string[] = [];
  const names = new Set(queues.map((queue) => queue.name));
  const byQueue = new Map<string, QueueJobHandler<QueueDefinition>>();
  for (const { queue, handler, owner } of handlers) {
    if (!names.has(queue.name)) problems.push(`${owner} processes ${queue.name}, which is not registered`);
    else if (byQueue.has(queue.name)) problems.push(`${queue.name} has more than one worker (${owner})`);
    else byQueue.set(queue.name, handler);
  }
  for (const queue of queues) if (!byQueue.has(queue.name)) problems.push(`queue ${queue.name} has no worker`);
  if (problems.length > 0) throw new QueueRegistrationError(problems);
  return byQueue;
}
