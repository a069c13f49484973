import { parseArgs } from 'node:util';

export const USAGE = `usage: dead-letters <command> --service <url> --key <admin key> [options]
  list     [--topic T] [--status open|redriving|redriven|discarded] [--limit N] [--offset N]
  show     <id>
  redrive  <id>              publish the original message again, once
  redrive  --topic T         every open dead letter of a topic
  discard  <id>
  common:  [--json]  (print the API's answer as JSON)
  --key defaults to $TTHC_ADMIN_KEY; ids look like tthc.dossier-events.v1|0|41|tthc.dossier-tracking`;

export class UsageError extends Error {}

export interface PlannedCall {
  method: 'GET' | 'POST';
  /** Path and query under the service URL. */
  path: string;
  service: string;
  key: string;
  json: boolean;
  command: 'list' | 'show' | 'redrive' | 'redrive-topic' | 'discard';
}

const BASE = '/v1/admin/dead-letters';

/** The HTTP call a command line asks for; throws {@link UsageError} for a bad one. */
export function planCall(argv: readonly string[], env: Record<string, string | undefined> = {}): PlannedCall {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        service: { type: 'string' },
        key: { type: 'string' },
        topic: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        offset: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) throw new UsageError('');
  const [command, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const service = values.service?.replace(/\/+$/, '');
  if (service === undefined || !/^https?:\/\/./.test(service)) {
    throw new UsageError('--service <url> is required, e.g. http://127.0.0.1:3002');
  }
  const key = values.key ?? env.TTHC_ADMIN_KEY;
  if (key === undefined || key === '') throw new UsageError('--key <admin key> is required (or TTHC_ADMIN_KEY)');
  const common = { service, key, json: values.json === true };
  const one = (what: string): string => {
    if (id === undefined || id === '') throw new UsageError(`${what} needs the id of a dead letter`);
    return `${BASE}/${encodeURIComponent(id)}`;
  };
  switch (command) {
    case 'list': {
      if (id !== undefined) throw new UsageError('list takes no id (use show)');
      const query = new URLSearchParams();
      for (const name of ['topic', 'status', 'limit', 'offset'] as const) {
        const value = values[name];
        if (value !== undefined) query.set(name, value);
      }
      const text = query.toString();
      return { ...common, command: 'list', method: 'GET', path: text === '' ? BASE : `${BASE}?${text}` };
    }
    case 'show':
      return { ...common, command: 'show', method: 'GET', path: one('show') };
    case 'discard':
      return { ...common, command: 'discard', method: 'POST', path: `${one('discard')}/discard` };
    case 'redrive':
      if (id === undefined) {
        if (values.topic === undefined || values.topic === '') {
          throw new UsageError('redrive needs an id, or --topic T for every open dead letter of a topic');
        }
        return {
          ...common,
          command: 'redrive-topic',
          method: 'POST',
          path: `${BASE}/redrive?${new URLSearchParams({ topic: values.topic }).toString()}`,
        };
      }
      if (values.topic !== undefined) throw new UsageError('give either an id or --topic, not both');
      return { ...common, command: 'redrive', method: 'POST', path: `${one('redrive')}/redrive` };
    case undefined:
      throw new UsageError('a command is required: list, show, redrive or discard');
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

interface LetterLike {
  id?: unknown;
  status?: unknown;
  attempts?: unknown;
  firstFailedAt?: unknown;
  error?: unknown;
  value?: unknown;
  redrive?: { topic?: unknown; partition?: unknown; offset?: unknown } | null;
}

function line(letter: LetterLike): string {
  const redrive =
    letter.redrive === null || letter.redrive === undefined
      ? ''
      : `  → ${String(letter.redrive.topic)}[${String(letter.redrive.partition)}]@${String(letter.redrive.offset)}`;
  return `${String(letter.status).padEnd(9)}  ${(typeof letter.firstFailedAt === 'string' ? letter.firstFailedAt : '').padEnd(24)}  ${String(letter.id)}  (${String(letter.attempts)} attempt(s): ${String(letter.error)})${redrive}`;
}

/** What the CLI prints for a successful answer. */
export function formatAnswer(call: PlannedCall, body: unknown): string {
  if (call.json) return JSON.stringify(body, null, 2);
  switch (call.command) {
    case 'list': {
      const { total, items } = body as { total: number; items: LetterLike[] };
      return [`${items.length} of ${total} dead letter(s)`, ...items.map(line)].join('\n');
    }
    case 'show': {
      const letter = body as LetterLike;
      return `${line(letter)}\nvalue: ${String(letter.value)}`;
    }
    case 'redrive':
    case 'discard':
      return line(body as LetterLike);
    case 'redrive-topic': {
      const result = body as {
        topic: string;
        open: number;
        redriven: LetterLike[];
        refused: { id: string; detail: string }[];
      };
      return [
        `${result.topic}: ${result.redriven.length} of ${result.open} open dead letter(s) redriven, ${result.refused.length} refused`,
        ...result.redriven.map(line),
        ...result.refused.map((refusal) => `refused    ${refusal.id}: ${refusal.detail}`),
      ].join('\n');
    }
  }
}
