/**
 * Pipeline benchmark: `npm run bench -- pipeline [--maxCameras N] [--seconds S] [--width W --height H --fps F] [--reader NAME]
 * [--recognitionFps N] [--minCameras N] [--stagger 0|1] [--slots N]`. --minCameras starts both searches there (a quicker
 * look at one step; the figures are only the benchmark's when it is 1).
 *
 * Simulated cameras (default 1080p at 25 fps, one pre-encoded clip served to all, each camera
 * starting at its own point of it unless --stagger 0: independent cameras do not all show a plate
 * at the same instant, as cameras sharing one clip from its start would) against real
 * camera workers, each in its own process as the appliance runs them, publishing to a real
 * nats-server. Two searches, one camera more each step, stopping at the first failure:
 *  - decodeOnlyCameras: workers with --decode-only; a step passes when every camera decoded at
 *    least 99 % of the frames its stream declared over the window (no unintended loss).
 *  - fullPipelineCameras: full workers; a step passes when at least 99 % of the passes that
 *    completed in the window were read (passRecall, scored against the simulator's answer key).
 * Full workers take turns at recognition through a RecognitionGate served from this process, as
 * the supervisor serves the appliance's (--slots: reads at once; default the appliance's, one
 * less than the cores).
 * frameToReadMs: from capture of the frame whose processing completed a read to the read
 * acknowledged by JetStream, over the reads after the warm-up of the largest passing full step
 * (or of step 1).
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import {
  configSchema,
  recognitionSlots,
  decodeRead,
  ensureStreams,
  subscribeCameraMetrics,
  type CameraMetrics,
  type PlateRead,
} from '../../contracts/index.ts';
import { SERVICE_MAIN } from '../../appliance/node-service.ts';
import { GATE_ENV, RecognitionGate } from '../../pipeline/gate/index.ts';
import { DEFAULT_READER } from '../../pipeline/recognition/index.ts';
import { freePort, scoreAgainstKey, startSimulator } from '../../pipeline/simulator/index.ts';
import { startNats, tempDir } from '../helpers/nats.ts';
import { numericFlags, percentile, round } from './_args.ts';

interface Worker {
  child: ChildProcess;
  /** frameToReadMs of each read, with when the worker logged it. */
  latencies: { at: number; ms: number }[];
}

function spawnWorker(configJson: string, args: string[], gate?: RecognitionGate): Promise<Worker> {
  const child = fork(SERVICE_MAIN, ['camera', ...args], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { UV_THREADPOOL_SIZE: '8', ...process.env, ALPR_CONFIG_JSON: configJson, ...(gate ? { [GATE_ENV]: '1' } : {}) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  gate?.attach(child);
  const w: Worker = { child, latencies: [] };
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      const e = JSON.parse(line) as { msg?: string; frameToReadMs?: number; time?: string };
      if (e.msg === 'read' && typeof e.frameToReadMs === 'number')
        w.latencies.push({ at: Date.parse(e.time ?? '') || Date.now(), ms: e.frameToReadMs });
    } catch {
      /* not a log line */
    }
  });
  return new Promise((resolve, reject) => {
    child.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve(w));
    child.once('exit', (code) => reject(new Error(`worker ${args.join(' ')} exited ${code} before ready`)));
  });
}

async function killAll(ws: Worker[]): Promise<void> {
  await Promise.all(
    ws.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(argv: string[]): Promise<Record<string, unknown>> {
  // --reader NAME: a registered plate reader for the full-pipeline steps (default: the appliance's).
  const ri = argv.indexOf('--reader');
  const reader = ri >= 0 ? argv[ri + 1] : undefined;
  if (ri >= 0 && !reader) throw new Error('--reader needs a name');
  if (ri >= 0) argv = [...argv.slice(0, ri), ...argv.slice(ri + 2)];
  const f = numericFlags(argv, {
    maxCameras: 12,
    seconds: 30,
    warmup: 8,
    width: 1920,
    height: 1080,
    fps: 25,
    passes: 8,
    gap: 3,
    recognitionFps: 0,
    minCameras: 1,
    stagger: 1,
    slots: 0,
  });
  const ids = Array.from({ length: f.maxCameras }, (_, i) => `bench-${i + 1}`);
  const nats = await startNats({ cameras: ids });
  const nc = await nats.connect('bench');
  const dataDir = tempDir('bench-pipeline');
  console.error(`preparing the ${f.width}x${f.height}@${f.fps} clip (cached after the first run)…`);
  const sim = await startSimulator({
    cameras: ids,
    port: await freePort(),
    shareClip: true,
    stagger: f.stagger !== 0,
    scene: { width: f.width, height: f.height, fps: f.fps, passes: f.passes, gapS: f.gap, seed: 7, parked: false },
  });
  const config = configSchema.parse({
    dataDir,
    logLevel: 'info',
    nats: { port: nats.port, auth: { credentialsDir: nats.credentialsDir } },
    cameras: ids.map((id) => ({
      id,
      name: id,
      url: sim.url(id),
      deploymentRef: 'bench',
      ...(f.recognitionFps ? { recognitionFps: f.recognitionFps } : {}),
      location: { lat: 30, lon: -84, description: id },
    })),
    recognition: { slots: f.slots },
  });
  const slots = recognitionSlots(config, os.availableParallelism());
  await ensureStreams(nc, config.nats);
  const configJson = JSON.stringify(config);
  const metrics = new Map<string, CameraMetrics>();
  const history = new Map<string, { at: number; frames: number }[]>();
  subscribeCameraMetrics(nc, (m) => {
    metrics.set(m.cameraId, m);
    history.set(m.cameraId, [...(history.get(m.cameraId) ?? []), { at: Date.parse(m.at), frames: m.framesDecoded }]);
  });
  /** Decoded fps of a camera between two moments, from its own metrics (their times and counts). */
  const decodedRate = (id: string, from: number, to: number) => {
    const h = (history.get(id) ?? []).filter((e) => e.at >= from && e.at <= to);
    if (h.length < 2) return 0;
    return ((h.at(-1)!.frames - h[0]!.frames) * 1000) / (h.at(-1)!.at - h[0]!.at);
  };
  const reads: PlateRead[] = [];
  nc.subscribe('alpr.reads.>', { callback: (_e, m) => void reads.push(decodeRead(m)) });

  const steps: Record<string, unknown>[] = [];
  try {
    // Decode only.
    let decodeOnlyCameras = 0;
    for (let k = f.minCameras; k <= f.maxCameras; k++) {
      const ws = await Promise.all(ids.slice(0, k).map((id) => spawnWorker(configJson, [id, '--decode-only'])));
      await sleep(f.warmup * 1000);
      const t0 = Date.now();
      await sleep(f.seconds * 1000);
      const shares = ids.slice(0, k).map((id) => decodedRate(id, t0, Date.now()) / f.fps);
      await killAll(ws);
      const ok = shares.every((s) => s >= 0.99);
      steps.push({ mode: 'decode-only', cameras: k, decodedShare: shares.map((s) => round(s, 3)), ok });
      console.error(JSON.stringify(steps.at(-1)));
      if (!ok) break;
      decodeOnlyCameras = k;
    }

    // Full pipeline.
    let fullPipelineCameras = 0;
    let latencies: number[] = [];
    let passRecall = 0;
    for (let k = f.minCameras; k <= f.maxCameras; k++) {
      const gate = new RecognitionGate({ slots });
      const ws = await Promise.all(
        ids.slice(0, k).map((id) => spawnWorker(configJson, [id, '--threads', '1', ...(reader ? ['--reader', reader] : [])], gate)),
      );
      await sleep(f.warmup * 1000);
      const t0 = Date.now();
      const readsFrom = reads.length;
      await sleep(f.seconds * 1000);
      // Passes whose plate was in view inside the window, given time to be read.
      const tEnd = Date.now();
      await sleep(6000);
      await killAll(ws);
      const cams = ids.slice(0, k);
      const key = sim.key().filter((e) => cams.includes(e.cameraId) && e.from >= t0 && e.to <= tEnd);
      const stepReads = reads.slice(readsFrom).map((r) => ({ cameraId: r.cameraId, plate: r.plate, capturedAt: Date.parse(r.capturedAt) }));
      const { passes, found, recall, duplicates } = scoreAgainstKey(key, stepReads);
      // Reads of plates the camera never showed (reads of passes outside the window are not errors).
      const misreads = stepReads.filter((r) => !sim.key().some((e) => e.cameraId === r.cameraId && e.plate === r.plate)).length;
      const score = { passes, found, recall, duplicates, misreads };
      // Reads from the window on (and its tail): the warm-up is there to leave start-up out, of
      // latency as of recall (the first reads wait for models and allocations being made).
      const stepLat = ws.flatMap((w) => w.latencies.filter((l) => l.at >= t0).map((l) => l.ms));
      const ok = score.passes > 0 && score.recall >= 0.99;
      steps.push({
        mode: 'full',
        cameras: k,
        ...score,
        recall: round(score.recall, 3),
        frameToReadMsP50: round(percentile(stepLat, 50)),
        frameToReadMsP99: round(percentile(stepLat, 99)),
        inferenceMsP50: ids.slice(0, k).map((id) => metrics.get(id)?.inferenceMsP50 ?? null),
        ok,
      });
      console.error(JSON.stringify(steps.at(-1)));
      if (k === 1 || ok) {
        latencies = stepLat;
        passRecall = score.recall;
      }
      if (!ok) break;
      fullPipelineCameras = k;
    }
    return {
      bench: 'pipeline',
      stream: `${f.width}x${f.height}@${f.fps}`,
      reader: reader ?? DEFAULT_READER,
      windowSeconds: f.seconds,
      staggered: f.stagger !== 0,
      recognitionSlots: slots,
      decodeOnlyCameras,
      fullPipelineCameras,
      ratio: decodeOnlyCameras ? round(fullPipelineCameras / decodeOnlyCameras, 2) : 0,
      frameToReadMsP50: round(percentile(latencies, 50)),
      frameToReadMsP99: round(percentile(latencies, 99)),
      passRecall: round(passRecall, 3),
      steps,
    };
  } finally {
    await sim.stop();
    await nc.close();
    await nats.stop();
  }
}
