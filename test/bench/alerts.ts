/// <reference lib="dom" />
// (the init script runs in the browser, where document and window exist.)
/**
 * Alert latency benchmark: `npm run bench -- alerts [--cameras N] [--seconds S] [--passes P]`.
 *
 * The real appliance (`alpr appliance`) with N simulated RTSP cameras (default 4, 1280x720 at
 * 15 fps, each its own clip so plates differ), every plate of the clips on a hotlist, and an
 * operator's live page open in Debian's chromium. For each live alert: from the capture of the
 * frame whose processing completed the read (the camera worker's `read` log line: its time less
 * frameToReadMs) to the alert's card painted on the operator's screen (a MutationObserver in the
 * page, stamped in the next animation frame). Both clocks are this machine's.
 * Stages reported beside the total: capture to read acknowledged by JetStream, read to alert
 * raised by the matcher (raisedAt), raised to painted (core store, SSE, render).
 * Targets: p50 <= 300 ms, p99 <= 1000 ms.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../dashboard/harness.ts';
import { bootstrapAccess, designate, setupTokenFromEntries } from '../helpers/access.ts';
import { spawnApplianceProcess, stopApplianceProcess } from '../helpers/appliance-process.ts';
import { freePort, tempDir } from '../helpers/nats.ts';
import { defaultClipCache, DEFAULT_SCENE, startSimulator } from '../../pipeline/simulator/index.ts';
import { numericFlags, percentile, round } from './_args.ts';

const TARGET = { p50Ms: 300, p99Ms: 1000 };

/** Installed before the page's own scripts: stamps each alert card when it is first painted. */
function watchCards() {
  const seen: Record<string, number> = {};
  (window as unknown as { __alertSeen: Record<string, number> }).__alertSeen = seen;
  new MutationObserver(() => {
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-alert]'))) {
      const id = el.dataset.alert!;
      if (id in seen) continue;
      seen[id] = 0;
      requestAnimationFrame(() => (seen[id] = Date.now()));
    }
  }).observe(document, { childList: true, subtree: true });
}

export async function run(argv: string[]) {
  const flags = numericFlags(argv, { cameras: 4, seconds: 60, passes: 20 });
  const dir = tempDir('bench-alerts');
  const dataDir = path.join(dir, 'data');
  const [natsPort, apiPort, simPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const cameras = Array.from({ length: flags.cameras }, (_, i) => `bench-${i + 1}`);
  const sim = await startSimulator({
    cameras,
    port: simPort,
    scene: { ...DEFAULT_SCENE, passes: flags.passes, seed: 71 },
    cacheDir: defaultClipCache(),
  });
  // Every plate of every clip is listed, before the appliance starts: each pass must alert.
  const incoming = path.join(dataDir, 'hotlists', 'incoming', 'bench');
  mkdirSync(incoming, { recursive: true });
  const rows = [...sim.clips.values()].flatMap((c) => c.passes.map((p) => `${p.plate},${p.state}`));
  writeFileSync(
    path.join(incoming, 'list.csv.tmp'),
    `plate,state,record_id,category\n${rows.map((r, i) => `${r},BENCH-${i},stolen vehicle\n`).join('')}`,
  );
  renameSync(path.join(incoming, 'list.csv.tmp'), path.join(incoming, 'list.csv'));
  const configFile = path.join(dir, 'alpr.yaml');
  writeFileSync(
    configFile,
    [
      `dataDir: ${dataDir}`,
      'logLevel: info',
      `cameras: [${cameras.map((id) => `{ id: ${id}, name: ${id}, url: "${sim.url(id)}", deploymentRef: bench, location: { lat: 30.44, lon: -84.28, description: bench } }`).join(', ')}]`,
      `nats: { port: ${natsPort} }`,
      `server: { port: ${apiPort} }`,
      'access: { enforceDeployments: false, scrypt: { cost: 1024, blockSize: 8, parallelization: 1 } }',
      'hotlists: { sources: [{ name: bench, mapping: standard, staleAfterHours: 8760 }], watchIntervalSeconds: 5 }',
    ].join('\n'),
  );
  /** When each read's completing frame was captured, by read id. */
  const triggers = new Map<string, { at: number; frameToReadMs: number }>();
  const app = spawnApplianceProcess(configFile, {
    onEntry: (e) => {
      if (e.msg === 'read' && typeof e.id === 'string' && typeof e.frameToReadMs === 'number' && typeof e.time === 'string')
        triggers.set(e.id, { at: Date.parse(e.time) - e.frameToReadMs, frameToReadMs: e.frameToReadMs });
    },
  });
  const browser = await launchBrowser();
  try {
    let setup: string | null = null;
    for (const end = Date.now() + 180_000; !setup; await new Promise((r) => setTimeout(r, 300))) {
      if (app.proc.exitCode !== null || Date.now() > end) throw new Error(`no setup link from the appliance:\n${app.tail()}`);
      setup = setupTokenFromEntries(app.entries);
    }
    const access = await bootstrapAccess(api, setup, []);
    const operator = await designate(api, access.admin, 'it-operator', ['operator']);
    const [name, value] = operator.session.headers().cookie!.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addCookies([{ name, value, url: api }]);
    await context.addInitScript(watchCards);
    const page = await context.newPage();
    await page.goto(`${api}/`);
    await page.getByTestId('stream').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
    const from = Date.now();
    await new Promise((r) => setTimeout(r, flags.seconds * 1000));
    // Cards of alerts raised in the window, once their last paint stamp is in.
    await new Promise((r) => setTimeout(r, 2000));
    const seen = await page.evaluate(() => (window as unknown as { __alertSeen: Record<string, number> }).__alertSeen);
    const samples: { totalMs: number; readMs: number; matchMs: number; deliverMs: number }[] = [];
    let historical = 0;
    for (const [id, paintedAt] of Object.entries(seen)) {
      if (!paintedAt) continue;
      const res = await fetch(`${api}/api/alerts/${id}`, { headers: operator.session.headers() });
      if (!res.ok) continue;
      const { alert } = (await res.json()) as { alert: { raisedAt: string; historical: boolean; read: { id: string } } };
      if (alert.historical) {
        historical++;
        continue;
      }
      const t = triggers.get(alert.read.id);
      if (!t || t.at < from) continue;
      const raised = Date.parse(alert.raisedAt);
      samples.push({
        totalMs: paintedAt - t.at,
        readMs: t.frameToReadMs,
        matchMs: raised - (t.at + t.frameToReadMs),
        deliverMs: paintedAt - raised,
      });
    }
    const stat = (k: keyof (typeof samples)[number]) => ({
      p50: round(
        percentile(
          samples.map((s) => s[k]),
          50,
        ),
      ),
      p95: round(
        percentile(
          samples.map((s) => s[k]),
          95,
        ),
      ),
      p99: round(
        percentile(
          samples.map((s) => s[k]),
          99,
        ),
      ),
      max: round(Math.max(...samples.map((s) => s[k]))),
    });
    const total = stat('totalMs');
    return {
      bench: 'alerts',
      cameras: flags.cameras,
      seconds: flags.seconds,
      alerts: samples.length,
      readsInWindow: [...triggers.values()].filter((t) => t.at >= from).length,
      historicalSkipped: historical,
      captureToAlertVisibleMs: total,
      stages: { captureToReadMs: stat('readMs'), readToRaisedMs: stat('matchMs'), raisedToVisibleMs: stat('deliverMs') },
      target: TARGET,
      pass: samples.length > 0 && total.p50 <= TARGET.p50Ms && total.p99 <= TARGET.p99Ms,
    };
  } finally {
    await browser.close().catch(() => {});
    await stopApplianceProcess(app.proc, dataDir);
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
