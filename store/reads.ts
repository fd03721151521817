import type { ClickHouseClient } from '@clickhouse/client';
import type { PlateRead } from '../contracts/index.ts';
import { insertEncoded } from './client.ts';
import { StoreUnavailableError } from './errors.ts';
import { EXPIRES_AT_SQL } from './retention.ts';
import { locationId, locationRow, READ_COLUMNS, readRow } from './rows.ts';

/**
 * Inserts a batch of reads with their images and locations. Resolves only once ClickHouse
 * has accepted every insert, which is the point at which the writer may acknowledge them.
 * `knownLocations` spares re-inserting the few hundred camera locations on every batch.
 */
export async function insertReads(client: ClickHouseClient, reads: PlateRead[], knownLocations = new Set<string>()): Promise<void> {
  if (reads.length === 0) return;
  const images = reads.flatMap((r) => (r.cropJpeg ? [{ read_id: r.id, captured_at: Date.parse(r.capturedAt), jpeg: r.cropJpeg }] : []));
  const locations = new Map<string, ReturnType<typeof locationRow>>();
  let body = '';
  for (const r of reads) {
    const location = locationId(r);
    if (!knownLocations.has(location) && !locations.has(location)) locations.set(location, locationRow(r));
    // Rows as arrays under one column list: half the text of keyed objects to write and to parse.
    body += `${JSON.stringify(Object.values(readRow(r, location)))}\n`;
  }
  try {
    // Images and locations first: a read row must never point at what a crash kept from landing.
    if (images.length) await client.insert({ table: 'plate_images', values: images, format: 'JSONEachRow' });
    if (locations.size) await client.insert({ table: 'camera_locations', values: [...locations.values()], format: 'JSONEachRow' });
    await insertEncoded(client, { table: 'reads', columns: READ_COLUMNS, format: 'JSONCompactEachRow', body: Buffer.from(body) });
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
