/**
 * Kafka did not acknowledge in time or is unreachable: the caller should answer 503 and retry.
 * `outcome`: `none` when none of the messages will ever be visible (an aborted transaction), else
 * `unknown` (a plain send may have published part of them; a commit whose answer was lost).
 */
export class KafkaUnavailableError extends Error {
  readonly outcome: 'none' | 'unknown';

  constructor(message: string, options?: { cause?: unknown; outcome?: 'none' | 'unknown' }) {
    super(message, options);
    this.name = 'KafkaUnavailableError';
    this.outcome = options?.outcome ?? 'unknown';
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaUnavailableError(`${what} did not complete within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
