export { createClickHouseClient } from './client.ts';
export { migrate, loadMigrations, MIGRATIONS_DIR, type Migration } from './migrate.ts';
export { insertReads, searchReads, getPlateImage, readToRow, type ReadQuery, type StoredRead } from './reads.ts';
export { startStoreWriter, type StoreWriter, type StoreWriterOptions } from './writer.ts';
export { tacticalExpiry, holdCeiling, toEpochSeconds } from './retention.ts';
export { StoreUnavailableError, MigrationError } from './errors.ts';
