import { describe, expect, it } from 'vitest';
import type { CameraMetrics } from '../contracts/index.ts';
import { CameraSeries } from './routes/metrics-series.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
function m(atMs: number, over: Partial<CameraMetrics> = {}): CameraMetrics {
  return {
    cameraId: 'cam-a',
    at: new Date(atMs).toISOString(),
    decodedFps: 10,
    framesDecoded: 0,
    framesInferred: 0,
    framesSkipped: 0,
    framesDropped: 0,
    queueDepth: 0,
    inferenceMsP50: 20,
    inferenceMsP99: 40,
    recognitionWaitMsP50: null,
    recognitionWaitMsP99: null,
    frameToReadMsP50: null,
    frameToReadMsP99: null,
    readsTotal: 0,
    readsPerMinute: 0,
    meanConfidence: null,
    baselineReadsPerMinute: null,
    baselineConfidence: null,
    maintenance: { flagged: false, reason: null },
    ...over,
  };
}

describe('CameraSeries', () => {
  it('buckets samples by time: means for rates, the worst value for p99 and queue depth', () => {
    const s = new CameraSeries();
    s.record(m(T0, { decodedFps: 10, inferenceMsP99: 40, queueDepth: 1 }));
    s.record(m(T0 + 10_000, { decodedFps: 20, inferenceMsP99: 90, queueDepth: 4 }));
    s.record(m(T0 + 70_000, { decodedFps: 6, inferenceMsP99: 30, queueDepth: 0 }));
    const b = s.buckets(T0, 60_000, 3)['cam-a']!;
    expect(b.decodedFps).toEqual([15, 6, null]);
    expect(b.inferenceMsP99).toEqual([90, 30, null]);
    expect(b.queueDepth).toEqual([4, 0, null]);
  });

  it('derives inferred fps from the counter, and skips the interval where a restarted worker reset it', () => {
    const s = new CameraSeries();
    s.record(m(T0, { framesInferred: 100 }));
    s.record(m(T0 + 10_000, { framesInferred: 150 }));
    s.record(m(T0 + 20_000, { framesInferred: 3 }));
    s.record(m(T0 + 30_000, { framesInferred: 43 }));
    expect(s.buckets(T0, 10_000, 4)['cam-a']!.inferredFps).toEqual([null, 5, null, 4]);
  });

  it('keeps one sample per 5 s and forgets samples older than a day', () => {
    const s = new CameraSeries();
    s.record(m(T0, { decodedFps: 1 }));
    s.record(m(T0 + 1000, { decodedFps: 99 }));
    expect(s.buckets(T0, 60_000, 1)['cam-a']!.decodedFps).toEqual([1]);
    s.record(m(T0 + 25 * 3_600_000, { decodedFps: 2 }));
    expect(s.buckets(T0, 60_000, 1)['cam-a']!.decodedFps).toEqual([null]);
  });

  it('turns a minute of samples into one history row per camera', () => {
    const s = new CameraSeries();
    s.record(m(T0, { decodedFps: 10, inferenceMsP99: 40, queueDepth: 1, framesInferred: 0 }));
    s.record(m(T0 + 30_000, { decodedFps: 20, inferenceMsP99: 90, queueDepth: 3, framesInferred: 150 }));
    s.record(m(T0 + 10_000, { cameraId: 'cam-b', decodedFps: 8 }));
    const rows = s.minuteRows(T0);
    expect(rows).toEqual([
      {
        minute: T0 / 1000,
        camera_id: 'cam-a',
        decoded_fps: 15,
        inferred_fps: 5,
        inference_ms_p50: 20,
        inference_ms_p99: 90,
        queue_depth: 3,
      },
      {
        minute: T0 / 1000,
        camera_id: 'cam-b',
        decoded_fps: 8,
        inferred_fps: null,
        inference_ms_p50: 20,
        inference_ms_p99: 40,
        queue_depth: 0,
      },
    ]);
    expect(s.minuteRows(T0 + 120_000)).toEqual([]);
  });
});
