/**
 * A little data for the fuzzing run, posted through the public API as an operator would: two
 * provinces with a department each, one field and procedure, a desk and a viewer key of the first
 * province, two dossiers (one of them the README's example dossier, also the `example` of the
 * dossier-code path parameters in the OpenAPI documents) and the scheduled II.06a files of March
 * 2017, so that the fuzzer reaches real answers, not only 404s.
 */

export const EXAMPLE_DOSSIER = '000.00.12.H56-170314-0001';
export const OTHER_DOSSIER = '000.00.12.H01-170315-0001';
export const PROVINCE = '000.00.00.H56';

export interface SeededKeys {
  desk: string;
  viewer: string;
}

interface Urls {
  intake: string;
  dossierTracking: string;
  reporting: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function send(url: string, key: string, method: string, body?: unknown): Promise<unknown> {
  const answer = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  if (answer.status >= 300) throw new Error(`${method} ${url}: ${answer.status} ${text.slice(0, 500)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`seed: timed out waiting for ${what}`);
    await sleep(250);
  }
}

export async function seed(urls: Urls, adminKey: string): Promise<SeededKeys> {
  const put = (path: string, body: unknown) => send(`${urls.intake}${path}`, adminKey, 'PUT', body);
  const post = (url: string, body: unknown) => send(url, adminKey, 'POST', body);
  await put('/v1/reference/agencies', [
    { code: PROVINCE, name: 'UBND tỉnh Tiền Giang', parentCode: null, level: 'province' },
    { code: '000.00.12.H56', name: 'Sở Tư pháp', parentCode: PROVINCE, level: 'department' },
    { code: '000.00.00.H01', name: 'UBND thành phố Hà Nội', parentCode: null, level: 'province' },
    { code: '000.00.12.H01', name: 'Sở Tư pháp Hà Nội', parentCode: '000.00.00.H01', level: 'department' },
  ]);
  await put('/v1/reference/fields', [{ code: 'G03-GD10', name: 'Chứng thực' }]);
  await put('/v1/reference/procedures', [
    {
      code: '1.001612',
      name: 'Chứng thực bản sao',
      fieldCode: 'G03-GD10',
      processingTime: { value: 2, unit: 'working_days' },
    },
  ]);
  const desk = (await post(`${urls.intake}/v1/admin/desks`, {
    name: 'Một cửa Sở Tư pháp',
    agencyCodes: ['000.00.12.H56'],
  })) as { key: string };
  const viewer = (await post(`${urls.intake}/v1/admin/viewers`, {
    name: 'Văn phòng UBND tỉnh',
    agencyCode: PROVINCE,
  })) as { key: string };
  const received = (eventId: string, dossierCode: string, agencyCode: string, occurredAt: string) => ({
    eventId,
    type: 'dossier.received',
    occurredAt,
    dossierCode,
    data: { procedureCode: '1.001612', agencyCode, channel: 'online' },
  });
  await post(`${urls.intake}/v1/events`, [
    received('seed-1', EXAMPLE_DOSSIER, '000.00.12.H56', '2017-03-14T09:12:00+07:00'),
    {
      eventId: 'seed-2',
      type: 'dossier.resolved',
      occurredAt: '2017-03-15T10:00:00+07:00',
      dossierCode: EXAMPLE_DOSSIER,
      data: { outcome: 'approved' },
    },
    received('seed-3', OTHER_DOSSIER, '000.00.12.H01', '2017-03-15T08:30:00+07:00'),
  ]);
  for (const code of [EXAMPLE_DOSSIER, OTHER_DOSSIER]) {
    const encoded = encodeURIComponent(code);
    await until(`${code} in reporting`, async () => {
      const answer = await fetch(`${urls.reporting}/v1/reports/dossiers/${encoded}`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      await answer.arrayBuffer();
      return answer.status === 200;
    });
  }
  // The viewer key must be known to reporting before the fuzzer uses it (keys travel over Kafka).
  await until('the viewer key in reporting', async () => {
    const answer = await fetch(`${urls.reporting}/v1/me`, { headers: { authorization: `Bearer ${viewer.key}` } });
    await answer.arrayBuffer();
    return answer.status === 200;
  });
  const run = (await post(`${urls.reporting}/v1/admin/scheduled-reports/run`, { month: '2017-03' })) as {
    jobId: string;
  };
  let state = '';
  await until('the scheduled II.06a files of 2017-03', async () => {
    const url = `${urls.reporting}/v1/admin/scheduled-reports/runs/${encodeURIComponent(run.jobId)}`;
    ({ state } = (await send(url, adminKey, 'GET')) as { state: string });
    return state === 'completed' || state === 'failed';
  });
  if (state !== 'completed') throw new Error('seed: the scheduled-report run of 2017-03 failed');
  return { desk: desk.key, viewer: viewer.key };
}
