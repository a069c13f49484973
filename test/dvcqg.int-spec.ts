import { TEST_ADMIN_KEY, call, newNamespace, waitFor } from '@tthc/testing';
import { buildOracle } from '../tools/oracle';
import { runCli } from '../tools/simulator/cli';
import { portalWindows, secondsOnly, toPortalRecords } from '../tools/simulator/dvcqg';
import { simulateProvince } from '../tools/simulator/province';
import { formatTable, planQueries, verifyAgainst } from '../tools/verify/verify';
import { Stack } from './support/stack';

/**
 * Issue 13's acceptance, end to end over the real servers: a simulated province-year posted ONLY
 * as the national portal's records (dossier snapshots + processing steps, 10 % of the steps held
 * back, 20 % sent twice) to intake's adapter gives exactly the figures the oracle folds from the
 * simulated events themselves — the figures the same year gives when posted as events
 * (test/province.int-spec.ts) — for every month, quarter, the year, random ranges, agencies, fields
 * and channels. `DVCQG_DOSSIERS` changes the size (3,000 in the suite; 20,000 by hand).
 */
const DOSSIERS = Number(process.env.DVCQG_DOSSIERS ?? 3000);

describe(`portal sync end to end: ${DOSSIERS} simulated dossiers as DVCQG records against the oracle`, () => {
  const namespace = newNamespace('dvcqg-e2e');
  const stack = new Stack(namespace);

  afterAll(async () => {
    await stack.stopAll();
  });

  it('reports exactly what the oracle computes from the simulated events', async () => {
    await stack.startAll();
    const simulation = simulateProvince({ seed: 2017, years: [2017], dossiers: DOSSIERS });
    await stack.putReference({
      agencies: [...simulation.reference.agencies],
      fields: [...simulation.reference.fields],
      procedures: [...simulation.reference.procedures],
    });
    const events = secondsOnly([...simulation.events]);
    const conversion = toPortalRecords(events, simulation.reference, { seed: 2017, shuffle: 0.1, repeat: 0.2 });
    expect(conversion.stats.delayed).toBeGreaterThan(0);
    expect(conversion.stats.repeated).toBeGreaterThan(conversion.stats.steps * 0.1);
    const types = new Set(events.map((item) => item.event.type));
    for (const type of ['rejected', 'supplement_requested', 'paused', 'withdrawn', 'transferred', 'rescheduled']) {
      expect({ type, simulated: types.has(`dossier.${type}`) }).toEqual({ type, simulated: true });
    }

    // Windows of 500 records in parallel, each window's steps before its snapshots (as a sender pushes them).
    const windows = portalWindows(conversion.deliveries, 500);
    let next = 0;
    let derived = 0;
    const post = async (batch: (typeof windows)[number][number]) => {
      const path = batch.service === 'DongBoHoSoMC' ? 'dossiers' : 'progress';
      for (let attempt = 1; ; attempt++) {
        const answer = await call(`${stack.url('intake')}/v1/sync/dvcqg/${path}`, {
          body: { service: batch.service, isUpdating: 'True', data: batch.data },
        });
        if (answer.status === 200) {
          const body = answer.body as { error_code: string; message: string; events: number };
          expect(body.error_code).toBe('0');
          expect(body.message).toContain('thành công');
          derived += body.events;
          return;
        }
        if ((answer.status === 429 || answer.status === 503) && attempt < 20) {
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
          continue;
        }
        throw new Error(`POST /v1/sync/dvcqg/${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
      }
    };
    const worker = async () => {
      while (next < windows.length) {
        for (const batch of windows[next++] ?? []) await post(batch);
      }
    };
    await Promise.all(Array.from({ length: 3 }, worker));
    // The portal has no "voided": a desk voids through the event API.
    await stack.postEvents(conversion.voided.map((item) => item.event));
    expect(derived).toBeGreaterThan(DOSSIERS * 2);

    const oracle = buildOracle({ ...simulation.reference, events });
    const year = { from: '2017-01-01', to: '2017-12-31' };
    const expected = oracle.figures(year);
    expect(expected.received.new).toBeGreaterThan(DOSSIERS * 0.9);
    await stack.waitForSummary(year, expected, 480_000);
    const queries = planQueries({
      ...year,
      agencies: simulation.reference.agencies,
      fields: simulation.reference.fields,
      seed: 5,
    });
    expect(queries.length).toBeGreaterThan(100);
    const result = await verifyAgainst(stack.url('reporting'), TEST_ADMIN_KEY, oracle, queries);
    if (result.differences.length > 0) console.log(formatTable(result.differences, 50));
    expect(result.queries).toBe(queries.length);
    expect(result.differences).toEqual([]);

    // The only findings a complete, well-formed sender can get: a held-back step arriving after a later
    // one already implied its transition (a transfer or a supplement's end, published at the later
    // step's time, stands: "superseded"). None changed a figure above.
    const findings = await call(`${stack.url('intake')}/v1/sync/dvcqg/findings?limit=1000`);
    expect(findings.status).toBe(200);
    const kinds = (findings.body as { findings: { kind: string }[] }[]).flatMap((d) => d.findings.map((f) => f.kind));
    expect(kinds.filter((kind) => kind !== 'superseded')).toEqual([]);
    expect(kinds.length).toBeLessThan(DOSSIERS * 0.005);

    // docs/desk-sync.md's example, on the demo's reference data (the same simulated province).
    const code = '000.00.03.H56-171120-9001';
    const example = await call(`${stack.url('intake')}/v1/sync/dvcqg`, {
      body: {
        service: 'DongBoHoSoMC',
        isUpdating: 'False',
        data: [
          {
            MaHoSo: code,
            MaTTHC: '2.000488',
            MaLinhVuc: 'G03-LLTP',
            KenhThucHien: '2',
            NgayTiepNhan: '20171120091200',
            NgayHenTra: '',
            NgayKetThucXuLy: '',
            NgayTra: '',
            NgayTuChoi: '',
            TrangThaiHoSo: '2',
            DonViXuLy: 'SỞ TƯ PHÁP',
            DanhSachHoSoBoSung: [],
          },
        ],
      },
    });
    expect(example.body).toEqual({
      error_code: '0',
      message: 'Đồng bộ thành công 1 bản ghi (1 hồ sơ)',
      accepted: 1,
      events: 1,
    });
    const step = await call(`${stack.url('intake')}/v1/sync/dvcqg/progress`, {
      body: [
        {
          MaHoSo: code,
          ThoiDiemXuLy: '20171122103000',
          TrangThai: '9',
          NoiDungXuLy: 'Hoàn thành xử lý hồ sơ',
          NguoiXuLy: 'Nguyễn Văn A',
          PhongBanXuLy: 'Phòng Hành chính tư pháp',
        },
      ],
    });
    expect(step.body).toEqual({
      error_code: '0',
      message: 'Đồng bộ thành công 1 bản ghi (1 hồ sơ)',
      accepted: 1,
      events: 1,
    });
    await waitFor(
      async () => {
        const dossier = await call(`${stack.url('dossier-tracking')}/v1/dossiers/${code}`);
        const text = dossier.status === 200 ? JSON.stringify(dossier.body) : '';
        return text.includes('000.00.03.H56') && text.includes('resolved') ? dossier.body : undefined;
      },
      { what: 'the example dossier, received and resolved' },
    );
  }, 900_000);
});

describe('simulate --format dvcqg (the CLI) against intake', () => {
  const stack = new Stack(newNamespace('dvcqg-cli'));

  afterAll(async () => {
    await stack.stopAll();
  });

  it('uploads the reference data and posts a small year as portal records, every answer "0"', async () => {
    await stack.start('intake');
    await runCli({
      simulator: { seed: 3, years: [2017], dossiers: 300, shuffle: 0.1, duplicateRate: 0.2 },
      format: 'dvcqg',
      post: stack.url('intake'),
      key: TEST_ADMIN_KEY,
      deskKeys: [],
      batch: 200,
      concurrency: 2,
      split: 0,
      quiet: true,
    });
    const findings = await call(`${stack.url('intake')}/v1/sync/dvcqg/findings`);
    expect(findings.body).toEqual([]);
    const audit = await call(`${stack.url('intake')}/v1/admin/audit?limit=1000`);
    const routes = (audit.body as { route: string }[]).map((entry) => entry.route);
    expect(routes).toEqual(expect.arrayContaining(['/v1/sync/dvcqg/dossiers', '/v1/sync/dvcqg/progress']));
  }, 300_000);
});
