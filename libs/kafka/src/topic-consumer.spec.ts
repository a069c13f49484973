import { ACCESS_KEYS, DOSSIER_EVENTS, DOSSIER_FACTS } from '@tthc/contracts';
import { HandlerRegistrationError, matchHandlers, type RegisteredHandler } from './topic-consumer';

const event = (): RegisteredHandler => ({ isEventHandler: true });
const registered = (entries: [string, RegisteredHandler][]) => new Map(entries);

describe('matchHandlers: @EventPattern handlers against subscriptions, the service refuses to boot on a gap', () => {
  it('pairs each subscribed topic with the handler whose pattern is its logical name', () => {
    const events = event();
    const keys = event();
    const map = matchHandlers(
      [DOSSIER_EVENTS, ACCESS_KEYS],
      registered([
        [DOSSIER_EVENTS.name, events],
        [ACCESS_KEYS.name, keys],
      ]),
    );
    expect([...map.keys()].sort()).toEqual([ACCESS_KEYS.name, DOSSIER_EVENTS.name].sort());
    expect(map.get(DOSSIER_EVENTS.name)).toBe(events);
    expect(map.get(ACCESS_KEYS.name)).toBe(keys);
  });

  it('refuses a subscribed topic without a handler', () => {
    expect(() => matchHandlers([DOSSIER_EVENTS, DOSSIER_FACTS], registered([[DOSSIER_EVENTS.name, event()]]))).toThrow(
      /subscribed topic tthc\.dossier-facts\.v1 has no @EventPattern handler/,
    );
  });

  it('refuses a handler whose pattern is no subscribed topic, naming the subscriptions', () => {
    expect(() => matchHandlers([], registered([[DOSSIER_EVENTS.name, event()]]))).toThrow(HandlerRegistrationError);
    // The deployed (prefixed) name is not a pattern: patterns are the contracts' logical names.
    expect(() => matchHandlers([DOSSIER_EVENTS], registered([[`t.x.${DOSSIER_EVENTS.name}`, event()]]))).toThrow(
      /pattern t\.x\.tthc\.dossier-events\.v1 matches no subscribed topic.*subscribed: tthc\.dossier-events\.v1\)/,
    );
  });

  it('refuses two handlers of one topic (Nest chains the second behind the first) and a @MessagePattern', () => {
    expect(() =>
      matchHandlers([DOSSIER_EVENTS], registered([[DOSSIER_EVENTS.name, { isEventHandler: true, next: () => 1 }]])),
    ).toThrow(/tthc\.dossier-events\.v1 has more than one @EventPattern handler/);
    expect(() =>
      matchHandlers([DOSSIER_EVENTS], registered([[DOSSIER_EVENTS.name, { isEventHandler: false }]])),
    ).toThrow(/@MessagePattern handler; Kafka topics take @EventPattern handlers only/);
  });

  it('lists every problem at once', () => {
    try {
      matchHandlers([DOSSIER_EVENTS, DOSSIER_FACTS], registered([[ACCESS_KEYS.name, event()]]));
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(HandlerRegistrationError);
      const message = (error as Error).message;
      expect(message).toMatch(/^Kafka handlers do not match subscriptions: /);
      expect(message).toContain(`pattern ${ACCESS_KEYS.name} matches no subscribed topic`);
      expect(message).toContain(`subscribed topic ${DOSSIER_EVENTS.name} has no @EventPattern handler`);
      expect(message).toContain(`subscribed topic ${DOSSIER_FACTS.name} has no @EventPattern handler`);
    }
  });
});
