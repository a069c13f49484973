import { z } from 'zod';

/**
 * A Kafka topic as code: its logical name, schema version, and the validated key and value
 * schemas. Producers encode through {@link encodeMessage} and consumers decode through
 * {@link decodeMessage}, so nothing unvalidated crosses Kafka in either direction.
 */
export interface TopicDefinition<K extends z.ZodType = z.ZodType, V extends z.ZodType = z.ZodType> {
  /** Logical name without the deployment prefix, ending in `.v<version>`. */
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly key: K;
  readonly value: V;
  /** `delete` (time-retained log) or `compact` (latest value per key; tombstones delete). */
  readonly cleanupPolicy: 'delete' | 'compact';
  /** Retention for `delete` topics in ms; -1 keeps forever. */
  readonly retentionMs: number;
  /** Partition count: `events` uses the configured event partition count, else a fixed number. */
  readonly partitions: 'events' | number;
  /** Whether a `null` value (tombstone) is allowed. */
  readonly tombstones: boolean;
}

export type KeyOf<T extends TopicDefinition> = z.infer<T['key']>;
export type ValueOf<T extends TopicDefinition> = z.infer<T['value']>;

export function defineTopic<K extends z.ZodType, V extends z.ZodType>(
  definition: Omit<TopicDefinition<K, V>, 'name'> & { baseName: string },
): TopicDefinition<K, V> {
  const { baseName, ...rest } = definition;
  return { ...rest, name: `${baseName}.v${definition.version}` };
}

export class ContractViolation extends Error {
  constructor(
    readonly topic: string,
    readonly part: 'key' | 'value',
    readonly issues: string[],
  ) {
    super(`${topic} ${part} violates its schema: ${issues.join('; ')}`);
    this.name = 'ContractViolation';
  }
}

function check<S extends z.ZodType>(
  topic: TopicDefinition,
  part: 'key' | 'value',
  schema: S,
  input: unknown,
): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ContractViolation(
      topic.name,
      part,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

export interface EncodedMessage {
  key: string;
  value: string | null;
}

/** Validates then serialises a message. Keys are strings (validated as such); values JSON. */
export function encodeMessage<T extends TopicDefinition>(
  topic: T,
  key: KeyOf<T>,
  value: ValueOf<T> | null,
): EncodedMessage {
  const checkedKey: unknown = check(topic, 'key', topic.key, key);
  if (value === null) {
    if (!topic.tombstones) throw new ContractViolation(topic.name, 'value', ['tombstones are not allowed']);
    return { key: String(checkedKey), value: null };
  }
  const checkedValue: unknown = check(topic, 'value', topic.value, value);
  return { key: String(checkedKey), value: JSON.stringify(checkedValue) };
}

/** Parses and validates a consumed message; throws {@link ContractViolation} when it does not fit. */
export function decodeMessage<T extends TopicDefinition>(
  topic: T,
  key: Buffer | string | null,
  value: Buffer | string | null,
): { key: KeyOf<T>; value: ValueOf<T> | null } {
  const keyText = key === null ? null : key.toString();
  const checkedKey = check(topic, 'key', topic.key, keyText) as KeyOf<T>;
  if (value === null) {
    if (!topic.tombstones) throw new ContractViolation(topic.name, 'value', ['tombstones are not allowed']);
    return { key: checkedKey, value: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    throw new ContractViolation(topic.name, 'value', ['is not valid JSON']);
  }
  return { key: checkedKey, value: check(topic, 'value', topic.value, json) as ValueOf<T> };
}
