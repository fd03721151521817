import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../contracts/index.ts';
import { CameraCapture, openSource, type CaptureState, type Frame } from '../../pipeline/capture/index.ts';
import { waitFor } from './harness.ts';

/**
 * The file source through the real capture: a short clip made here with GStreamer's own encoder
 * is decoded at its own pace and played again at its end, without the capture failing.
 */
let dir: string;
let clip: string;
const FRAMES = 15;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'alpr-file-source-'));
  clip = path.join(dir, 'clip.mp4');
  execFileSync('gst-launch-1.0', [
    '-q',
    'videotestsrc',
    `num-buffers=${FRAMES}`,
    '!',
    'video/x-raw,width=160,height=120,framerate=10/1',
    '!',
    'x264enc',
    '!',
    'mp4mux',
    '!',
    'filesink',
    `location=${clip}`,
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file camera source', () => {
  it('reads the frames of a video file at its frame rate, again and again', async () => {
    const frames: Frame[] = [];
    const states: CaptureState[] = [];
    const cap = new CameraCapture(
      { source: openSource({ kind: 'file', path: clip }) },
      { frame: (f) => frames.push(f), state: (s) => states.push(s) },
      silentLogger,
    );
    const t0 = Date.now();
    cap.start();
    try {
      // More frames than the file holds: it was played again at its end.
      await waitFor('the clip played more than once', () => frames.length > FRAMES + 5, 20_000);
      const s = cap.stats();
      expect(s.state).toBe('live');
      expect(s.reconnects).toBe(0);
      // Each replay starts a new period of loss accounting: the rebuild between is no lost frame.
      expect(s.dropped).toBeLessThan(3);
      expect(s.nominalFps).toBe(10);
      expect(states).not.toContain('failed');
      // Paced by the file's timestamps (10 a second), not decoded as fast as the CPU goes.
      expect(Date.now() - t0).toBeGreaterThan(((FRAMES + 5) / 10) * 1000 * 0.8);
      const f = frames.at(-1)!;
      expect([f.width, f.height, f.data.length]).toEqual([160, 120, 160 * 120]);
      expect(frames.every((d, i) => i === 0 || d.seq === frames[i - 1]!.seq + 1)).toBe(true);
    } finally {
      cap.stop();
    }
  }, 60_000);

  it('fails with the reason when the file is not there', async () => {
    let reason: string | null = null;
    const cap = new CameraCapture(
      { source: openSource({ kind: 'file', path: path.join(dir, 'missing.mp4') }), backoffInitialMs: 60_000 },
      {
        frame: () => {},
        state: (s, r) => {
          if (s === 'failed') reason = r;
        },
      },
      silentLogger,
    );
    cap.start();
    try {
      await waitFor('failed', () => reason, 10_000);
      expect(reason).toMatch(/cannot open the video file .*missing\.mp4/);
    } finally {
      cap.stop();
    }
  });
});
