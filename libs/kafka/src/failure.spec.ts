import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import mongoose from 'mongoose';
import { z } from 'zod';
import { ContractViolation, decodeMessage, defineTopic } from '@tthc/contracts';
import { KafkaUnavailableError } from './errors';
import { classifyFailure, describeFailure, RetryableError } from './failure';

// Not exported from the driver's index; the real class all the same.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PoolClearedError } = require('mongodb/lib/cmap/errors') as {
  PoolClearedError: new (pool: { address: string; serverError?: Error }, message?: string) => Error;
};

// The classes ioredis throws and re-exports (ReplyError; AbortError: "Command aborted due to
// connection close"); redis-errors ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AbortError, ReplyError } = require('redis-errors') as {
  AbortError: new (message: string) => Error;
  ReplyError: new (message: string) => Error;
};

const infrastructure = (error: unknown) => expect(classifyFailure(error)).toBe('infrastructure');
const deterministic = (error: unknown) => expect(classifyFailure(error)).toBe('deterministic');

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect' });
}

describe('classifyFailure: MongoDB', () => {
  it('waits out network, server-selection, pool-cleared, not-connected and closed-topology errors', () => {
    infrastructure(new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'));
    infrastructure(new MongoNetworkTimeoutError('connection timed out'));
    infrastructure(
      new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', { error: undefined } as never),
    );
    infrastructure(new PoolClearedError({ address: '127.0.0.1:27017' }));
    infrastructure(new MongoNotConnectedError('Client must be connected before running operations'));
    infrastructure(new MongoTopologyClosedError());
  });

  it("waits out mongoose's server selection and buffering timeouts", () => {
    const selection = new mongoose.Error.MongooseServerSelectionError('connect ECONNREFUSED 127.0.0.1:1');
    infrastructure(selection);
    infrastructure(new mongoose.Error('Operation `tracking_dossiers.find()` buffering timed out after 10000ms'));
    deterministic(new mongoose.Error('something else about the schema'));
  });

  it('waits out transient server answers (stepdown, shutdown, write-concern timeout, retryable label)', () => {
    infrastructure(new MongoServerError({ message: 'not primary', code: 10107 }));
    infrastructure(new MongoServerError({ message: 'shutting down', code: 91 }));
    infrastructure(new MongoServerError({ message: 'waiting for replication timed out', code: 64 }));
    infrastructure(new MongoServerError({ message: 'x', code: 1, errorLabels: ['RetryableWriteError'] }));
  });

  it('is deterministic for a duplicate key or a validation failure', () => {
    deterministic(new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 }));
    deterministic(new MongoServerError({ message: 'Document failed validation', code: 121 }));
  });

  it('looks inside a bulk write error: a network failure inside it is infrastructure, a duplicate key is not', () => {
    const network = new MongoBulkWriteError(new MongoNetworkError('connection reset'), {} as never);
    infrastructure(network);
    const duplicate = new MongoBulkWriteError(
      { message: 'E11000', code: 11000, writeErrors: [{ code: 11000, index: 0 }] } as never,
      {} as never,
    );
    deterministic(duplicate);
  });
});

describe('classifyFailure: Kafka', () => {
  it('waits out connection, request-timeout and retriable broker errors, and libs/kafka producer timeouts', () => {
    infrastructure(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'));
    infrastructure(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'));
    infrastructure(new KafkaJSProtocolError({ message: 'leader not available', retriable: true } as never));
    infrastructure(new KafkaJSError('anything retriable'));
    infrastructure(new KafkaUnavailableError('producing 3 message(s) did not complete within 10000 ms'));
  });

  it('looks through "number of retries exceeded" at what was retried', () => {
    const cause = new KafkaJSConnectionError('Connection timeout');
    infrastructure(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 3000 }));
  });

  it('is deterministic for a non-retriable broker answer', () => {
    deterministic(new KafkaJSNonRetriableError('message too large'));
    deterministic(
      new KafkaJSProtocolError({ message: 'The request included a message larger than…', retriable: false } as never),
    );
  });
});

describe('classifyFailure: Redis', () => {
  it('waits out ioredis connection errors, retries exceeded and transient replies', () => {
    infrastructure(new MaxRetriesPerRequestError(20));
    infrastructure(new AbortError('Command aborted due to connection close'));
    infrastructure(new Error('Connection is closed.'));
    infrastructure(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    infrastructure(new Error('Command timed out'));
    infrastructure(new ReplyError('LOADING Redis is loading the dataset in memory'));
    infrastructure(new ReplyError("OOM command not allowed when used memory > 'maxmemory'."));
  });

  it('is deterministic for a wrong command or type', () => {
    deterministic(new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'));
    deterministic(new ReplyError('ERR unknown command'));
  });
});

describe('classifyFailure: sockets, contention, everything else', () => {
  it('waits out socket and DNS error codes, also inside an AggregateError or a cause', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN']) {
      infrastructure(systemError(code, `connect ${code} 10.0.0.1:27017`));
    }
    infrastructure(new AggregateError([systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:6379')], ''));
    infrastructure(new Error('refold failed', { cause: new MongoNetworkError('socket hang up') }));
  });

  it('waits out a RetryableError, its subclasses and errors marked retryable', () => {
    class ConcurrentWrite extends RetryableError {}
    infrastructure(new RetryableError('held by a rebuild'));
    infrastructure(new ConcurrentWrite('version written meanwhile'));
    expect(new ConcurrentWrite('x').name).toBe('ConcurrentWrite');
    infrastructure(Object.assign(new Error('contention'), { retryable: true }));
  });

  it('is deterministic for a contract violation, even one that wraps something else', () => {
    const topic = defineTopic({
      baseName: 't',
      version: 1,
      description: 't',
      key: z.string(),
      value: z.object({ a: z.number() }),
      cleanupPolicy: 'delete',
      retentionMs: -1,
      partitions: 1,
      tombstones: false,
    });
    let violation: unknown;
    try {
      decodeMessage(topic, 'k', '{"a":"x"}');
    } catch (error) {
      violation = error;
    }
    expect(violation).toBeInstanceOf(ContractViolation);
    deterministic(violation);
    deterministic(Object.assign(new ContractViolation('t', 'value', ['x']), { cause: new MongoNetworkError('x') }));
  });

  it('is deterministic for programming and data errors, and for things that are not errors', () => {
    deterministic(new TypeError("Cannot read properties of undefined (reading 'dueAt')"));
    deterministic(new RangeError('no working session within 400 days'));
    deterministic(new Error('Connection is closed. Really?'));
    deterministic('a string');
    deterministic(undefined);
    deterministic(null);
  });

  it('stops at cycles and deep chains', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    deterministic(a);
    let deep: Error = new MongoNetworkError('deep');
    for (let level = 0; level < 8; level++) deep = new Error(`level ${level}`, { cause: deep });
    deterministic(deep);
  });
});

describe('describeFailure', () => {
  it('names the error and its message', () => {
    expect(describeFailure(new MongoNetworkError('closed'))).toBe('MongoNetworkError: closed');
    expect(describeFailure({ name: 'X', message: 'y' })).toBe('X: y');
    expect(describeFailure(42)).toBe('42');
  });
});
