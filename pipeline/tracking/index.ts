export {
  trackStep, emptyTracker, summarize, matchCost, iou, DEFAULT_TRACKER,
  type Box, type Observation, type Track, type TrackerState, type TrackerConfig, type TrackRead,
} from './tracker.ts';
export { usableObservations } from './observations.ts';
