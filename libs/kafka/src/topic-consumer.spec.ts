import { ACCESS_KEYS, DOSSIER_EVENTS, DOSSIER_FACTS } from '@tthc/contracts';
import { HandlerRegistrationError, matchHandlers } from './topic-consumer';

const handler = { handleBatch: () => Promise.resolve() };

describe('matchHandlers: the service refuses to boot on a gap', () => {
  it('pairs each subscribed topic with its handler', () => {
    const map = matchHandlers(
      [DOSSIER_EVENTS, ACCESS_KEYS],
      [
        { topic: DOSSIER_EVENTS, handler, owner: 'A' },
        { topic: ACCESS_KEYS, handler, owner: 'B' },
      ],
    );
    expect([...map.keys()].sort()).toEqual([ACCESS_KEYS.name, DOSSIER_EVENTS.name].sort());
  });

  it('refuses a subscribed topic without a handler', () => {
    expect(() =>
      matchHandlers([DOSSIER_EVENTS, DOSSIER_FACTS], [{ topic: DOSSIER_EVENTS, handler, owner: 'A' }]),
    ).toThrow(/tthc\.dossier-facts\.v1 has no handler/);
  });

  it('refuses a handler for a topic that is not subscribed, and two handlers for one topic', () => {
    expect(() => matchHandlers([], [{ topic: DOSSIER_EVENTS, handler, owner: 'A' }])).toThrow(HandlerRegistrationError);
    expect(() =>
      matchHandlers(
        [DOSSIER_EVENTS],
        [
          { topic: DOSSIER_EVENTS, handler, owner: 'A' },
          { topic: DOSSIER_EVENTS, handler, owner: 'B' },
        ],
      ),
    ).toThrow(/more than one handler/);
  });
});
