/**
 * dead-letters CLI (docs/operations.md "Dead letters and outages"): calls a consuming service's
 * `/v1/admin/dead-letters` endpoints.
 *
 *   npm run dead-letters -- list --service http://127.0.0.1:3002 --key <admin key> [--status open]
 *   npm run dead-letters -- redrive '<id>' --service … --key …
 *
 * Exit code 0 on success, 1 when the service answers with a problem, 2 on bad usage.
 */
import { formatAnswer, planCall, USAGE, UsageError } from './commands';

async function main(argv: string[]): Promise<number> {
  let call;
  try {
    call = planCall(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message === '' ? '' : `dead-letters: ${error.message}\n`}${USAGE}\n`);
    return 2;
  }
  const response = await fetch(`${call.service}${call.path}`, {
    method: call.method,
    headers: { authorization: `Bearer ${call.key}` },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: print the text
  }
  if (!response.ok) {
    const detail = (body as { detail?: unknown }).detail;
    process.stderr.write(`dead-letters: ${response.status} ${typeof detail === 'string' ? detail : text}\n`);
    return 1;
  }
  process.stdout.write(`${formatAnswer(call, body)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dead-letters: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
