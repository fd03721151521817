import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeRead,
  ensureStreams,
  subscribeCameraStates,
  type CameraState,
  type NatsConnection,
  type PlateRead,
} from '../../contracts/index.ts';
import {
  DEFAULT_SCENE,
  defaultClipCache,
  ensureClip,
  freePort,
  scoreAgainstKey,
  startRtspServer,
  type RtspServer,
} from '../../pipeline/simulator/index.ts';
import { startNats, tempDir, type TestNats } from '../helpers/nats.ts';
import { spawnWorker, testCamera, testConfig, waitFor } from '../pipeline/harness.ts';

/**
 * Garbage inside a good stream: one access unit in ten of real H.264 has bytes flipped past its
 * NAL header or is cut short (a lossy link, a failing encoder), so the decoder meets broken slices
 * between good pictures all the time. The camera worker must stay up and live and keep reading
 * plates. (Pure noise and a stream that ends are
 * in test/pipeline/camera.test.ts.)
 */
const scene = { width: 640, height: 360, fps: 10, passes: 4, gapS: 5.5, crossS: 5, seed: 11, parked: false };
let nats: TestNats;
let nc: NatsConnection;
let server: RtspServer;
let worker: ReturnType<typeof spawnWorker> | null = null;
const reads: PlateRead[] = [];
const states: CameraState[] = [];
const dataDir = tempDir('damaged');

beforeAll(async () => {
  nats = await startNats({ cameras: ['damaged'] });
  nc = await nats.connect('damaged');
  const config = testConfig(nats, dataDir, []);
  await ensureStreams(nc, config.nats);
  nc.subscribe('alpr.reads.>', { callback: (_e, m) => void reads.push(decodeRead(m)) });
  subscribeCameraStates(nc, (s) => s.cameraId === 'damaged' && states.push(s));
  const clip = await ensureClip({ ...DEFAULT_SCENE, ...scene }, defaultClipCache());
  server = await startRtspServer({ port: await freePort(), cameras: [{ id: 'damaged', clip, damage: 0.1 }] });
});

afterAll(async () => {
  await worker?.kill();
  await server?.stop();
  await nc?.close();
  await nats?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('camera worker on a stream with damaged slices', () => {
  it('stays up and live and keeps reading the plates that pass', async () => {
    const config = testConfig(nats, dataDir, [testCamera('damaged', server.url('damaged'))]);
    worker = spawnWorker(config, ['damaged']);
    await worker.ready;
    await waitFor('the damaged camera live', () => states.some((s) => s.state === 'live'), 60_000);
    const due = () => server.key().filter((k) => k.to < Date.now() - 6000);
    await waitFor('four passes behind us', () => due().length >= 4, 120_000);
    const score = scoreAgainstKey(
      due(),
      reads.map((r) => ({ cameraId: r.cameraId, plate: r.plate, capturedAt: Date.parse(r.capturedAt) })),
    );
    const why = JSON.stringify({
      score,
      key: due().map((k) => k.plate),
      reads: reads.map((r) => r.plate),
      states: states.map((s) => `${s.state}:${s.reason ?? ''}`),
    });
    console.log(`damaged stream: ${why}`);
    expect(worker.child.exitCode, why).toBeNull();
    expect(worker.child.signalCode, why).toBeNull();
    expect(states.at(-1)!.state, why).toBe('live');
    expect(score.found, why).toBeGreaterThan(0);
    expect(score.duplicates, why).toBe(0);
  }, 240_000);
});
