import { textSimilarity, type UsState } from '../../contracts/index.ts';

/**
 * Plate tracking as pure functions: observations (plates read in one frame) in, tracks and
 * finished reads out. A track follows one plate across frames by predicted position and text
 * similarity; it yields exactly one read, by multi-frame vote, as soon as the vote settles or
 * when the plate leaves the view, whichever comes first. Nothing here reads a clock.
 */

export type Box = [number, number, number, number];

export interface Observation<R = unknown> {
  /** Capture time of the frame (ms). */
  t: number;
  box: Box;
  text: string;
  confidence: number;
  state: UsState | null;
  stateConfidence: number;
  /** Opaque to the tracker: the worker hangs the plate crop here. */
  ref?: R;
  /** Where the serial sat on the plate (detector box and the serial's rectangle), when the
   * reader says: handed back to it while the track is read, so it can skip searching for it. */
  line?: Line;
}

/** A serial's place on its plate in one frame. */
export interface Line {
  plateBox: Box;
  rect: { cx: number; cy: number; w: number; h: number; angle: number; score: number };
}

export interface TrackerConfig {
  /** A track not seen for this long has left the view. */
  lostMs: number;
  /** Observations agreeing on the leading text that settle the vote. */
  settleVotes: number;
  /** Share of the vote the leader needs to settle early. */
  settleShare: number;
  /** A track that ends unsettled is read only with this much vote behind its leader. */
  minScore: number;
  /** Text similarity below which an observation cannot continue a track. */
  minTextSimilarity: number;
  /** How far (in plate widths) from the predicted position a plate may be found. */
  maxJump: number;
  /** A read plate that stays put this long counts as parked. */
  parkedAfterMs: number;
  /** How long a parked plate that was read stays known, so it is read once, not after every occlusion. */
  parkedMemoryMs: number;
  /** A plate read again within this time (same or nearly the same text) is the same pass, split
   * in two by a gap in detection: not read twice. No vehicle passes one camera twice this fast. */
  repeatWindowMs: number;
}

export const DEFAULT_TRACKER: TrackerConfig = {
  lostMs: 1200,
  settleVotes: 3,
  settleShare: 0.75,
  minScore: 0.6,
  minTextSimilarity: 0.34,
  maxJump: 2.5,
  parkedAfterMs: 3000,
  parkedMemoryMs: 30 * 60_000,
  repeatWindowMs: 10_000,
};

interface Vote {
  score: number;
  count: number;
}

export interface Track<R = unknown> {
  id: number;
  firstSeen: number;
  lastSeen: number;
  frames: number;
  box: Box;
  firstBox: Box;
  /** Pixels per ms, from the last two sightings. */
  vx: number;
  vy: number;
  votes: Record<string, Vote>;
  stateVotes: Partial<Record<UsState, number>>;
  best: Observation<R>;
  emitted: boolean;
  /** The serial's place on the plate when last read. */
  line?: Line;
}

export interface TrackerState<R = unknown> {
  tracks: Track<R>[];
  nextId: number;
  /** Plates of stationary tracks already read: text, box, when last seen. */
  parked: { text: string; box: Box; until: number }[];
  /** Texts read lately, for the repeat window. */
  recent: { text: string; at: number }[];
}

export interface TrackRead<R = unknown> {
  trackId: number;
  text: string;
  confidence: number;
  candidates: { text: string; confidence: number }[];
  state: UsState | null;
  stateConfidence: number;
  firstSeen: number;
  lastSeen: number;
  frames: number;
  best: Observation<R>;
  trigger: 'settled' | 'ended';
  /** Capture time of the frame whose processing produced this read (latency is measured from it). */
  triggerAt: number;
}

export function emptyTracker<R = unknown>(): TrackerState<R> {
  return { tracks: [], nextId: 1, parked: [], recent: [] };
}

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a[0], b[0]),
    y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]),
    y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

const center = (b: Box) => [b[0] + b[2] / 2, b[1] + b[3] / 2] as const;

/**
 * Votes with truncated readings counted for the whole: a plate cut short by detection reads
 * as a substring of its serial ("54077M" of "654077M"), which is evidence for the longer text,
 * never against it. Ties go to the longer text.
 */
export function effectiveVotes(votes: Record<string, Vote>): Record<string, Vote> {
  const out: Record<string, Vote> = {};
  const entries = Object.entries(votes);
  for (const [t, v] of entries) {
    const e = { ...v };
    for (const [s, sv] of entries) {
      if (s !== t && s.length < t.length && t.length - s.length <= 2 && t.includes(s)) {
        e.score += sv.score;
        e.count += sv.count;
      }
    }
    out[t] = e;
  }
  return out;
}

function leader(votes: Record<string, Vote>): [string, Vote] | null {
  let best: [string, Vote] | null = null;
  for (const e of Object.entries(effectiveVotes(votes))) {
    if (!best || e[1].score > best[1].score || (e[1].score === best[1].score && e[0].length > best[0].length)) best = e;
  }
  return best;
}

/** Cost of continuing `t` with `o` (lower is better), or null when they cannot be the same plate. */
export function matchCost(t: Track, o: Observation, cfg: TrackerConfig): number | null {
  const dt = o.t - t.lastSeen;
  const [cx, cy] = center(t.box);
  const px = cx + t.vx * dt,
    py = cy + t.vy * dt;
  const [ox, oy] = center(o.box);
  const scale = Math.max(t.box[2], o.box[2], 1);
  const jump = Math.hypot(ox - px, oy - py) / scale;
  if (jump > cfg.maxJump) return null;
  const lead = leader(t.votes)?.[0] ?? '';
  const sim = Math.max(textSimilarity(lead, o.text), textSimilarity(t.best.text, o.text));
  if (sim < cfg.minTextSimilarity) return null;
  return jump + (1 - sim) * 2;
}

/**
 * Tracks whose state-of-issue vote is settled (`minVotes` of summed confidence for one state),
 * with their last box: recognition need not read their state again. One name read at 0.95 or
 * more settles it: the name lines were most of the second frame's recognition (~50 of ~110 ms
 * at six cameras), and a plate's name reads at 0.96-0.99 on every frame it is read on.
 */
export function knownStates<R>(
  tracks: Track<R>[],
  minVotes = 0.95,
  at?: number,
): { box: Box; state: UsState; line?: Line & { text: string } }[] {
  const out: { box: Box; state: UsState; line?: Line & { text: string } }[] = [];
  for (const t of tracks) {
    const best = leadingState(t);
    if (!best || best[1] < minVotes) continue;
    // Given the frame's time, the boxes are where the plate's motion puts them by then.
    const dx = at === undefined ? 0 : Math.round(t.vx * (at - t.lastSeen)),
      dy = at === undefined ? 0 : Math.round(t.vy * (at - t.lastSeen));
    // With the serial's place on the plate (recognition's PlacedLine, by shape): the reader may
    // then confirm the track's text without searching for it. Plates whose read is out too: one
    // that moved beyond following's reach is confirmed there instead of read again in full.
    const line = t.line ? { ...shiftLine(t.line, dx, dy), text: leader(t.votes)![0] } : undefined;
    out.push({ box: [t.box[0] + dx, t.box[1] + dy, t.box[2], t.box[3]], state: best[0], ...(line ? { line } : {}) });
  }
  return out;
}

function shiftLine(l: Line, dx: number, dy: number): Line {
  return {
    plateBox: [l.plateBox[0] + dx, l.plateBox[1] + dy, l.plateBox[2], l.plateBox[3]],
    rect: { ...l.rect, cx: l.rect.cx + dx, cy: l.rect.cy + dy },
  };
}

/** The state of issue with the most vote behind it, and that vote. */
function leadingState(t: Track): [UsState, number] | undefined {
  return (Object.entries(t.stateVotes) as [UsState, number][]).sort((a, b) => b[1] - a[1])[0];
}

/** Plates whose read is out and that are still moving through the view, with the box each
 * is expected at by `at` (its last box moved by its velocity) and its text: recognition need
 * only follow them. Parked plates are left to the periodic full look. */
export function followedPlates<R>(tracks: Track<R>[], at: number, cfg: TrackerConfig = DEFAULT_TRACKER): { box: Box; text: string }[] {
  return tracks
    .filter((t) => t.emitted && !isParked(t, cfg))
    .map((t) => {
      const dt = at - t.lastSeen;
      const box: Box = [Math.round(t.box[0] + t.vx * dt), Math.round(t.box[1] + t.vy * dt), t.box[2], t.box[3]];
      return { box, text: leader(t.votes)![0] };
    });
}

/**
 * How urgent this camera's next frame is for recognition (the gate runs the most urgent first):
 * 0 with nothing in view, 1 while every plate in view is read and only followed, and above that
 * 2 + the leading text's agreeing sightings of the plate closest to settling, whose next frame
 * may complete its read: the frame latency is measured on and an alert waits for.
 */
export function recognitionUrgency<R>(tracks: Track<R>[]): number {
  let urgency = tracks.length > 0 ? 1 : 0;
  for (const t of tracks) {
    if (t.emitted) continue;
    urgency = Math.max(urgency, 2 + (leader(t.votes)?.[1].count ?? 0));
  }
  return urgency;
}

/** The read a track stands for now (its vote), without deciding whether to emit it. */
export function summarize<R>(t: Track<R>, trigger: TrackRead['trigger'], triggerAt: number): TrackRead<R> {
  const total = Object.values(t.votes).reduce((s, v) => s + v.score, 0) || 1;
  const [text, v] = leader(t.votes)!;
  const entries = Object.entries(t.votes)
    .filter(([c]) => c !== text)
    .sort((a, b) => b[1].score - a[1].score);
  const state = leadingState(t);
  const round = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
  return {
    trackId: t.id,
    text,
    confidence: round(Math.min(1, v.score / total) * (v.score / v.count)),
    candidates: entries.slice(0, 5).map(([c, cv]) => ({ text: c, confidence: round(cv.score / total) })),
    state: state?.[0] ?? null,
    stateConfidence: round(state ? state[1] / t.frames : 0),
    firstSeen: t.firstSeen,
    lastSeen: t.lastSeen,
    frames: t.frames,
    best: t.best,
    trigger,
    triggerAt,
  };
}

function settled(t: Track, cfg: TrackerConfig): boolean {
  const lead = leader(t.votes);
  if (!lead) return false;
  const total = Object.values(t.votes).reduce((s, v) => s + v.score, 0);
  return lead[1].count >= cfg.settleVotes && lead[1].score >= cfg.settleShare * total;
}

const moved = (t: Track) =>
  Math.hypot(center(t.box)[0] - center(t.firstBox)[0], center(t.box)[1] - center(t.firstBox)[1]) / Math.max(t.box[2], 1);

function isKnownParked<R>(s: TrackerState<R>, t: Track<R>, now: number): boolean {
  const text = leader(t.votes)?.[0] ?? '';
  return s.parked.some((p) => p.until >= now && iou(p.box, t.box) > 0.4 && textSimilarity(p.text, text) >= 0.7);
}

/**
 * Advances the tracker by one processed frame taken at `now` with its observations.
 * Returns the new state (the input is not modified) and the reads that became due.
 */
export function trackStep<R>(
  prev: TrackerState<R>,
  observations: Observation<R>[],
  now: number,
  cfg: TrackerConfig = DEFAULT_TRACKER,
): { state: TrackerState<R>; reads: TrackRead<R>[] } {
  const tracks = prev.tracks.map((t) => ({ ...t, votes: { ...t.votes }, stateVotes: { ...t.stateVotes } }));
  const state: TrackerState<R> = {
    tracks,
    nextId: prev.nextId,
    parked: prev.parked.filter((p) => p.until >= now),
    recent: prev.recent.filter((r) => r.at >= now - cfg.repeatWindowMs),
  };
  const reads: TrackRead<R>[] = [];
  const push = (r: TrackRead<R>) => {
    if (state.recent.some((x) => textSimilarity(x.text, r.text) >= 0.8)) return;
    state.recent.push({ text: r.text, at: now });
    reads.push(r);
  };

  // Greedy assignment, cheapest pairs first: few plates per frame, so optimality is not worth a solver.
  const pairs: { t: number; o: number; cost: number }[] = [];
  tracks.forEach((t, ti) =>
    observations.forEach((o, oi) => {
      const c = matchCost(t, o, cfg);
      if (c !== null) pairs.push({ t: ti, o: oi, cost: c });
    }),
  );
  pairs.sort((a, b) => a.cost - b.cost);
  const usedT = new Set<number>(),
    usedO = new Set<number>();
  const assign: [Track<R>, Observation<R>][] = [];
  for (const p of pairs) {
    if (usedT.has(p.t) || usedO.has(p.o)) continue;
    usedT.add(p.t);
    usedO.add(p.o);
    assign.push([tracks[p.t]!, observations[p.o]!]);
  }

  for (const [t, o] of assign) {
    const dt = o.t - t.lastSeen;
    if (dt > 0) {
      const [ax, ay] = center(t.box),
        [bx, by] = center(o.box);
      t.vx = (bx - ax) / dt;
      t.vy = (by - ay) / dt;
    }
    // A sighting without the serial's place moves the last known place along with the plate.
    t.line = o.line ?? (t.line && shiftLine(t.line, o.box[0] - t.box[0], o.box[1] - t.box[1]));
    t.box = o.box;
    t.lastSeen = o.t;
    t.frames++;
    addVote(t, o);
  }
  observations.forEach((o, i) => {
    if (usedO.has(i)) return;
    const t: Track<R> = {
      id: state.nextId++,
      firstSeen: o.t,
      lastSeen: o.t,
      frames: 1,
      box: o.box,
      firstBox: o.box,
      vx: 0,
      vy: 0,
      votes: {},
      stateVotes: {},
      best: o,
      emitted: false,
      ...(o.line ? { line: o.line } : {}),
    };
    addVote(t, o);
    tracks.push(t);
  });

  for (const t of tracks) {
    if (t.emitted) continue;
    if (settled(t, cfg)) {
      t.emitted = true;
      if (moved(t) < 0.5 && isKnownParked(state, t, now)) continue;
      push(summarize(t, 'settled', now));
    }
  }

  state.tracks = [];
  for (const t of tracks) {
    const lost = now - t.lastSeen > cfg.lostMs;
    if (t.emitted && moved(t) < 0.5 && t.lastSeen - t.firstSeen >= cfg.parkedAfterMs) {
      // Still (so far): remember it, so that if it is hidden and seen again it is not read twice.
      const text = leader(t.votes)![0];
      state.parked = state.parked.filter((p) => !(p.text === text && iou(p.box, t.box) > 0.4));
      state.parked.push({ text, box: t.box, until: t.lastSeen + cfg.parkedMemoryMs });
    }
    if (!lost) {
      state.tracks.push(t);
      continue;
    }
    if (t.emitted) continue;
    const lead = leader(t.votes);
    if (lead && lead[1].score >= cfg.minScore && !(moved(t) < 0.5 && isKnownParked(state, t, now))) push(summarize(t, 'ended', now));
  }
  return { state, reads };
}

/** A read plate that has stood still long enough to be remembered as parked: no need to keep looking at it. */
export function isParked(t: Track, cfg: TrackerConfig = DEFAULT_TRACKER): boolean {
  return t.emitted && moved(t) < 0.5 && t.lastSeen - t.firstSeen >= cfg.parkedAfterMs;
}

function addVote<R>(t: Track<R>, o: Observation<R>): void {
  const v = (t.votes[o.text] ??= { score: 0, count: 0 });
  v.score += o.confidence;
  v.count++;
  if (o.state) t.stateVotes[o.state] = (t.stateVotes[o.state] ?? 0) + o.stateConfidence;
  // The best crop: the most confident sighting of the leading text.
  const lead = leader(t.votes)![0];
  if (o.text === lead && (t.best.text !== lead || o.confidence >= t.best.confidence)) t.best = o;
}
