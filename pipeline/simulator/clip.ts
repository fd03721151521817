import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clipFrames, Scene, type ScenePass, type SceneSpec } from './scene.ts';

/**
 * Renders a scene once and encodes it to an H.264 (or H.265) byte-stream file, cached by its spec: the
 * RTSP server then only re-sends the encoded clip, so serving N cameras costs almost no CPU
 * and the machine's cores stay with the cameras under test.
 */
export interface Clip {
  file: string;
  spec: SceneSpec;
  frames: number;
  passes: ScenePass[];
}

const CLIP_VERSION = 3;

export function clipKey(spec: SceneSpec): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: CLIP_VERSION, ...spec }))
    .digest('hex')
    .slice(0, 16);
}

export async function ensureClip(spec: SceneSpec, cacheDir: string): Promise<Clip> {
  mkdirSync(cacheDir, { recursive: true });
  const base = path.join(cacheDir, `clip-${spec.width}x${spec.height}-${spec.fps}fps-${clipKey(spec)}`);
  const codec = spec.codec ?? 'h264';
  // The extension names the codec: the RTSP server picks its parser and payloader by it.
  const file = `${base}.${codec}`;
  const meta = `${base}.json`;
  if (existsSync(file) && existsSync(meta)) return { file, ...(JSON.parse(readFileSync(meta, 'utf8')) as Omit<Clip, 'file'>) };

  const scene = new Scene(spec);
  const frames = clipFrames(spec);
  const tmp = `${file}.${process.pid}.tmp`;
  // Key frame every second, so a camera that (re)connects shows a picture within a second.
  const gop = Math.max(1, Math.round(spec.fps));
  const args = [
    '-q',
    'fdsrc',
    'fd=0',
    `blocksize=${spec.width * spec.height}`,
    '!',
    'rawvideoparse',
    `width=${spec.width}`,
    `height=${spec.height}`,
    'format=gray8',
    `framerate=${spec.fps}/1`,
    '!',
    'videoconvert',
    '!',
    'video/x-raw,format=I420',
    '!',
    ...(codec === 'h265'
      ? [
          'x265enc',
          'tune=zerolatency',
          'speed-preset=veryfast',
          'qp=26',
          `key-int-max=${gop}`,
          '!',
          'video/x-h265,stream-format=byte-stream',
        ]
      : [
          'x264enc',
          'tune=zerolatency',
          'speed-preset=veryfast',
          'pass=qual',
          'quantizer=23',
          `key-int-max=${gop}`,
          '!',
          'video/x-h264,stream-format=byte-stream',
        ]),
    '!',
    'filesink',
    `location=${tmp}`,
  ];
  const child = spawn('gst-launch-1.0', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
  for (let f = 0; f < frames; f++) {
    const ok = child.stdin.write(scene.frame(f).data);
    if (!ok) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    throw new Error(`encoding the simulator clip failed (gst-launch-1.0 exit ${code}): ${stderr.trim().slice(-500)}`);
  }
  renameSync(tmp, file);
  const info = { spec, frames, passes: scene.passes };
  writeFileSync(meta, JSON.stringify(info));
  return { file, ...info };
}
