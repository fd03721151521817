import { createHash } from 'node:crypto';
import { normalizePlate, type PlateRead } from '../contracts/index.ts';

/** Rounded to hundredths: all the precision a confidence has, and it compresses to a byte. */
const hundredths = (x: number) => Math.round(x * 100) / 100;

/** Each camera's last location and its id: a camera keeps its place, so most reads need only a comparison. */
const lastLocationOf = new Map<string, { lat: number; lon: number; description: string; direction: string; id: string }>();

/**
 * Identifies a camera location by its content, so the writer needs no lookup to assign it. The
 * hash must not change (ids on disk); it is computed only when a camera is seen at a place other
 * than its last one (hashing every read cost more than the rest of its row, and a cache keyed by
 * the location as text was still ~1 µs of the writer's ~14 a read).
 */
export function locationId(read: Pick<PlateRead, 'cameraId' | 'location' | 'direction'>): string {
  const { lat, lon, description } = read.location;
  const last = lastLocationOf.get(read.cameraId);
  if (last && last.lat === lat && last.lon === lon && last.description === description && last.direction === read.direction) return last.id;
  const content = JSON.stringify([read.cameraId, lat, lon, description, read.direction]);
  const id = createHash('sha256').update(content).digest().readBigUInt64BE(0).toString();
  if (lastLocationOf.size > 100_000) lastLocationOf.clear();
  lastLocationOf.set(read.cameraId, { lat, lon, description, direction: read.direction, id });
  return id;
}

export function locationRow(read: PlateRead) {
  return {
    location_id: locationId(read),
    camera_id: read.cameraId,
    lat: read.location.lat,
    lon: read.location.lon,
    description: read.location.description,
    direction: read.direction,
    first_seen: Date.parse(read.capturedAt),
  };
}

/** The columns of a `reads` row, in the order readRow writes them. */
export const READ_COLUMNS: [string, ...string[]] = [
  'id',
  'site_id',
  'camera_id',
  'location_id',
  'captured_at',
  'first_seen_ms',
  'last_seen_ms',
  'plate_norm',
  'plate_text',
  'confidence',
  'candidate_texts',
  'candidate_confidences',
  'state',
  'state_confidence',
  'frames_seen',
  'has_image',
];

/** A read as its `reads` row; times as epoch milliseconds so no text date parsing is involved. */
export function readRow(read: PlateRead, location = locationId(read)) {
  const capturedAt = Date.parse(read.capturedAt);
  const plateNorm = normalizePlate(read.plate);
  return {
    id: read.id,
    site_id: read.siteId,
    camera_id: read.cameraId,
    location_id: location,
    captured_at: capturedAt,
    first_seen_ms: Math.max(0, capturedAt - Date.parse(read.firstSeenAt)),
    last_seen_ms: Math.max(0, Date.parse(read.lastSeenAt) - capturedAt),
    plate_norm: plateNorm,
    plate_text: read.plate === plateNorm ? '' : read.plate,
    confidence: hundredths(read.confidence),
    candidate_texts: read.candidates.map((c) => normalizePlate(c.text)),
    candidate_confidences: read.candidates.map((c) => hundredths(c.confidence)),
    state: read.state ?? '',
    state_confidence: hundredths(read.stateConfidence),
    frames_seen: Math.min(read.framesSeen, 65_535),
    has_image: Boolean(read.cropJpeg),
  };
}
