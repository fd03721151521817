/**
 * Hotlists: agency extracts parsed into canonical records, versioned in the store and published
 * to the matcher through the hotlist buckets (contracts/hotlist.ts); the API and the watched
 * folder that import them, and the CLI.
 */
export { startHotlistCore } from './core.ts';
export { hotlistRoutes, hotlistRules } from './routes.ts';
export {
  createHotlistService,
  UnknownSourceError,
  FileTooLargeError,
  type HotlistService,
  type HotlistServiceOptions,
  type ImportJob,
  type ImportRequest,
  type ImportState,
} from './service.ts';
export {
  listRecords,
  countRecords,
  listVersions,
  getVersion,
  activeVersions,
  newlyListedPlates,
  type HotlistVersion,
  type VersionStatus,
  type StoredRecord,
} from './versions.ts';
export { toRecord, RecordError, MAX_PLATE_LENGTH, RECORD_FIELDS, type HotlistRecord, type RecordField } from './record.ts';
export { createHotlistParser, parseHotlist, HotlistRefusedError, type ParseSummary, type LineProblem } from './parse.ts';
export { BUILTIN_MAPPINGS, HotlistFormatError, type FieldMapping } from './mappings.ts';
export { hotlistCommands, progressBar, type HotlistCliCommand } from './cli.ts';
