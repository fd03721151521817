import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { UsState } from '../../contracts/index.ts';
import type { Clip } from './clip.ts';

/**
 * Runs the RTSP server (rtsp_server.py under Debian's /usr/bin/python3, which has GI) and
 * turns its loop events into the answer key: which plate passed which camera, and when.
 */

export const RTSP_SERVER_SCRIPT = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));
/** The pyenv python3 first on PATH has no `gi`; Debian's does. */
export const SYSTEM_PYTHON = process.env.ALPR_SYSTEM_PYTHON ?? '/usr/bin/python3';

export interface SimCamera {
  id: string;
  clip: Clip;
  /** false: the stream ends after one pass of the clip (a truncated stream). */
  loop?: boolean;
  /** Serve noise in place of the clip's pictures (a corrupt stream). */
  corrupt?: boolean;
  /** Share of access units damaged (bytes flipped or cut short) among good ones: a lossy link. */
  damage?: number;
  /** Frame of the clip the stream starts at (a keyframe: clips have one a second); 0 by default. */
  startFrame?: number;
}

/** One expected read: a plate passing a camera. Times are ms since the epoch. */
export interface KeyEntry {
  cameraId: string;
  plate: string;
  state: UsState;
  /** First and last moment the whole plate was in view. */
  from: number;
  to: number;
  loop: number;
  parked: boolean;
}

export interface RtspServer {
  port: number;
  url(cameraId: string): string;
  /** Answer key entries so far (grows as streams loop). */
  key(): KeyEntry[];
  /** Stops the server (SIGKILL when `hard`: a camera that dies without a goodbye). */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port, after a stop. */
  restart(): Promise<void>;
}

export async function startRtspServer(opts: {
  cameras: SimCamera[];
  port: number;
  host?: string;
  /** Append key entries here as JSON lines. */
  keyFile?: string;
  onEvent?: (e: Record<string, unknown>) => void;
}): Promise<RtspServer> {
  const host = opts.host ?? '127.0.0.1';
  const byMount = new Map(opts.cameras.map((c) => [`/${c.id}`, c]));
  const entries: KeyEntry[] = [];
  if (opts.keyFile) mkdirSync(path.dirname(opts.keyFile), { recursive: true });
  let child: ChildProcess | null = null;

  const onLoop = (mount: string, loop: number, t: number, since: number) => {
    const cam = byMount.get(mount);
    if (!cam || cam.corrupt) return;
    const fps = cam.clip.spec.fps;
    for (const p of cam.clip.passes) {
      // A parked car is one pass for the whole time it stays: listed once per stream start.
      if (p.parked && loop > 0) continue;
      // A stream started into its clip (staggered cameras) never showed the passes before it.
      if (t + p.firstVisibleFrame / fps < since) continue;
      const e: KeyEntry = {
        cameraId: cam.id,
        plate: p.plate,
        state: p.state,
        from: Math.round(t * 1000 + (p.firstVisibleFrame / fps) * 1000),
        to: Math.round(t * 1000 + (p.lastVisibleFrame / fps) * 1000),
        loop,
        parked: p.parked,
      };
      entries.push(e);
      if (opts.keyFile) appendFileSync(opts.keyFile, JSON.stringify(e) + '\n');
    }
  };

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const config = {
        host,
        port: opts.port,
        mounts: opts.cameras.map((c) => ({
          path: `/${c.id}`,
          clip: c.clip.file,
          fps: c.clip.spec.fps,
          loop: c.loop ?? true,
          corrupt: c.corrupt ?? false,
          damage: c.damage ?? 0,
          start_frame: c.startFrame ?? 0,
        })),
      };
      // stdin stays open as a lifeline: the server exits when its parent goes, however it goes.
      const proc = spawn(SYSTEM_PYTHON, [RTSP_SERVER_SCRIPT, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
      child = proc;
      let stderr = '';
      proc.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
      let ready = false;
      proc.on('exit', (code) => {
        if (!ready) reject(new Error(`RTSP server exited (${code}) before it was ready: ${stderr.trim()}`));
      });
      proc.on('error', reject);
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(line);
        } catch {
          return;
        }
        opts.onEvent?.(e);
        if (e.event === 'ready') {
          ready = true;
          resolve();
        } else if (e.event === 'loop') onLoop(String(e.mount), Number(e.loop), Number(e.t), Number(e.since ?? e.t));
        else if (e.event === 'error') reject(new Error(String(e.message)));
      });
    });

  const stop = async (hard = false) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };

  await launch();
  return {
    port: opts.port,
    url: (id) => `rtsp://${host}:${opts.port}/${id}`,
    key: () => [...entries],
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
