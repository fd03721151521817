import os from 'node:os';
import path from 'node:path';
import { ensureClip, type Clip } from './clip.ts';
import { DEFAULT_SCENE, type SceneSpec } from './scene.ts';
import { startRtspServer, type KeyEntry, type RtspServer } from './server.ts';

export { Scene, DEFAULT_SCENE, clipFrames, type SceneSpec, type ScenePass } from './scene.ts';
export { ensureClip, clipKey, type Clip } from './clip.ts';
export { startRtspServer, RTSP_SERVER_SCRIPT, SYSTEM_PYTHON, type RtspServer, type SimCamera, type KeyEntry } from './server.ts';

export function defaultClipCache(): string {
  return process.env.ALPR_SIM_CACHE ?? path.join(os.tmpdir(), 'alpr-sim-clips');
}

export interface SimulatorOptions {
  /** Camera ids; each gets its own clip (seed = base seed + index) so plates differ. */
  cameras: string[];
  port: number;
  scene?: Partial<SceneSpec>;
  cacheDir?: string;
  keyFile?: string;
  /** Use one clip for every camera (cheaper to prepare; plates repeat across cameras). */
  shareClip?: boolean;
  /**
   * Start each camera's stream at its own point of the clip (`staggerStart`). Cameras sharing a
   * clip otherwise show the same plate at the same instant, a burst of work no independent
   * cameras would make together.
   */
  stagger?: boolean;
  onEvent?: (e: Record<string, unknown>) => void;
}

export interface Simulator extends RtspServer {
  clips: Map<string, Clip>;
}

/**
 * The second of the clip camera `i` of `n` starts at, so that the n cameras are spread over the
 * phase of the pass cycle (a vehicle every `periodS` seconds): offsets of whole cycles would
 * change the plates and keep every camera's passes in step. Whole seconds, where clips have
 * keyframes; the second whose phase is nearest i/n of the cycle.
 */
export function staggerStart(i: number, n: number, frames: number, fps: number, periodS: number): number {
  const seconds = Math.max(1, Math.floor(frames / fps));
  const target = (i / n) * periodS;
  let best = 0,
    bestErr = Infinity;
  for (let k = 0; k < seconds; k++) {
    const d = Math.abs((k % periodS) - target);
    const err = Math.min(d, periodS - d);
    if (err < bestErr - 1e-9) [best, bestErr] = [k, err];
  }
  return best;
}

/** Renders (or reuses) the clips and serves one RTSP stream per camera. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const spec: SceneSpec = { ...DEFAULT_SCENE, ...opts.scene };
  const cacheDir = opts.cacheDir ?? defaultClipCache();
  const clips = new Map<string, Clip>();
  for (const [i, id] of opts.cameras.entries()) {
    clips.set(id, await ensureClip(opts.shareClip ? spec : { ...spec, seed: spec.seed + i }, cacheDir));
  }
  const server = await startRtspServer({
    cameras: opts.cameras.map((id, i) => {
      const clip = clips.get(id)!;
      const fps = Math.max(1, Math.round(clip.spec.fps));
      return { id, clip, startFrame: opts.stagger ? staggerStart(i, opts.cameras.length, clip.frames, fps, clip.spec.gapS) * fps : 0 };
    }),
    port: opts.port,
    keyFile: opts.keyFile,
    onEvent: opts.onEvent,
  });
  return Object.assign(server, { clips });
}

/** Matches reads to the key: a read counts for a pass when plate and camera agree and its time falls in the pass (± slack). */
export function scoreAgainstKey(
  key: KeyEntry[],
  reads: { cameraId: string; plate: string; capturedAt: number }[],
  slackMs = 3000,
): { passes: number; found: number; recall: number; duplicates: number; unmatched: number } {
  const used = new Set<number>();
  let duplicates = 0,
    unmatched = 0;
  const hits = new Array<number>(key.length).fill(0);
  for (const r of reads) {
    const i = key.findIndex(
      (k) =>
        k.cameraId === r.cameraId &&
        k.plate === r.plate &&
        (k.parked || (r.capturedAt >= k.from - slackMs && r.capturedAt <= k.to + slackMs)),
    );
    if (i < 0) unmatched++;
    else if (hits[i]! > 0) duplicates++;
    else used.add(i);
    if (i >= 0) hits[i]!++;
  }
  return { passes: key.length, found: used.size, recall: key.length ? used.size / key.length : 0, duplicates, unmatched };
}
export { freePort } from './ports.ts';
