import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../contracts/index.ts';
import { CameraCapture, rtspSource, type Frame } from '../../pipeline/capture/index.ts';
import { freePort, startSimulator, type Simulator } from '../../pipeline/simulator/index.ts';
import { waitFor } from './harness.ts';

/**
 * The capture's frame-rate limit against a real RTSP stream: frames beyond the limit are
 * dropped inside GStreamer, yet counted as decoded, so frame loss and decoded fps still speak
 * of the stream and not of what recognition asked for.
 */
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    cameras: ['rate'],
    port: await freePort(),
    scene: { width: 320, height: 180, fps: 10, passes: 2, gapS: 2, seed: 3, parked: false },
  });
});

afterAll(async () => {
  await sim?.stop();
});

describe('capture frame-rate limit', () => {
  it('hands over at most deliverFps frames a second, counts every decoded one, and follows a new limit', async () => {
    const delivered: Frame[] = [];
    const cap = new CameraCapture(
      { source: rtspSource({ url: sim.url('rate') }), deliverFps: 3 },
      { frame: (f) => delivered.push(f), state: () => {} },
      silentLogger,
    );
    cap.start();
    try {
      await waitFor('live', () => cap.stats().state === 'live', 30_000);
      // Past the first frames (they come before the limit can be set) and the rate's warm-up.
      await new Promise((r) => setTimeout(r, 2000));
      const rateOver = async (ms: number) => {
        const d0 = delivered.length,
          f0 = cap.stats().frames,
          t0 = Date.now();
        await new Promise((r) => setTimeout(r, ms));
        const s = (Date.now() - t0) / 1000;
        return { delivered: (delivered.length - d0) / s, decoded: (cap.stats().frames - f0) / s };
      };
      const slow = await rateOver(4000);
      expect(cap.stats().nominalFps).toBe(10);
      expect(slow.decoded).toBeGreaterThan(8.5);
      expect(slow.delivered).toBeGreaterThan(2);
      expect(slow.delivered).toBeLessThan(4);
      // Frames not handed over are not lost frames.
      expect(cap.stats().dropped).toBeLessThan(5);

      cap.setDeliverFps(6);
      await new Promise((r) => setTimeout(r, 1000));
      const fast = await rateOver(4000);
      expect(fast.delivered).toBeGreaterThan(5);
      expect(fast.delivered).toBeLessThan(7);
      expect(fast.decoded).toBeGreaterThan(8.5);
      // Frames stay whole and in order.
      const f = delivered.at(-1)!;
      expect([f.width, f.height, f.data.length]).toEqual([320, 180, 320 * 180]);
      expect(delivered.every((d, i) => i === 0 || d.seq === delivered[i - 1]!.seq + 1)).toBe(true);
    } finally {
      cap.stop();
    }
  }, 90_000);

  it('hands the newest decoded frame on demand beside the limited ones, dated no later than it could have come', async () => {
    const delivered: Frame[] = [];
    const cap = new CameraCapture(
      { source: rtspSource({ url: sim.url('rate') }), deliverFps: 2, latest: true },
      { frame: (f) => delivered.push(f), state: () => {} },
      silentLogger,
    );
    const plain = new CameraCapture(
      { source: rtspSource({ url: sim.url('rate') }), deliverFps: 2 },
      { frame: () => {}, state: () => {} },
      silentLogger,
    );
    cap.start();
    plain.start();
    try {
      await waitFor('live', () => cap.stats().state === 'live' && plain.stats().state === 'live', 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      // A capture built without it has no such frame to give.
      expect(await plain.latest()).toBeNull();
      const d0 = delivered.length,
        f0 = cap.stats().frames,
        t0 = Date.now();
      const pulls: { askedAt: number; frame: Frame | null; tookMs: number }[] = [];
      for (let i = 0; i < 10; i++) {
        const askedAt = Date.now();
        // A generous wait: this is about which frame comes, not how fast (CI shares two cores).
        const frame = await cap.latest(3000);
        pulls.push({ askedAt, frame, tookMs: Date.now() - askedAt });
        await new Promise((r) => setTimeout(r, 250));
      }
      const s = (Date.now() - t0) / 1000;
      for (const { askedAt, frame, tookMs } of pulls) {
        expect(frame).not.toBeNull();
        expect([frame!.width, frame!.height, frame!.data.length]).toEqual([320, 180, 320 * 180]);
        // Waiting in the sink or decoded after the ask: at most one interval (100 ms at 10 fps) before it.
        expect(frame!.capturedAt).toBeGreaterThanOrEqual(askedAt - 101);
        expect(frame!.capturedAt).toBeLessThanOrEqual(askedAt + tookMs);
      }
      // The pulls do not change what the limited side hands over or what is counted as decoded.
      expect((delivered.length - d0) / s).toBeLessThan(3);
      expect((cap.stats().frames - f0) / s).toBeGreaterThan(8.5);
      expect(cap.stats().dropped).toBeLessThan(5);
    } finally {
      cap.stop();
      plain.stop();
    }
  }, 90_000);
});
