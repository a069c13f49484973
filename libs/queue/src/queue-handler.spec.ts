import { z } from 'zod';
import { defineQueue } from './queue-definition';
import { matchQueueHandlers, QueueRegistrationError } from './queue-handler';

const timers = defineQueue({
  name: 'overdue-timers',
  description: 'test',
  data: z.object({ dossierCode: z.string() }),
});
const reports = defineQueue({ name: 'scheduled-reports', description: 'test', data: z.object({}) });
const handler = { process: () => Promise.resolve() };

describe('matchQueueHandlers: the service refuses to boot when a queue has no worker', () => {
  it('pairs queues with workers', () => {
    expect(matchQueueHandlers([timers], [{ queue: timers, handler, owner: 'A' }]).size).toBe(1);
  });

  it('refuses a queue without a worker and a worker without a queue', () => {
    expect(() => matchQueueHandlers([timers, reports], [{ queue: timers, handler, owner: 'A' }])).toThrow(
      /queue scheduled-reports has no worker/,
    );
    expect(() => matchQueueHandlers([], [{ queue: timers, handler, owner: 'A' }])).toThrow(QueueRegistrationError);
  });
});
