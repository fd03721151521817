import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../contracts/index.ts';
import { CameraCapture, rtspSource } from '../../pipeline/capture/index.ts';
import { freePort, staggerStart, startSimulator, type Simulator } from '../../pipeline/simulator/index.ts';
import { waitFor } from './harness.ts';

/**
 * Staggered cameras sharing one clip: each stream starts at its own point of the clip, and the
 * answer key follows it: the same plate passes the two cameras at different times, and no
 * camera is keyed for a pass from before its stream began.
 */
let sim: Simulator | undefined;
const captures: CameraCapture[] = [];

afterAll(async () => {
  for (const c of captures) c.stop();
  await sim?.stop();
});

describe('simulator with staggered cameras', () => {
  it('spreads cameras over the phase of the pass cycle, on whole seconds', () => {
    // A vehicle every 3 s in a 24 s clip: whole-cycle offsets (6 s, 12 s) would keep cameras in step.
    const starts = [0, 1, 2, 3].map((i) => staggerStart(i, 4, 24 * 25, 25, 3));
    // Whole seconds give a 3 s cycle three phases: the nearest to 0, 1/4, 2/4 and 3/4 of it.
    expect(starts.map((s) => s % 3)).toEqual([0, 1, 1, 2]);
    expect(starts[0]).toBe(0);
    // With a 4 s cycle, four phases a quarter apart.
    expect([0, 1, 2, 3].map((i) => staggerStart(i, 4, 24 * 25, 25, 4) % 4)).toEqual([0, 1, 2, 3]);
  });

  it('starts each stream at its own point of the shared clip and keys the passes it shows', async () => {
    const scene = { width: 320, height: 180, fps: 10, passes: 4, gapS: 2, seed: 5, parked: false };
    sim = await startSimulator({ cameras: ['s0', 's1'], port: await freePort(), shareClip: true, stagger: true, scene });
    const clip = sim.clips.get('s0')!;
    const startS = staggerStart(1, 2, clip.frames, scene.fps, scene.gapS); // camera s1 starts this far into the clip
    expect(startS).toBeGreaterThan(0);
    const began = Date.now();
    for (const id of ['s0', 's1']) {
      const c = new CameraCapture({ source: rtspSource({ url: sim.url(id) }) }, { frame: () => {}, state: () => {} }, silentLogger);
      captures.push(c);
      c.start();
    }
    await waitFor('both streams live', () => captures.every((c) => c.stats().state === 'live'), 30_000);
    const key = (id: string) => sim!.key().filter((e) => e.cameraId === id);
    await waitFor('keys of both cameras', () => key('s0').length > 0 && key('s1').length > 0, 10_000);
    // No pass keyed before a stream existed.
    for (const e of sim.key()) expect(e.from).toBeGreaterThanOrEqual(began - 50);
    // One plate, both cameras: s1 shows it startS seconds earlier in the clip's loop.
    const loopMs = (clip.frames / scene.fps) * 1000;
    const common = () => {
      for (const a of key('s0')) {
        const b = key('s1').find((e) => e.plate === a.plate);
        if (b) return { a, b };
      }
      return null;
    };
    const { a, b } = await waitFor('a plate keyed on both cameras', common, loopMs + 5000);
    const offset = (((a.from - b.from) % loopMs) + loopMs) % loopMs;
    expect(Math.abs(offset - startS * 1000)).toBeLessThan(400);
    // s1's first keyed pass comes within a pass and a gap of its start, not a loop later.
    expect(key('s1')[0]!.from - began).toBeLessThan(loopMs / 2);
  }, 90_000);
});
