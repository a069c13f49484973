import { logLevel } from 'kafkajs';
import { BENIGN_KAFKA_RESPONSE_ERRORS, KAFKAJS_LEVEL, kafkajsLogLevel } from './log-noise';

describe('kafkajsLogLevel', () => {
  it("uses kafkajs' own numeric levels", () => {
    expect(KAFKAJS_LEVEL).toEqual({
      NOTHING: logLevel.NOTHING,
      ERROR: logLevel.ERROR,
      WARN: logLevel.WARN,
      INFO: logLevel.INFO,
      DEBUG: logLevel.DEBUG,
    });
  });

  it('maps levels as before: error, warn, info → debug, debug → verbose, nothing → dropped', () => {
    expect(kafkajsLogLevel(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded' })).toBe('error');
    expect(kafkajsLogLevel(logLevel.WARN, { message: 'x' })).toBe('warn');
    expect(kafkajsLogLevel(logLevel.INFO, { message: 'Consumer has joined the group' })).toBe('debug');
    expect(kafkajsLogLevel(logLevel.DEBUG, { message: 'x' })).toBe('verbose');
    expect(kafkajsLogLevel(logLevel.NOTHING, { message: 'x' })).toBeUndefined();
  });

  it.each(BENIGN_KAFKA_RESPONSE_ERRORS)('demotes a response line with the start-up race "%s" to debug', (error) => {
    expect(kafkajsLogLevel(logLevel.ERROR, { message: 'Response Metadata(key: 3, version: 6)', error })).toBe('debug');
  });

  it('writes the lines of a broker outage or a leadership move as warnings, not errors', () => {
    for (const log of [
      { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' },
      { message: 'Failed to connect to seed broker, trying another broker from the list: Connection error' },
      { message: 'Crash: KafkaJSNoBrokerAvailableError: No broker available' },
      { message: 'Failed to send messages: This server is not the leader for that topic-partition' },
      { message: 'Response Heartbeat(key: 12, version: 3)', error: 'The group is rebalancing, so a rejoin is needed' },
      {
        message:
          "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
      },
    ]) {
      expect(kafkajsLogLevel(logLevel.ERROR, log)).toBe('warn');
    }
    expect(kafkajsLogLevel(logLevel.ERROR, { message: 'Crash: KafkaJSNonRetriableError: Invalid schema' })).toBe(
      'error',
    );
  });

  it('never hides a real error', () => {
    // The same texts outside a single response line: retries ran out, or a consumer crashed.
    expect(
      kafkajsLogLevel(logLevel.ERROR, {
        message: 'Crash: KafkaJSNumberOfRetriesExceeded: This server does not host this topic-partition',
        error: 'This server does not host this topic-partition',
      }),
    ).toBe('error');
    expect(kafkajsLogLevel(logLevel.ERROR, { message: 'This server does not host this topic-partition' })).toBe(
      'error',
    );
    // Other response errors stay errors, and so does a benign text that is only part of the error.
    for (const error of [
      'Not authorized to access topics: [Topic authorization failed]',
      'Replication factor: 3 larger than available brokers: 1',
      'The group coordinator is not available; and something else',
      undefined,
    ]) {
      expect(kafkajsLogLevel(logLevel.ERROR, { message: 'Response CreateTopics(key: 19, version: 3)', error })).toBe(
        'error',
      );
    }
  });
});
