import type { StoredRead } from '../store/index.ts';

/**
 * CSV (RFC 4180) safe to open in a spreadsheet, for the case file and the audit log's export.
 * A text cell that starts with = + - @, a tab or a carriage return is read by spreadsheets as a
 * formula (CSV injection), so it is written with a leading apostrophe. Numbers are never defused.
 * Text that reads as a plain number is kept bare by default (the case file's longitude is
 * -84.2807, not '-84.2807, whether it arrives as a number or as the text of one); the audit log's
 * free text, where such a value is whatever a user typed, asks for `numberText: 'defuse'`.
 * An object (an audit entry's detail) is written as its JSON.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface CsvOptions {
  /** Text that reads as a plain number: 'keep' it bare (the default) or 'defuse' it like any formula start. */
  numberText?: 'keep' | 'defuse';
}

export function csvCell(v: unknown, opts: CsvOptions = {}): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  const formula = FORMULA_START.test(s) && (opts.numberText === 'defuse' || !PLAIN_NUMBER.test(s));
  const safe = formula ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly unknown[], opts: CsvOptions = {}): string => cells.map((c) => csvCell(c, opts)).join(',');

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
