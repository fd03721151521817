import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../contracts/index.ts';
import { RtspCapture, type Frame } from '../../pipeline/capture/index.ts';
import { freePort, startSimulator, type Simulator } from '../../pipeline/simulator/index.ts';
import { waitFor } from './harness.ts';

/**
 * The capture's frame-rate limit against a real RTSP stream: frames beyond the limit are
 * dropped inside GStreamer, yet counted as decoded, so frame loss and decoded fps still speak
 * of the stream and not of what recognition asked for.
 */
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ cameras: ['rate'], port: await freePort(), scene: { width: 320, height: 180, fps: 10, passes: 2, gapS: 2, seed: 3, parked: false } });
});

afterAll(async () => {
  await sim?.stop();
});

describe('capture frame-rate limit', () => {
  it('hands over at most deliverFps frames a second, counts every decoded one, and follows a new limit', async () => {
    const delivered: Frame[] = [];
    const cap = new RtspCapture({ url: sim.url('rate'), deliverFps: 3 }, { frame: (f) => delivered.push(f), state: () => {} }, silentLogger);
    cap.start();
    try {
      await waitFor('live', () => cap.stats().state === 'live', 30_000);
      // Past the first frames (they come before the limit can be set) and the rate's warm-up.
      await new Promise((r) => setTimeout(r, 2000));
      const rateOver = async (ms: number) => {
        const d0 = delivered.length, f0 = cap.stats().frames, t0 = Date.now();
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
});
