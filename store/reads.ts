import type { ClickHouseClient } from '@clickhouse/client';
import { normalizePlate, type PlateRead, type RetentionConfig } from '../contracts/index.ts';
import { StoreUnavailableError } from './errors.ts';
import { tacticalExpiry, toEpochSeconds } from './retention.ts';

/** A read as the store returns it to searches. */
export interface StoredRead {
  id: string;
  siteId: string;
  cameraId: string;
  capturedAt: string;
  firstSeenAt: string;
  lastSeenAt: string;
  plate: string;
  plateNorm: string;
  confidence: number;
  candidates: { text: string; confidence: number }[];
  state: string | null;
  stateConfidence: number;
  location: { lat: number; lon: number; description: string };
  direction: string;
  framesSeen: number;
  hasImage: boolean;
  expiresAt: string;
}

export interface ReadQuery {
  /** Exact plate, compared in normalised form. */
  plate?: string;
  from?: Date;
  to?: Date;
  cameras?: string[];
  limit: number;
  offset: number;
}

/** Maps a read to its row; dates as epoch milliseconds so no text date parsing is involved. */
export function readToRow(read: PlateRead, retention: RetentionConfig, now: Date) {
  const capturedAt = new Date(read.capturedAt);
  return {
    id: read.id,
    site_id: read.siteId,
    camera_id: read.cameraId,
    captured_at: capturedAt.getTime(),
    first_seen_at: Date.parse(read.firstSeenAt),
    last_seen_at: Date.parse(read.lastSeenAt),
    plate: read.plate,
    plate_norm: normalizePlate(read.plate),
    confidence: read.confidence,
    candidate_texts: read.candidates.map((c) => c.text),
    candidate_confidences: read.candidates.map((c) => c.confidence),
    state: read.state ?? '',
    state_confidence: read.stateConfidence,
    lat: read.location.lat,
    lon: read.location.lon,
    location_desc: read.location.description,
    direction: read.direction,
    frames_seen: read.framesSeen,
    box: read.box ?? [],
    has_image: read.cropJpeg ? 1 : 0,
    expires_at: toEpochSeconds(tacticalExpiry(capturedAt, retention)),
    ingested_at: now.getTime(),
  };
}

/**
 * Inserts a batch of reads and their images. Resolves only once ClickHouse has accepted
 * both inserts, which is the point at which the writer may acknowledge the messages.
 */
export async function insertReads(client: ClickHouseClient, reads: PlateRead[], retention: RetentionConfig, now: Date): Promise<void> {
  if (reads.length === 0) return;
  const rows = reads.map((r) => readToRow(r, retention, now));
  const images = reads.flatMap((r, i) =>
    r.cropJpeg ? [{ read_id: r.id, captured_at: rows[i]!.captured_at, jpeg: r.cropJpeg, expires_at: rows[i]!.expires_at }] : [],
  );
  try {
    // Images first: a read row must never point at an image that a crash kept from landing.
    if (images.length) await client.insert({ table: 'plate_images', values: images, format: 'JSONEachRow' });
    await client.insert({ table: 'reads', values: rows, format: 'JSONEachRow' });
  } catch (err) {
    throw new StoreUnavailableError(`insert of ${reads.length} reads failed: ${(err as Error).message}`, err);
  }
}

interface ReadRow {
  id: string;
  site_id: string;
  camera_id: string;
  captured_at: string;
  first_seen_at: string;
  last_seen_at: string;
  plate: string;
  plate_norm: string;
  confidence: number;
  candidate_texts: string[];
  candidate_confidences: number[];
  state: string;
  state_confidence: number;
  lat: number;
  lon: number;
  location_desc: string;
  direction: string;
  frames_seen: number;
  has_image: number;
  expires_at: string;
}

const iso = (chTime: string) => new Date(chTime.replace(' ', 'T') + 'Z').toISOString();

function rowToRead(r: ReadRow): StoredRead {
  return {
    id: r.id,
    siteId: r.site_id,
    cameraId: r.camera_id,
    capturedAt: iso(r.captured_at),
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: iso(r.last_seen_at),
    plate: r.plate,
    plateNorm: r.plate_norm,
    confidence: r.confidence,
    candidates: r.candidate_texts.map((text, i) => ({ text, confidence: r.candidate_confidences[i] ?? 0 })),
    state: r.state || null,
    stateConfidence: r.state_confidence,
    location: { lat: r.lat, lon: r.lon, description: r.location_desc },
    direction: r.direction,
    framesSeen: r.frames_seen,
    hasImage: r.has_image === 1,
    expiresAt: iso(r.expires_at),
  };
}

/**
 * Searches reads. Every value is bound as a query parameter ({name:Type}); the SQL text
 * only ever contains the fixed fragments below.
 */
export async function searchReads(client: ClickHouseClient, q: ReadQuery): Promise<StoredRead[]> {
  const where: string[] = ['expires_at > now()'];
  const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
  if (q.plate !== undefined) {
    where.push('plate_norm = {plate:String}');
    params.plate = normalizePlate(q.plate);
  }
  if (q.from) {
    where.push('captured_at >= fromUnixTimestamp64Milli({from:Int64})');
    params.from = q.from.getTime();
  }
  if (q.to) {
    where.push('captured_at < fromUnixTimestamp64Milli({to:Int64})');
    params.to = q.to.getTime();
  }
  if (q.cameras?.length) {
    where.push('camera_id IN {cameras:Array(String)}');
    params.cameras = q.cameras;
  }
  const rs = await client.query({
    query: `SELECT * EXCEPT (box, ingested_at) FROM reads FINAL
            WHERE ${where.join(' AND ')}
            ORDER BY captured_at DESC, id
            LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return (await rs.json<ReadRow>()).map(rowToRead);
}

/** The plate crop of a read, or null when it has none or it has been purged. */
export async function getPlateImage(client: ClickHouseClient, readId: string): Promise<Buffer | null> {
  const rs = await client.query({
    query: 'SELECT jpeg FROM plate_images FINAL WHERE read_id = {id:UUID} AND expires_at > now() LIMIT 1',
    query_params: { id: readId },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ jpeg: string }>();
  return rows[0] ? Buffer.from(rows[0].jpeg, 'base64') : null;
}
