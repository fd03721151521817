/**
 * Soak benchmark: `npm run bench -- soak [--seconds S --cameras N --width W --height H --fps F
 * --searchesPerSec Q --sampleS T]`.
 *
 * The appliance as a process with N simulated cameras streaming and a hotlist holding every plate
 * they show, for a bounded time, while an investigator searches (exact, partial and fuzzy plates,
 * under a case) and an operator acknowledges every new alert. Reports latency percentiles of
 * searches and alert actions, how long an alert takes from its read's capture to the operator's
 * list, CPU per service, and memory per service sampled over time with its slope over the second
 * half of the run (a leak shows as steady growth there, after start-up has settled).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stepOf, totpAt } from '../../access/totp.ts';
import { defaultClipCache, startSimulator } from '../../pipeline/simulator/index.ts';
import { bootstrapAccess, setupTokenFrom } from '../helpers/access.ts';
import { stopApplianceProcess } from '../helpers/appliance-process.ts';
import { freePort, tempDir } from '../helpers/nats.ts';
import { numericFlags, percentile, round } from './_args.ts';
import { procSample } from './_cpu.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'soak benchmark passphrase';

interface Health {
  status: string;
  services: { name: string; state: string; pid: number | null; restarts: number }[] | null;
  cameras: { cameraId: string; state: string }[];
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n,
    my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}

const stats = (ms: number[]) => ({
  n: ms.length,
  p50: round(percentile(ms, 50)),
  p95: round(percentile(ms, 95)),
  p99: round(percentile(ms, 99)),
  max: round(Math.max(0, ...ms)),
});

export async function run(argv: string[]) {
  const flags = numericFlags(argv, { seconds: 300, cameras: 2, width: 640, height: 360, fps: 10, searchesPerSec: 2, sampleS: 10 });
  const log = (msg: string, extra: Record<string, unknown> = {}) =>
    console.error(JSON.stringify({ time: new Date().toISOString(), msg, ...extra }));
  const dir = tempDir('soak');
  const dataDir = path.join(dir, 'data');
  const [natsPort, apiPort, simPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const cameraIds = Array.from({ length: flags.cameras }, (_, i) => `soak-${i + 1}`);
  let proc: ChildProcess | null = null;
  let logs = '';
  const sim = await startSimulator({
    cameras: cameraIds,
    port: simPort,
    cacheDir: defaultClipCache(),
    scene: { width: flags.width, height: flags.height, fps: flags.fps, passes: 8, gapS: 3, crossS: 4, seed: 41, parked: false },
  });
  try {
    const plates = [...new Set([...sim.clips.values()].flatMap((c) => c.passes.map((p) => p.plate)))];
    const incoming = path.join(dataDir, 'hotlists', 'incoming', 'soak');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(
      path.join(incoming, 'list.tmp'),
      'plate,record_id,category\n' + plates.map((p, i) => `${p},SOAK-${i},stolen vehicle\n`).join(''),
    );
    renameSync(path.join(incoming, 'list.tmp'), path.join(incoming, 'list.csv'));
    const configFile = path.join(dir, 'alpr.yaml');
    writeFileSync(
      configFile,
      [
        `dataDir: ${dataDir}`,
        'logLevel: info',
        `cameras: [${cameraIds.map((id) => `{ id: ${id}, name: ${id}, url: "${sim.url(id)}", deploymentRef: soak, location: { lat: 30.44, lon: -84.28, description: soak bench } }`).join(', ')}]`,
        `nats: { port: ${natsPort} }`,
        `server: { port: ${apiPort} }`,
        'supervisor: { readyTimeoutMs: 120000 }',
        'access: { enforceDeployments: false }',
        'hotlists: { sources: [{ name: soak, mapping: standard, staleAfterHours: 8760 }], watchIntervalSeconds: 5 }',
      ].join('\n'),
    );
    proc = spawn(process.execPath, [path.resolve('bin/alpr.mjs'), 'appliance', '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (logs = (logs + d).slice(-200_000)));
    proc.stderr!.on('data', (d) => (logs = (logs + d).slice(-200_000)));
    let token: string | null = null;
    for (let i = 0; i < 600 && !token; i++, await sleep(500)) token = setupTokenFrom(logs);
    if (!token) throw new Error(`no setup link in the log:\n${logs.slice(-3000)}`);
    const access = await bootstrapAccess(api, token, []);
    // The full report (anonymous callers get the status only), with the fixture's monitoring token.
    const health = async () => (await (await access.health(api)).json()) as Health;
    const operator = await enrolOperator(api, access.admin.headers());
    for (let i = 0; ; i++) {
      const h = await health().catch(() => null);
      if (
        h?.services?.every((s) => s.state === 'running') &&
        cameraIds.every((id) => h.cameras.some((c) => c.cameraId === id && c.state === 'live'))
      )
        break;
      if (i > 600) throw new Error(`appliance not up:\n${logs.slice(-3000)}`);
      await sleep(500);
    }
    log('appliance up', { cameras: flags.cameras, plates: plates.length });

    const searchMs: number[] = [],
      searchErrors: number[] = [];
    const ackMs: number[] = [],
      alertAgeMs: number[] = [],
      listMs: number[] = [];
    const alertErrors: string[] = [];
    const samples: { t: number; services: Record<string, { cpuS: number; rssMiB: number }> }[] = [];
    const t0 = Date.now();
    const end = t0 + flags.seconds * 1000;
    const acked = new Set<string>();

    const searcher = (async () => {
      let i = 0;
      while (Date.now() < end) {
        const plate = plates[i % plates.length]!;
        const q = [`plate=${plate}`, `pattern=${plate.slice(0, 3)}*`, `fuzzy=${plate.replace(/0/g, 'O')}`][i % 3];
        const s = performance.now();
        const res = await access.fetch(api, `/api/reads?${q}&limit=50`).catch(() => null);
        if (res?.ok) {
          await res.arrayBuffer();
          searchMs.push(performance.now() - s);
        } else searchErrors.push(res?.status ?? 0);
        i++;
        await sleep(1000 / flags.searchesPerSec);
      }
    })();

    const responder = (async () => {
      while (Date.now() < end) {
        const s = performance.now();
        const res = await fetch(`${api}/api/alerts?status=new&limit=100`, { headers: operator.headers() }).catch(() => null);
        if (!res?.ok) alertErrors.push(`list ${res?.status ?? 'no answer'}: ${(await res?.text().catch(() => ''))?.slice(0, 200)}`);
        if (res?.ok) {
          listMs.push(performance.now() - s);
          const { alerts: stored } = (await res.json()) as { alerts: { alert: { id: string; read: { capturedAt: string } } }[] };
          for (const { alert: a } of stored) {
            if (acked.has(a.id)) continue;
            acked.add(a.id);
            const captured = Date.parse(a.read.capturedAt);
            if (Number.isFinite(captured)) alertAgeMs.push(Date.now() - captured);
            const t = performance.now();
            const r = await fetch(`${api}/api/alerts/${a.id}/actions`, {
              method: 'POST',
              headers: operator.headers({ 'content-type': 'application/json' }),
              body: JSON.stringify({ action: 'acknowledge' }),
            }).catch(() => null);
            if (r?.ok) ackMs.push(performance.now() - t);
            else alertErrors.push(`ack ${r?.status ?? 'no answer'}: ${(await r?.text().catch(() => ''))?.slice(0, 200)}`);
            if (r?.ok) await r.arrayBuffer();
          }
        }
        await sleep(2000);
      }
    })();

    while (Date.now() < end) {
      const h = await health().catch(() => null);
      const services: Record<string, { cpuS: number; rssMiB: number }> = {};
      for (const s of h?.services ?? []) {
        const p = s.pid ? procSample(s.pid) : null;
        if (p) services[s.name] = p;
      }
      const sup = proc.pid ? procSample(proc.pid) : null;
      if (sup) services.supervisor = sup;
      samples.push({ t: (Date.now() - t0) / 1000, services });
      log('sample', {
        t: samples.at(-1)!.t,
        rssMiB: Object.fromEntries(Object.entries(services).map(([k, v]) => [k, round(v.rssMiB)])),
        searches: searchMs.length,
        alertsAcked: ackMs.length,
      });
      await sleep(flags.sampleS * 1000);
    }
    await Promise.all([searcher, responder]);
    const finalHealth = await health().catch(() => null);

    // Per service: CPU share over the run, memory at start and end, and the slope over the second half.
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.services)))];
    const perService = Object.fromEntries(
      names.map((name) => {
        const pts = samples.filter((s) => s.services[name]);
        const first = pts[0]!,
          last = pts.at(-1)!;
        const half = pts.filter((p) => p.t >= flags.seconds / 2);
        const rssSlope = slope(
          half.map((p) => p.t / 60),
          half.map((p) => p.services[name]!.rssMiB),
        );
        const cpuPct = last.t > first.t ? (100 * (last.services[name]!.cpuS - first.services[name]!.cpuS)) / (last.t - first.t) : 0;
        return [
          name,
          {
            cpuPct: round(cpuPct),
            rssMiBStart: round(first.services[name]!.rssMiB),
            rssMiBEnd: round(last.services[name]!.rssMiB),
            rssMiBPerMinSecondHalf: round(rssSlope, 2),
          },
        ];
      }),
    );
    const restarts = Object.fromEntries((finalHealth?.services ?? []).map((s) => [s.name, s.restarts]));
    return {
      bench: 'soak',
      seconds: flags.seconds,
      cameras: flags.cameras,
      searches: stats(searchMs),
      searchErrors: searchErrors.length,
      alertListMs: stats(listMs),
      alertAckMs: stats(ackMs),
      alertCaptureToOperatorMs: stats(alertAgeMs),
      alertErrors: alertErrors.length,
      alertErrorSamples: [...new Set(alertErrors)].slice(0, 5),
      services: perService,
      restarts,
      memoryTimeline: samples.map((s) => ({
        t: round(s.t),
        rssMiB: Object.fromEntries(Object.entries(s.services).map(([k, v]) => [k, round(v.rssMiB)])),
      })),
    };
  } finally {
    await stopApplianceProcess(proc, dataDir, 30_000);
    await sim.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An operator designated by the administrator and enrolled through the real API flow. */
async function enrolOperator(api: string, adminHeaders: Record<string, string>) {
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(
      async (r) => {
        if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
        return r;
      },
    );
  const created = (await (
    await post('/api/users', { username: 'soak-operator', displayName: 'Soak Operator', roles: ['operator'] }, adminHeaders)
  ).json()) as { enrolment: { token: string } };
  const begin = (await (await post('/api/enrol/begin', { token: created.enrolment.token })).json()) as { secret: string };
  const step = stepOf(new Date());
  await post('/api/enrol/complete', { token: created.enrolment.token, password: PASSWORD, code: totpAt(begin.secret, step) });
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
  await post(
    '/api/users/soak-operator/training',
    { course: 'ALPR data use and privacy', completedOn: day(-1), expiresOn: day(365) },
    adminHeaders,
  );
  const res = await post('/api/auth/login', {
    username: 'soak-operator',
    password: PASSWORD,
    code: totpAt(begin.secret, step + 1),
    bannerAccepted: true,
  });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { headers: (extra: Record<string, string> = {}) => ({ cookie, 'x-csrf-token': csrfToken, ...extra }) };
}
