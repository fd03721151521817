/**
 * The matcher: every read against every active hotlist version, alerts out. The pure parts
 * (keys, compiled lists, matching and scoring) and the service that wraps them with NATS.
 */
export { ListBuilder, CompiledList, type ListMeta, type EntryView, type RawHit } from './list.ts';
export { matchRead, alertId, toAlert, type ActiveList, type Hit, type MatchPolicy, type MatchStats } from './match.ts';
export { scoreHit, stateMatch, type HitShape, type StateMatch } from './score.ts';
export { startMatcher, startMatcherService, loadVersion, HotlistChecksumError, type Matcher, type MatcherOptions } from './service.ts';
export { hugePagesEnv } from './huge-pages.ts';
