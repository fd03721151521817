export {
  RecentSamples,
  assessMaintenance,
  recordRead,
  foldCameraMetrics,
  DEFAULT_MAINTENANCE,
  type MinuteBucket,
  type MaintenancePolicy,
  type GaugeSink,
} from './metrics.ts';
