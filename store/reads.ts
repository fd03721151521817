import type { ClickHouseClient } from '@clickhouse/client';
import type { PlateRead } from '../contracts/index.ts';
import { StoreUnavailableError } from './errors.ts';
import { EXPIRES_AT_SQL } from './retention.ts';
import { locationRow, READ_COLUMNS, readRow } from './rows.ts';

/**
 * Inserts a batch of reads with their images and locations. Resolves only once ClickHouse
 * has accepted every insert, which is the point at which the writer may acknowledge them.
 * `knownLocations` spares re-inserting the few hundred camera locations on every batch.
 */
export async function insertReads(client: ClickHouseClient, reads: PlateRead[], knownLocations = new Set<string>()): Promise<void> {
  if (reads.length === 0) return;
  const rows = reads.map((r) => readRow(r));
  const images = reads.flatMap((r, i) => (r.cropJpeg ? [{ read_id: r.id, captured_at: rows[i]!.captured_at, jpeg: r.cropJpeg }] : []));
  const locations = new Map<string, ReturnType<typeof locationRow>>();
  reads.forEach((r, i) => {
    if (!knownLocations.has(rows[i]!.location_id)) locations.set(rows[i]!.location_id, locationRow(r));
  });
  try {
    // Images and locations first: a read row must never point at what a crash kept from landing.
    if (images.length) await client.insert({ table: 'plate_images', values: images, format: 'JSONEachRow' });
    if (locations.size) await client.insert({ table: 'camera_locations', values: [...locations.values()], format: 'JSONEachRow' });
    // Rows as arrays under one column list: half the text of keyed objects to write and to parse.
    await client.insert({ table: 'reads', columns: READ_COLUMNS, values: rows.map(Object.values), format: 'JSONCompactEachRow' });
  } catch (err) {
    throw new StoreUnavailableError(`insert of ${reads.length} reads failed: ${(err as Error).message}`, err);
  }
  for (const id of locations.keys()) knownLocations.add(id);
}

/** The plate crop of a read, or null when it has none or its retention has ended. */
export async function getPlateImage(client: ClickHouseClient, readId: string, tacticalDays: number): Promise<Buffer | null> {
  const rs = await client.query({
    query: `SELECT jpeg FROM plate_images FINAL
            WHERE read_id = {id:UUID}
              AND ${EXPIRES_AT_SQL} > now()
            LIMIT 1`,
    query_params: { id: readId, days: tacticalDays },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ jpeg: string }>();
  return rows[0] ? Buffer.from(rows[0].jpeg, 'base64') : null;
}
