import type { ClickHouseClient } from '@clickhouse/client';
import type { PlateRead } from '../contracts/index.ts';
import { insertEncoded } from './client.ts';
import { StoreUnavailableError } from './errors.ts';
import { EXPIRES_AT_SQL } from './retention.ts';
import { locationId, locationRow, READ_COLUMNS, readRow } from './rows.ts';

/** A batch of reads encoded for its inserts (see encodeReads). */
export interface EncodedReads {
  count: number;
  /** The `reads` rows, one JSONCompactEachRow line each. */
  body: Buffer;
  images: { read_id: string; captured_at: number; jpeg: string }[];
  /** Camera locations not in `knownLocations` when the batch was encoded. */
  locations: Map<string, ReturnType<typeof locationRow>>;
}

/**
 * Encodes a batch of reads for insertion. Apart from the insert so that the store writer can
 * encode the next batch while the previous one is being inserted on chDB's threads.
 * `knownLocations` spares re-inserting the few hundred camera locations on every batch.
 */
export function encodeReads(reads: PlateRead[], knownLocations: ReadonlySet<string> = new Set()): EncodedReads {
  const images: EncodedReads['images'] = [];
  const locations: EncodedReads['locations'] = new Map();
  let body = '';
  for (const r of reads) {
    const location = locationId(r);
    if (!knownLocations.has(location) && !locations.has(location)) locations.set(location, locationRow(r));
    const row = readRow(r, location);
    if (r.cropJpeg) images.push({ read_id: r.id, captured_at: row.captured_at, jpeg: r.cropJpeg });
    // Rows as arrays under one column list: half the text of keyed objects to write and to parse.
    body += `${JSON.stringify(Object.values(row))}\n`;
  }
  return { count: reads.length, body: Buffer.from(body), images, locations };
}

/** Several encoded batches as one, so that they land in one insert (one part per table). */
export function joinEncodedReads(batches: EncodedReads[]): EncodedReads {
  if (batches.length === 1) return batches[0]!;
  const locations: EncodedReads['locations'] = new Map();
  for (const b of batches) for (const [id, row] of b.locations) locations.set(id, row);
  return {
    count: batches.reduce((n, b) => n + b.count, 0),
    body: Buffer.concat(batches.map((b) => b.body)),
    images: batches.flatMap((b) => b.images),
    locations,
  };
}

/**
 * Inserts an encoded batch of reads with their images and locations. Resolves only once
 * ClickHouse has accepted every insert, which is the point at which the writer may acknowledge
 * them; the batch's new locations are then added to `knownLocations`.
 */
export async function insertEncodedReads(client: ClickHouseClient, batch: EncodedReads, knownLocations = new Set<string>()): Promise<void> {
  if (batch.count === 0) return;
  try {
    // Images and locations first: a read row must never point at what a crash kept from landing.
    if (batch.images.length) await client.insert({ table: 'plate_images', values: batch.images, format: 'JSONEachRow' });
    if (batch.locations.size) await client.insert({ table: 'camera_locations', values: [...batch.locations.values()], format: 'JSONEachRow' });
    await insertEncoded(client, { table: 'reads', columns: READ_COLUMNS, format: 'JSONCompactEachRow', body: batch.body });
  } catch (err) {
    throw new StoreUnavailableError(`insert of ${batch.count} reads failed: ${(err as Error).message}`, err);
  }
  for (const id of batch.locations.keys()) knownLocations.add(id);
}

/** Inserts a batch of reads with their images and locations (encodeReads, then insertEncodedReads). */
export function insertReads(client: ClickHouseClient, reads: PlateRead[], knownLocations = new Set<string>()): Promise<void> {
  return insertEncodedReads(client, encodeReads(reads, knownLocations), knownLocations);
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
