import type { z } from 'zod';

/** A BullMQ queue as code: its name and the validated shape of its jobs' data. */
export interface QueueDefinition<D extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly data: D;
}

export function defineQueue<D extends z.ZodType>(definition: QueueDefinition<D>): QueueDefinition<D> {
  return definition;
}

export type JobDataOf<Q extends QueueDefinition> = z.infer<Q['data']>;
