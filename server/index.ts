export { createApp, type AnyRouter, type AppOptions } from './app.ts';
export type { AppType } from './api-type.ts';
export { MetricsRegistry, OnceCounter } from './metrics.ts';
export { share, bucketGrid, coveredSeconds, perMinute, hitFigures, uptime, type BucketGrid, type HitCounts } from './figures.ts';
export { overallStatus, type HealthReport } from './health.ts';
export { listen, close } from './http.ts';
export { readSearchParams } from './routes/reads.ts';
export { CameraSeries, SERIES_RANGES, type SeriesRange } from './routes/metrics-series.ts';
export { valid, textField, badRequest, problemsOf, VALIDATES, type InputTarget, type Problem, type Validates } from './validate.ts';
