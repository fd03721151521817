export { createClickHouseClient, classifyStoreError } from './client.ts';
export { migrate, loadMigrations, MIGRATIONS_DIR, type Migration } from './migrate.ts';
export { insertReads, getPlateImage, getVehicleImage, withVehicleImage } from './reads.ts';
export { readRow, locationRow, locationId } from './rows.ts';
export { searchReads, lastSearchAt, SearchTooBroadError, MAX_PLATES_PER_SEARCH, type ReadSearch, type StoredRead } from './search.ts';
export { keysWithinOneEdit } from './plate-patterns.ts';
export { cameraLocations, type CameraLocation } from './camera-locations.ts';
// A search's pattern is refused with the plate rules' error, which the API answers as the store's own.
export { PatternError } from '../contracts/index.ts';
export { startStoreWriter, STORE_WRITER_V8_FLAGS, type StoreWriter, type StoreWriterOptions } from './writer.ts';
export { holdCeiling, EXPIRES_AT_SQL, ttlExpression } from './retention.ts';
export { applyRetentionSettings, runRetention, retentionReport, type RetentionRun } from './retention-job.ts';
export { holdReads, releaseCaseHolds, caseHolds } from './holds.ts';
export { mutateAndWait, type MutationWait } from './mutations.ts';
export { StoreUnavailableError, MigrationError } from './errors.ts';
export { startPartPinner, planPins, PINNED_SEARCH_TABLES, type PartPinner, type PartPinnerStats, type ActivePart } from './part-pinner.ts';
export { startSearchWarmer, type SearchWarmer, type SearchWarmerOptions } from './search-warmer.ts';
