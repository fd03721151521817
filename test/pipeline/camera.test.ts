import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeRead,
  ensureStreams,
  subscribeCameraStates,
  subscribeCameraMetrics,
  type CameraMetrics,
  type CameraState,
  type NatsConnection,
  type PlateRead,
} from '../../contracts/index.ts';
import {
  ensureClip,
  scoreAgainstKey,
  startRtspServer,
  startSimulator,
  freePort,
  type Simulator,
  type RtspServer,
} from '../../pipeline/simulator/index.ts';
import { startNats, tempDir, type TestNats } from '../helpers/nats.ts';
import { spawnWorker, testCamera, testConfig, waitFor } from './harness.ts';

/**
 * The camera pipeline against real services: the simulator's RTSP server streaming real
 * H.264, a camera worker in its own process, a real nats-server with JetStream.
 */
// Slow traffic: each plate is in view for about four seconds. The suite shares two cores with
// other test files (and other work): recognition can take seconds a frame under that load,
// and it must still see every plate a few times.
const scene = { width: 640, height: 360, fps: 10, passes: 4, gapS: 5.5, crossS: 5, seed: 11, parked: true };

let nats: TestNats;
let nc: NatsConnection;
let sim: Simulator;
const reads: PlateRead[] = [];
const states = new Map<string, CameraState[]>();
const metrics = new Map<string, CameraMetrics>();
const workers: { kill(): Promise<void> }[] = [];
const dataDir = tempDir('pipeline');

const latest = (id: string) => states.get(id)?.at(-1);

beforeAll(async () => {
  nats = await startNats({ cameras: ['cam-a', 'nomount', 'noport', 'noise', 'short', 'hevc'] });
  nc = await nats.connect('test');
  const config = testConfig(nats, dataDir, []);
  await ensureStreams(nc, config.nats);
  nc.subscribe('alpr.reads.>', {
    callback: (_e, m) => {
      reads.push(decodeRead(m));
    },
  });
  subscribeCameraStates(nc, (s) => states.set(s.cameraId, [...(states.get(s.cameraId) ?? []), s]));
  subscribeCameraMetrics(nc, (m) => metrics.set(m.cameraId, m));
  sim = await startSimulator({ cameras: ['cam-a'], port: await freePort(), scene });
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await sim?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('camera worker on a simulated RTSP camera', () => {
  it('publishes one read per vehicle pass, matching the answer key', async () => {
    // The camera's own reader goes before the appliance's: the worker runs the one configured
    // for it (the default here, which this test's figures are for), not a flag's.
    const base = testConfig(nats, dataDir, [{ ...testCamera('cam-a', sim.url('cam-a')), reader: 'platedet-ppocr-platerec-v1' }]);
    const config = { ...base, recognition: { ...base.recognition, reader: 'ppocr-v4-baseline' as const } };
    const w = spawnWorker(config, ['cam-a']);
    workers.push(w);
    expect(await w.info).toMatchObject({ camera: 'cam-a', source: 'rtsp', reader: 'platedet-ppocr-platerec-v1' });
    await waitFor('cam-a live', () => latest('cam-a')?.state === 'live', 30_000);
    // A full loop of the clip plus the next loop's first passes, so repeats of a plate are seen.
    const due = () => sim.key().filter((k) => k.to < Date.now() - 6000);
    await waitFor('six passes behind us', () => due().length >= 6, 90_000);
    const key = due();
    // Under load a vehicle's read comes a while after it leaves (recognition runs behind the
    // frames, and a track closes only after frames without it): wait for the reads, not for a clock.
    const scoreNow = () =>
      scoreAgainstKey(
        key,
        reads.map((r) => ({ cameraId: r.cameraId, plate: r.plate, capturedAt: Date.parse(r.capturedAt) })),
      );
    await waitFor('reads for the passes behind us', () => scoreNow().recall >= 0.95, 45_000).catch(() => undefined);
    const score = scoreAgainstKey(
      key,
      reads.map((r) => ({ cameraId: r.cameraId, plate: r.plate, capturedAt: Date.parse(r.capturedAt) })),
    );
    expect(score.recall, JSON.stringify({ score, key: key.map((k) => k.plate), reads: reads.map((r) => r.plate) })).toBeGreaterThanOrEqual(
      0.95,
    );
    expect(
      score.duplicates,
      JSON.stringify({
        key: key.map((k) => [k.plate, k.from, k.to, k.parked]),
        reads: reads.map((r) => [r.plate, Date.parse(r.capturedAt), r.framesSeen]),
      }),
    ).toBe(0);
    // The parked car stays in view through the loops: read once, never again.
    const parked = key.find((k) => k.parked)!;
    expect(reads.filter((r) => r.plate === parked.plate)).toHaveLength(1);
    const r = reads.find((x) => x.plate === key.find((k) => !k.parked)!.plate)!;
    expect(r.state).toBe(key.find((k) => k.plate === r.plate)!.state);
    expect(r.cropJpeg && Buffer.from(r.cropJpeg, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(r.framesSeen).toBeGreaterThanOrEqual(2);
    expect(r.location.description).toBe('test camera cam-a');
    expect(new Set(reads.map((x) => x.id)).size).toBe(reads.length);
    await waitFor('metrics from cam-a', () => (metrics.get('cam-a')?.framesInferred ?? 0) > 0);
    const m = metrics.get('cam-a')!;
    expect(m.readsTotal).toBeGreaterThan(0);
    expect(m.inferenceMsP50).toBeGreaterThan(0);
    // A worker run alone has no gate to wait for: its frames are read at once.
    expect(m.recognitionWaitMsP50).not.toBeNull();
    expect(m.recognitionWaitMsP50!).toBeLessThan(5);
  }, 200_000);

  it('reconnects to a camera that drops and comes back', async () => {
    await sim.stop(true);
    await waitFor('cam-a failed', () => latest('cam-a')?.state === 'failed', 20_000);
    expect(latest('cam-a')!.reason).toBeTruthy();
    const before = reads.length;
    await sim.restart();
    await waitFor('cam-a live again', () => latest('cam-a')?.state === 'live', 40_000);
    await waitFor('a read after the reconnect', () => reads.length > before, 30_000);
  }, 90_000);

  it('reports a wrong URL, a corrupt stream and a truncated stream clearly, and the good camera stays live', async () => {
    const clip = await ensureClip({ ...scene, passes: 2 }, sim.clips.get('cam-a')!.file.replace(/\/[^/]+$/, ''));
    // Separate servers: a mount that never prepares holds up others on the same server.
    const bad: RtspServer = await startRtspServer({ port: await freePort(), cameras: [{ id: 'noise', clip, corrupt: true }] });
    const short: RtspServer = await startRtspServer({ port: await freePort(), cameras: [{ id: 'short', clip, loop: false }] });
    const closed = await freePort();
    const cams = [
      testCamera('cam-a', sim.url('cam-a')),
      testCamera('nomount', `${bad.url('noise').replace('/noise', '/nothing-here')}`),
      testCamera('noport', `rtsp://127.0.0.1:${closed}/x`),
      testCamera('noise', bad.url('noise')),
      testCamera('short', short.url('short')),
    ];
    const config = testConfig(nats, dataDir, cams);
    for (const id of ['nomount', 'noport', 'noise', 'short']) {
      const w = spawnWorker(config, [id, '--decode-only']);
      workers.push(w);
      await w.ready;
    }
    try {
      const nomount = await waitFor('nomount failed', () => states.get('nomount')?.find((s) => s.state === 'failed'), 30_000);
      expect(nomount.reason).toMatch(/not found/i);
      const noport = await waitFor('noport failed', () => states.get('noport')?.find((s) => s.state === 'failed'), 30_000);
      expect(noport.reason).toMatch(/connect/i);
      const noise = await waitFor('noise failed', () => states.get('noise')?.find((s) => s.state === 'failed'), 40_000);
      expect(noise.reason).toMatch(/no picture|no playable|stream/i);
      await waitFor('short live', () => states.get('short')?.find((s) => s.state === 'live'), 30_000);
      // Under load an attempt before the live one can fail on its own (no picture in time); the end of the
      // clip is the failure that follows the live state.
      const short = await waitFor(
        'short ended',
        () => {
          const seen = states.get('short') ?? [];
          const live = seen.findIndex((s) => s.state === 'live');
          return seen.slice(live + 1).find((s) => s.state === 'failed');
        },
        40_000,
      );
      expect(short.reason).toMatch(/ended|stalled/i);
      // The healthy camera never noticed.
      expect(latest('cam-a')!.state).toBe('live');
    } finally {
      await bad.stop();
      await short.stop();
    }
  }, 150_000);
  it('decodes a camera that sends H.265, switching its receive chain on its own', async () => {
    const clip = await ensureClip({ ...scene, passes: 2, codec: 'h265' }, sim.clips.get('cam-a')!.file.replace(/\/[^/]+$/, ''));
    expect(clip.file.endsWith('.h265')).toBe(true);
    const hevc: RtspServer = await startRtspServer({ port: await freePort(), cameras: [{ id: 'hevc', clip }] });
    try {
      const w = spawnWorker(testConfig(nats, dataDir, [testCamera('hevc', hevc.url('hevc'))]), ['hevc', '--decode-only']);
      workers.push(w);
      await w.ready;
      // The first attempt runs the H.264 chain, which cannot link to an H.265 stream; the next is H.265.
      await waitFor('hevc live', () => latest('hevc')?.state === 'live', 60_000);
      expect(
        states.get('hevc')!.some((s) => /H265/.test(s.reason ?? '')),
        JSON.stringify(states.get('hevc')),
      ).toBe(true);
      await waitFor('hevc frames decoded', () => (metrics.get('hevc')?.decodedFps ?? 0) > 0, 30_000);
    } finally {
      await hevc.stop();
    }
  }, 120_000);
});
