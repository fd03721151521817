import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRACKER,
  effectiveVotes,
  emptyTracker,
  knownStates,
  followedPlates,
  recognitionUrgency,
  trackStep,
  type Observation,
  type TrackRead,
  type TrackerState,
} from './tracker.ts';
import { usableObservations } from './observations.ts';

const obs = (t: number, x: number, y: number, text: string, confidence = 0.95, over: Partial<Observation> = {}): Observation => ({
  t,
  box: [x, y, 100, 30],
  text,
  confidence,
  state: 'FL',
  stateConfidence: 0.9,
  ...over,
});

/** Feeds frames at 100 ms intervals; a frame is the observations seen in it. */
function run(frames: Observation[][], start = 0, cfg = DEFAULT_TRACKER): { reads: TrackRead[]; state: TrackerState } {
  let state = emptyTracker();
  const reads: TrackRead[] = [];
  frames.forEach((f, i) => {
    const step = trackStep(state, f, start + i * 100, cfg);
    state = step.state;
    reads.push(...step.reads);
  });
  return { reads, state };
}

const moving = (text: string, n: number, t0 = 0, x = 100) => Array.from({ length: n }, (_, i) => [obs(t0 + i * 100, x, 20 + i * 25, text)]);
const empty = (n: number) => Array.from({ length: n }, () => [] as Observation[]);

describe('trackStep', () => {
  it('emits one read per pass once the vote settles, with first/last seen and frames', () => {
    const { reads } = run([...moving('ABC1234', 6), ...empty(20)]);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ text: 'ABC1234', trigger: 'settled', firstSeen: 0, frames: 3, state: 'FL' });
    expect(reads[0]!.confidence).toBeCloseTo(0.95, 2);
  });

  it('takes the multi-frame vote over single misreads and lists the runner-up', () => {
    const frames = [
      [obs(0, 100, 20, 'ABC1Z34', 0.9)],
      [obs(100, 100, 45, 'ABC1234')],
      [obs(200, 100, 70, 'ABC1234')],
      [obs(300, 100, 95, 'ABC1234')],
      ...empty(20),
    ];
    const { reads } = run(frames);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.text).toBe('ABC1234');
    expect(reads[0]!.candidates[0]!.text).toBe('ABC1Z34');
    expect(reads[0]!.confidence).toBeLessThan(0.95);
  });

  it('counts a truncated reading as support for the whole serial', () => {
    const frames = [[obs(0, 100, 20, '54077M')], [obs(100, 100, 45, '54077M')], [obs(200, 100, 70, '654077M')], ...empty(20)];
    const { reads } = run(frames);
    expect(reads.map((r) => r.text)).toEqual(['654077M']);
    expect(effectiveVotes({ '54077M': { score: 2, count: 2 }, '654077M': { score: 1, count: 1 } })['654077M']).toEqual({
      score: 3,
      count: 3,
    });
  });

  it('reads a short pass when the plate leaves, if the evidence is strong enough', () => {
    const { reads } = run([[obs(0, 100, 20, 'XYZ987')], ...empty(20)]);
    expect(reads).toHaveLength(1);
    expect(reads[0]!.trigger).toBe('ended');
    const weak = run([[obs(0, 100, 20, 'XYZ987', 0.4)], ...empty(20)]);
    expect(weak.reads).toHaveLength(0);
  });

  it('keeps two plates in the same frame apart', () => {
    const frames = Array.from({ length: 5 }, (_, i) => [
      obs(i * 100, 100, 20 + i * 20, 'AAA111'),
      obs(i * 100, 500, 20 + i * 20, 'BBB222'),
    ]);
    const { reads } = run([...frames, ...empty(20)]);
    expect(reads.map((r) => r.text).sort()).toEqual(['AAA111', 'BBB222']);
  });

  it('separates two passes of the same plate', () => {
    const { reads } = run([...moving('ABC1234', 5), ...empty(150), ...moving('ABC1234', 5, 15_500)]);
    expect(reads.map((r) => r.text)).toEqual(['ABC1234', 'ABC1234']);
  });

  it('does not read a pass twice when detection loses it for a while', () => {
    const first = moving('ABC1234', 4);
    const rest = Array.from({ length: 4 }, (_, i) => [obs(2400 + i * 100, 100, 300 + i * 25, i ? 'ABC1234' : 'ABC1Z34')]);
    const { reads } = run([...first, ...empty(20), ...rest, ...empty(20)]);
    expect(reads).toHaveLength(1);
  });

  it('reads a parked car once, even after it is hidden for a while', () => {
    const parked = (n: number) => Array.from({ length: n }, () => [obs(0, 600, 300, 'PARK12')]);
    const frames = [...parked(50), ...empty(30), ...parked(50), ...empty(30)];
    let state = emptyTracker();
    const reads: TrackRead[] = [];
    frames.forEach((f, i) => {
      const step = trackStep(
        state,
        f.map((o) => ({ ...o, t: i * 100 })),
        i * 100,
      );
      state = step.state;
      reads.push(...step.reads);
    });
    expect(reads).toHaveLength(1);
  });

  it('does not modify the state it is given', () => {
    const s0 = emptyTracker();
    const step = trackStep(s0, [obs(0, 1, 1, 'ABC123')], 0);
    expect(s0.tracks).toHaveLength(0);
    expect(step.state.tracks).toHaveLength(1);
  });
});

describe('usableObservations', () => {
  it('drops plates cut by the frame edge and fragments beside a whole line', () => {
    const whole = obs(0, 100, 100, 'ABC1234', 0.9);
    const fragment = { ...obs(0, 180, 102, '34', 0.99), box: [180, 102, 20, 28] as [number, number, number, number] };
    const edge = obs(0, 100, 0, '54077M');
    expect(usableObservations([fragment, whole, edge], 640, 360).map((o) => o.text)).toEqual(['ABC1234']);
  });
});

describe('knownStates', () => {
  it('lists tracks whose state vote is settled, with their box and the leading state', () => {
    // Two frames at 0.9 for FL: 1.8 >= 0.95. One frame of TX at 0.9: not yet.
    const { state } = run([[obs(0, 100, 20, 'ABC1234'), obs(0, 600, 20, 'XYZ987', 0.95, { state: 'TX' })], [obs(100, 100, 45, 'ABC1234')]]);
    expect(knownStates(state.tracks)).toEqual([{ box: [100, 45, 100, 30], state: 'FL' }]);
    expect(
      knownStates(state.tracks, 0.5)
        .map((k) => k.state)
        .sort(),
    ).toEqual(['FL', 'TX']);
    // While a track is being read, the serial's place on the plate goes with it, moved to where
    // the plate's motion puts it, with the text read so far.
    const rect = { cx: 150, cy: 60, w: 100, h: 30, angle: 0, score: 0.9 };
    const placed = run([
      [obs(0, 100, 20, 'ABC1234', 0.95, { line: { plateBox: [80, 10, 140, 60], rect } })],
      [obs(100, 100, 45, 'ABC1234')],
    ]).state;
    expect(knownStates(placed.tracks, 0.95, 200)).toEqual([
      {
        box: [100, 70, 100, 30],
        state: 'FL',
        line: { plateBox: [80, 35 + 25, 140, 60], rect: { ...rect, cy: 60 + 50 }, text: 'ABC1234' },
      },
    ]);
    // One name read with near certainty is enough.
    const sure = run([[obs(0, 600, 20, 'XYZ987', 0.95, { state: 'TX', stateConfidence: 0.97 })]]).state;
    expect(knownStates(sure.tracks).map((k) => k.state)).toEqual(['TX']);
  });
});

describe('followedPlates', () => {
  it('lists plates whose read is out, where they should be next, and not the unread or parked ones', () => {
    // ABC1234 settles in three frames moving 25 px down per 100 ms; XYZ987 is seen once.
    const { state, reads } = run([
      [obs(0, 100, 20, 'ABC1234'), obs(0, 600, 20, 'XYZ987')],
      [obs(100, 100, 45, 'ABC1234')],
      [obs(200, 100, 70, 'ABC1234')],
    ]);
    expect(reads.map((r) => r.text)).toEqual(['ABC1234']);
    // 100 ms after the last sighting it is expected 25 px further down.
    expect(followedPlates(state.tracks, 300)).toEqual([{ box: [100, 95, 100, 30], text: 'ABC1234' }]);
    // A read plate that stands still past parkedAfterMs is parked: left to the full look.
    const still = run(Array.from({ length: 40 }, (_, i) => [obs(i * 100, 300, 300, 'PARK123')]));
    expect(still.reads).toHaveLength(1);
    expect(followedPlates(still.state.tracks, 4000)).toEqual([]);
  });
});

describe('recognitionUrgency', () => {
  it('ranks a plate about to settle over one just seen, over plates only followed, over an empty view', () => {
    expect(recognitionUrgency(emptyTracker().tracks)).toBe(0);
    const once = run(moving('ABC1234', 1)).state;
    const twice = run(moving('ABC1234', 2)).state;
    const read = run(moving('ABC1234', 4)).state;
    expect(read.tracks[0]!.emitted).toBe(true);
    expect(recognitionUrgency(read.tracks)).toBe(1);
    expect(recognitionUrgency(once.tracks)).toBe(3);
    expect(recognitionUrgency(twice.tracks)).toBe(4);
    // The most urgent plate in view decides.
    expect(recognitionUrgency([...read.tracks, ...twice.tracks])).toBe(4);
  });
});
