import type { StoredRead } from '../store/index.ts';

/**
 * CSV for the case file (RFC 4180), safe to open in a spreadsheet. A text cell that starts with
 * = + - @, a tab or a carriage return is read by spreadsheets as a formula (CSV injection), so
 * it is written with a leading apostrophe. Numbers are never defused: a longitude is -84.2807,
 * not '-84.2807, whether it arrives as a number or as the text of one.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const s = String(v);
  const safe = FORMULA_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly unknown[]): string => cells.map(csvCell).join(',');

/** The columns of a read in the CSV export and in the case file's zip. */
export const READ_CSV_COLUMNS = [
  'id',
  'captured_at',
  'plate',
  'state',
  'confidence',
  'candidates',
  'camera_id',
  'lat',
  'lon',
  'location',
  'direction',
  'frames_seen',
  'image_url',
] as const;

export const readCsvRow = (r: StoredRead, image = r.hasImage ? `/api/reads/${r.id}/image` : ''): string =>
  csvLine([
    r.id,
    r.capturedAt,
    r.plate,
    r.state,
    r.confidence,
    r.candidates.map((c) => c.text).join(' '),
    r.cameraId,
    r.location?.lat,
    r.location?.lon,
    r.location?.description,
    r.location?.direction,
    r.framesSeen,
    image,
  ]);
