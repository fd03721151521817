export {
  trackStep,
  emptyTracker,
  summarize,
  knownStates,
  followedPlates,
  recognitionUrgency,
  matchCost,
  iou,
  isParked,
  effectiveVotes,
  DEFAULT_TRACKER,
  type Box,
  type Line,
  type Observation,
  type Track,
  type TrackerState,
  type TrackerConfig,
  type TrackRead,
} from './tracker.ts';
export { usableObservations } from './observations.ts';
export { thumbnail, changedRegion, lookRegion } from './motion.ts';
