import { US_STATES, normalizePlate } from './plate.ts';
import type { PlateRead } from './read.ts';

/**
 * A check of a read as the pipeline publishes it, without zod: the store writer decodes every
 * read, and zod's general machinery costs about a tenth of its time per read (docs/benchmarks.md, Store).
 *
 * It is sound, not complete: it accepts only what `plateReadSchema` accepts (the contract
 * test mutates valid reads field by field and holds it to that), and returns the same value
 * the schema would, defaults filled in. What it does not accept (a time with an offset, a
 * read with a plate crop, anything unusual) goes through the schema, which decides and says
 * why. So a read is never accepted here that the schema would refuse, and the schema stays
 * the one definition of a read.
 */
export function checkReadFast(x: unknown): PlateRead | null {
  if (!isPlainObject(x)) return null;
  let keys = 0;
  for (const k in x) {
    if (!ALLOWED.has(k)) return null;
    keys++;
  }
  const r = x as Record<string, unknown>;
  // base64 is the schema's to check; crops are rare and large
  if (r.cropJpeg !== undefined || r.vehicleJpeg !== undefined) return null;
  if (typeof r.id !== 'string' || !UUID.test(r.id)) return null;
  if (!str(r.siteId, 1, 64)) return null;
  if (typeof r.cameraId !== 'string' || !CAMERA_ID.test(r.cameraId)) return null;
  if (!isoUtc(r.capturedAt) || !isoUtc(r.firstSeenAt) || !isoUtc(r.lastSeenAt)) return null;
  if (!str(r.plate, 1, 16) || normalizePlate(r.plate as string).length === 0) return null;
  if (!unit(r.confidence)) return null;
  if (r.candidates !== undefined) {
    if (!Array.isArray(r.candidates) || r.candidates.length > 10) return null;
    for (const c of r.candidates) {
      if (!isPlainObject(c) || Object.keys(c).length !== 2 || !str(c.text, 1, 16) || !unit(c.confidence)) return null;
    }
  }
  if (r.state !== null && !(typeof r.state === 'string' && STATES.has(r.state))) return null;
  if (r.stateConfidence !== undefined && !unit(r.stateConfidence)) return null;
  const loc = r.location;
  if (!isPlainObject(loc) || Object.keys(loc).length !== 3) return null;
  if (!within(loc.lat, -90, 90) || !within(loc.lon, -180, 180) || !str(loc.description, 1, 200)) return null;
  if (typeof r.direction !== 'string' || !DIRECTIONS.has(r.direction)) return null;
  if (!Number.isSafeInteger(r.framesSeen) || (r.framesSeen as number) < 1 || (r.framesSeen as number) > 100_000) return null;
  if (r.box !== undefined) {
    if (!Array.isArray(r.box) || r.box.length !== 4 || !r.box.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
  }
  // Every required key is checked above (a missing one fails its check); count the optional ones present.
  const optional = (r.candidates !== undefined ? 1 : 0) + (r.stateConfidence !== undefined ? 1 : 0) + (r.box !== undefined ? 1 : 0);
  if (keys !== REQUIRED + optional) return null; // e.g. a key present with the value undefined
  if (r.candidates === undefined) r.candidates = [];
  if (r.stateConfidence === undefined) r.stateConfidence = 0;
  return r as unknown as PlateRead;
}

const ALLOWED = new Set([
  'id',
  'siteId',
  'cameraId',
  'capturedAt',
  'firstSeenAt',
  'lastSeenAt',
  'plate',
  'confidence',
  'candidates',
  'state',
  'stateConfidence',
  'location',
  'direction',
  'framesSeen',
  'box',
  'cropJpeg',
  'vehicleJpeg',
]);
const REQUIRED = 12; // id siteId cameraId capturedAt firstSeenAt lastSeenAt plate confidence state location direction framesSeen
const STATES = new Set<string>(US_STATES);
const DIRECTIONS = new Set(['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW', 'unknown']);
// zod's own UUID pattern (versions 1-8, RFC variant), without its nil and max alternatives.
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const CAMERA_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
function str(x: unknown, min: number, max: number): boolean {
  return typeof x === 'string' && x.length >= min && x.length <= max;
}
function within(x: unknown, min: number, max: number): boolean {
  return typeof x === 'number' && x >= min && x <= max; // NaN fails both comparisons
}
function unit(x: unknown): boolean {
  return within(x, 0, 1);
}
/**
 * Exactly the form `Date.prototype.toISOString` writes, `YYYY-MM-DDTHH:mm:ss.sssZ`, with a real
 * calendar date: a subset of what the schema's ISO check accepts. Read digit by digit: parsing
 * and re-printing the date cost more than all the other checks together.
 */
function isoUtc(x: unknown): boolean {
  if (typeof x !== 'string' || x.length !== 24) return false;
  for (let i = 0; i < 24; i++) {
    const c = x.charCodeAt(i);
    const expected = SEPARATORS[i];
    if (expected !== undefined ? c !== expected : c < 48 || c > 57) return false;
  }
  const year = digits(x, 0, 4);
  const month = digits(x, 5, 2);
  const day = digits(x, 8, 2);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days && digits(x, 11, 2) <= 23 && digits(x, 14, 2) <= 59 && digits(x, 17, 2) <= 59;
}

function digits(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) v = v * 10 + s.charCodeAt(i) - 48;
  return v;
}

/** The fixed characters of that form, by position ('-', 'T', ':', '.', 'Z'); digits everywhere else. */
const SEPARATORS: (number | undefined)[] = Array.from(
  { length: 24 },
  (_, i) => ({ 4: 45, 7: 45, 10: 84, 13: 58, 16: 58, 19: 46, 23: 90 })[i],
);
