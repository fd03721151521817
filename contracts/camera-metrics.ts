import { z } from 'zod';

/**
 * Per-camera pipeline metrics, published by each camera worker every few seconds on
 * `alpr.cameras.<id>.metrics` (core NATS, latest wins) for /api/metrics and the dashboard.
 * Counters are totals since the worker started; the core turns them into Prometheus series.
 */
export const cameraMetricsSchema = z.strictObject({
  cameraId: z.string(),
  at: z.iso.datetime(),
  decodedFps: z.number().min(0).describe('Frames decoded per second, recent.'),
  framesDecoded: z.number().int().min(0).describe('Frames decoded since start.'),
  framesInferred: z.number().int().min(0).describe('Frames that went through recognition.'),
  framesSkipped: z
    .number()
    .int()
    .min(0)
    .describe(
      "Decoded frames not inferred, by design: recognition was busy (the newest frame wins) or the camera's recognitionFps was reached.",
    ),
  framesDropped: z
    .number()
    .int()
    .min(0)
    .describe('Frames the stream should have delivered at its frame rate but did not (loss before decoding or at the appsink).'),
  queueDepth: z.number().int().min(0).describe('Frames waiting for recognition.'),
  inferenceMsP50: z.number().min(0).nullable(),
  inferenceMsP99: z.number().min(0).nullable(),
  recognitionWaitMsP50: z
    .number()
    .min(0)
    .nullable()
    .describe(
      'How long a frame waited for its turn at recognition (the gate the camera workers share), median: near zero while the box has recognition to spare, growing as its cameras fill it.',
    ),
  recognitionWaitMsP99: z.number().min(0).nullable(),
  frameToReadMsP50: z
    .number()
    .min(0)
    .nullable()
    .describe('From capture of the frame that completed a read to the read acknowledged by JetStream, median.'),
  frameToReadMsP99: z.number().min(0).nullable(),
  readsTotal: z.number().int().min(0),
  readsPerMinute: z.number().min(0).describe('Reads in the last 15 minutes, per minute.'),
  meanConfidence: z.number().min(0).max(1).nullable().describe('Mean read confidence over the last 15 minutes.'),
  baselineReadsPerMinute: z
    .number()
    .min(0)
    .nullable()
    .describe("The camera's own usual read rate (median of its past hours); null until learnt."),
  baselineConfidence: z.number().min(0).max(1).nullable(),
  maintenance: z.strictObject({
    flagged: z.boolean().describe("Read rate or confidence well below this camera's own baseline: calibrate or clean it."),
    reason: z.string().nullable(),
  }),
});
export type CameraMetrics = z.infer<typeof cameraMetricsSchema>;
