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
  /** Vehicle images, where the agency stores them (recognition.vehicleImage): the same rows, in vehicle_images. */
  vehicleImages: { read_id: string; captured_at: number; jpeg: string }[];
  /** Camera locations not in `knownLocations` when the batch was encoded. */
  locations: Map<string, ReturnType<typeof locationRow>>;
}

/**
 * Encodes reads one at a time, as they arrive, into the bytes of their insert. A read's decoded
 * form is garbage once its line is written: holding a whole batch of decoded reads (20000) until
 * it is admitted and encoded has V8's young-generation collector copy every one of them again at
 * each scavenge, a large share of the writer's main-thread time per read (docs/benchmarks.md,
 * Store). Lines go straight into one growing buffer, outside the JavaScript heap, rather than
 * into a string joined at the end. `knownLocations` spares re-inserting the few hundred camera
 * locations on every batch.
 */
export class ReadsEncoder {
  #buf: Buffer;
  #len = 0;
  /** Where each read's line ends, in the order the reads were added. */
  readonly #ends: number[] = [];
  /** Each read's location id (for dropping the locations only refused reads brought). */
  readonly #locationOf: string[] = [];
  readonly #images: (EncodedReads['images'][number] & { index: number })[] = [];
  readonly #vehicleImages: (EncodedReads['images'][number] & { index: number })[] = [];
  readonly #locations: EncodedReads['locations'] = new Map();
  readonly #knownLocations: ReadonlySet<string>;

  constructor(opts: { knownLocations?: ReadonlySet<string>; expectedReads?: number } = {}) {
    this.#knownLocations = opts.knownLocations ?? new Set();
    // ~300 bytes a line: sized so that a full batch seldom grows (and copies) the buffer.
    this.#buf = Buffer.allocUnsafe(Math.max(4096, (opts.expectedReads ?? 1000) * 320));
  }

  get count(): number {
    return this.#ends.length;
  }

  add(read: PlateRead): void {
    const location = locationId(read);
    if (!this.#knownLocations.has(location) && !this.#locations.has(location)) this.#locations.set(location, locationRow(read));
    const row = readRow(read, location);
    if (read.cropJpeg) this.#images.push({ index: this.count, read_id: read.id, captured_at: row.captured_at, jpeg: read.cropJpeg });
    if (read.vehicleJpeg)
      this.#vehicleImages.push({ index: this.count, read_id: read.id, captured_at: row.captured_at, jpeg: read.vehicleJpeg });
    // Rows as arrays under one column list: half the text of keyed objects to write and to parse.
    this.#write(`${JSON.stringify(Object.values(row))}\n`);
    this.#ends.push(this.#len);
    this.#locationOf.push(location);
  }

  #write(line: string): void {
    const most = line.length * 3; // UTF-8 bytes for a UTF-16 code unit
    if (this.#len + most > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.#buf.length, this.#len + most));
      this.#buf.copy(grown, 0, 0, this.#len);
      this.#buf = grown;
    }
    this.#len += this.#buf.write(line, this.#len);
  }

  /** The encoded batch; `keep` (by the order reads were added) leaves out reads refused after they were encoded. */
  finish(keep?: (index: number) => boolean): EncodedReads {
    if (!keep) {
      return {
        count: this.count,
        body: this.#buf.subarray(0, this.#len),
        images: this.#images.map(stripIndex),
        vehicleImages: this.#vehicleImages.map(stripIndex),
        locations: this.#locations,
      };
    }
    const parts: Buffer[] = [];
    const locationsKept = new Set<string>();
    for (let i = 0, start = 0; i < this.#ends.length; start = this.#ends[i]!, i++) {
      if (!keep(i)) continue;
      parts.push(this.#buf.subarray(start, this.#ends[i]));
      locationsKept.add(this.#locationOf[i]!);
    }
    const locations: EncodedReads['locations'] = new Map();
    for (const [id, row] of this.#locations) if (locationsKept.has(id)) locations.set(id, row);
    return {
      count: parts.length,
      body: Buffer.concat(parts),
      images: this.#images.filter((image) => keep(image.index)).map(stripIndex),
      vehicleImages: this.#vehicleImages.filter((image) => keep(image.index)).map(stripIndex),
      locations,
    };
  }
}

const stripIndex = ({ index: _, ...image }: EncodedReads['images'][number] & { index: number }) => image;

/** Encodes a batch of reads for insertion (see ReadsEncoder). */
export function encodeReads(reads: PlateRead[], knownLocations: ReadonlySet<string> = new Set()): EncodedReads {
  const encoder = new ReadsEncoder({ knownLocations, expectedReads: reads.length });
  for (const r of reads) encoder.add(r);
  return encoder.finish();
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
    vehicleImages: batches.flatMap((b) => b.vehicleImages),
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
    // Vehicle images before plate crops: a page that finds the crop finds the vehicle image too.
    if (batch.vehicleImages.length) await client.insert({ table: 'vehicle_images', values: batch.vehicleImages, format: 'JSONEachRow' });
    if (batch.images.length) await client.insert({ table: 'plate_images', values: batch.images, format: 'JSONEachRow' });
    if (batch.locations.size)
      await client.insert({ table: 'camera_locations', values: [...batch.locations.values()], format: 'JSONEachRow' });
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
export function getPlateImage(client: ClickHouseClient, readId: string, tacticalDays: number): Promise<Buffer | null> {
  return imageOf(client, 'plate_images', readId, tacticalDays);
}

/** The vehicle image of a read, or null when none was stored (the default) or its retention has ended. */
export function getVehicleImage(client: ClickHouseClient, readId: string, tacticalDays: number): Promise<Buffer | null> {
  return imageOf(client, 'vehicle_images', readId, tacticalDays);
}

/** Which of these reads have a vehicle image stored (for search results: one look-up per page). */
export async function withVehicleImage(client: ClickHouseClient, readIds: string[]): Promise<Set<string>> {
  if (!readIds.length) return new Set();
  const rs = await client.query({
    query: 'SELECT DISTINCT toString(read_id) AS id FROM vehicle_images WHERE read_id IN {ids:Array(UUID)}',
    query_params: { ids: readIds },
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ id: string }>()).map((r) => r.id));
}

async function imageOf(
  client: ClickHouseClient,
  table: 'plate_images' | 'vehicle_images',
  readId: string,
  tacticalDays: number,
): Promise<Buffer | null> {
  const rs = await client.query({
    query: `SELECT jpeg FROM ${table} FINAL
            WHERE read_id = {id:UUID}
              AND ${EXPIRES_AT_SQL} > now()
            LIMIT 1`,
    query_params: { id: readId, days: tacticalDays },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ jpeg: string }>();
  return rows[0] ? Buffer.from(rows[0].jpeg, 'base64') : null;
}
