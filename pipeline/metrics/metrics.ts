import type { CameraMetrics } from '../../contracts/index.ts';

/** Percentiles of the most recent `size` samples (a ring buffer; inference times drift with load). */
export class RecentSamples {
  private readonly buf: number[] = [];
  private i = 0;
  constructor(private readonly size = 500) {}

  add(v: number): void {
    if (this.buf.length < this.size) this.buf.push(v);
    else this.buf[this.i] = v;
    this.i = (this.i + 1) % this.size;
  }

  percentile(p: number): number | null {
    if (this.buf.length === 0) return null;
    const s = [...this.buf].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  }
}

/** Reads per minute bucket: the history the maintenance baseline is learnt from. */
export interface MinuteBucket {
  minute: number;
  reads: number;
  confidenceSum: number;
}

export interface MaintenancePolicy {
  /** Recent window compared with the baseline. */
  recentMinutes: number;
  /** History needed before a baseline is trusted. */
  minHistoryMinutes: number;
  /** Flag when the recent read rate falls below this share of the baseline. */
  rateFactor: number;
  /** Flag when the recent mean confidence falls this far below the baseline's. */
  confidenceDrop: number;
  /** Baselines below this many reads per minute are too thin to judge (a quiet road is not a fault). */
  minBaselineRate: number;
}

export const DEFAULT_MAINTENANCE: MaintenancePolicy = {
  recentMinutes: 15,
  minHistoryMinutes: 120,
  rateFactor: 0.5,
  confidenceDrop: 0.15,
  minBaselineRate: 0.5,
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : 0;
};

/**
 * Compares a camera's recent read rate and confidence with its own baseline (the median of its
 * earlier hours). A camera knocked off aim, dirty or out of focus reads less, and less surely,
 * than it used to; the policy asks for calibration when that happens.
 */
export function assessMaintenance(
  buckets: MinuteBucket[],
  nowMinute: number,
  policy: MaintenancePolicy = DEFAULT_MAINTENANCE,
): Pick<CameraMetrics, 'readsPerMinute' | 'meanConfidence' | 'baselineReadsPerMinute' | 'baselineConfidence' | 'maintenance'> {
  const recentFrom = nowMinute - policy.recentMinutes;
  const recent = buckets.filter((b) => b.minute > recentFrom && b.minute <= nowMinute);
  const recentReads = recent.reduce((s, b) => s + b.reads, 0);
  const readsPerMinute = recentReads / policy.recentMinutes;
  const meanConfidence = recentReads ? recent.reduce((s, b) => s + b.confidenceSum, 0) / recentReads : null;

  const older = buckets.filter((b) => b.minute <= recentFrom);
  const first = buckets.length ? Math.min(...buckets.map((b) => b.minute)) : nowMinute;
  const historyMinutes = recentFrom - first + 1;
  if (historyMinutes < policy.minHistoryMinutes) {
    return {
      readsPerMinute,
      meanConfidence,
      baselineReadsPerMinute: null,
      baselineConfidence: null,
      maintenance: { flagged: false, reason: null },
    };
  }
  // Windows of the recent length over the history, empty ones included: quiet hours are part of normal.
  const byMinute = new Map(older.map((b) => [b.minute, b]));
  const rates: number[] = [];
  for (let end = recentFrom; end - policy.recentMinutes >= first - 1; end -= policy.recentMinutes) {
    let n = 0;
    for (let m = end - policy.recentMinutes + 1; m <= end; m++) n += byMinute.get(m)?.reads ?? 0;
    rates.push(n / policy.recentMinutes);
  }
  const baselineReadsPerMinute = median(rates);
  const olderReads = older.reduce((s, b) => s + b.reads, 0);
  const baselineConfidence = olderReads ? older.reduce((s, b) => s + b.confidenceSum, 0) / olderReads : null;

  let reason: string | null = null;
  if (baselineReadsPerMinute >= policy.minBaselineRate && readsPerMinute < policy.rateFactor * baselineReadsPerMinute) {
    reason = `read rate ${readsPerMinute.toFixed(2)}/min is below ${Math.round(policy.rateFactor * 100)}% of this camera's baseline ${baselineReadsPerMinute.toFixed(2)}/min`;
  } else if (meanConfidence !== null && baselineConfidence !== null && meanConfidence < baselineConfidence - policy.confidenceDrop) {
    reason = `mean confidence ${meanConfidence.toFixed(2)} is well below this camera's baseline ${baselineConfidence.toFixed(2)}`;
  }
  return { readsPerMinute, meanConfidence, baselineReadsPerMinute, baselineConfidence, maintenance: { flagged: reason !== null, reason } };
}

/** Adds one read to the minute buckets, keeping `keepMinutes` of history. */
export function recordRead(buckets: MinuteBucket[], atMs: number, confidence: number, keepMinutes = 24 * 60): MinuteBucket[] {
  const minute = Math.floor(atMs / 60_000);
  const out = buckets.filter((b) => b.minute > minute - keepMinutes);
  const last = out[out.length - 1];
  if (last && last.minute === minute) {
    out[out.length - 1] = { minute, reads: last.reads + 1, confidenceSum: last.confidenceSum + confidence };
  } else out.push({ minute, reads: 1, confidenceSum: confidence });
  return out;
}

/** The part of a Prometheus registry the core passes in (server/metrics.ts MetricsRegistry). */
export interface GaugeSink {
  set(name: string, help: string, value: number, labels?: Record<string, string>): void;
}

/** Folds one camera's metrics message into Prometheus gauges labelled by camera. */
export function foldCameraMetrics(reg: GaugeSink, m: CameraMetrics): void {
  const l = { camera: m.cameraId };
  const g = (name: string, help: string, v: number | null) => {
    if (v !== null) reg.set(name, help, v, l);
  };
  g('alpr_camera_decoded_fps', 'Frames decoded per second.', m.decodedFps);
  g('alpr_camera_frames_decoded', 'Frames decoded since the camera worker started.', m.framesDecoded);
  g('alpr_camera_frames_inferred', 'Frames run through recognition since the worker started.', m.framesInferred);
  g('alpr_camera_frames_skipped', 'Decoded frames not inferred: recognition busy or at its frame rate.', m.framesSkipped);
  g('alpr_camera_frames_dropped', 'Frames lost before recognition could see them (stream loss, appsink drops).', m.framesDropped);
  g('alpr_camera_queue_depth', 'Frames waiting for recognition.', m.queueDepth);
  g('alpr_camera_inference_ms_p50', 'Median recognition time per frame, ms.', m.inferenceMsP50);
  g('alpr_camera_inference_ms_p99', '99th percentile recognition time per frame, ms.', m.inferenceMsP99);
  g(
    'alpr_camera_recognition_wait_ms_p50',
    'Median wait of a frame for its turn at recognition (shared by all cameras), ms.',
    m.recognitionWaitMsP50,
  );
  g('alpr_camera_recognition_wait_ms_p99', '99th percentile wait of a frame for its turn at recognition, ms.', m.recognitionWaitMsP99);
  g('alpr_camera_reads', 'Reads published since the worker started.', m.readsTotal);
  g('alpr_camera_reads_per_minute', 'Reads per minute over the last 15 minutes.', m.readsPerMinute);
  g('alpr_camera_mean_confidence', 'Mean read confidence over the last 15 minutes.', m.meanConfidence);
  g('alpr_camera_maintenance_flag', 'Camera reads well below its own baseline: calibrate (1) or fine (0).', m.maintenance.flagged ? 1 : 0);
}
