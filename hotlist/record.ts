import {
  normalizePlate,
  PatternError,
  piiProblem,
  wildcardToLike,
  type HotlistRecord,
  type VehicleDescription,
} from '../contracts/index.ts';

export type { HotlistRecord };

export const RECORD_FIELDS = [
  'plate',
  'state',
  'plateType',
  'recordId',
  'category',
  'ori',
  'enteredAt',
  'expiresAt',
  'priority',
  'notes',
  'vehicleMake',
  'vehicleModel',
  'vehicleStyle',
  'vehicleColour',
  'vehicleYear',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];
export const REQUIRED_FIELDS: readonly RecordField[] = ['plate', 'recordId', 'category'];

/** Longest plate the matcher indexes (US plates have at most 8 characters). */
export const MAX_PLATE_LENGTH = 10;

/** Category spellings and NCIC/FCIC/DHSMV codes folded to one canonical name each. */
const CATEGORY_ALIASES: Record<string, string> = {
  sv: 'stolen_vehicle',
  v: 'stolen_vehicle',
  stolen: 'stolen_vehicle',
  stolen_vehicle: 'stolen_vehicle',
  veh: 'stolen_vehicle',
  lp: 'stolen_plate',
  l: 'stolen_plate',
  stolen_plate: 'stolen_plate',
  stolen_tag: 'stolen_plate',
  lic: 'stolen_plate',
  w: 'wanted_person',
  wanted: 'wanted_person',
  wanted_person: 'wanted_person',
  warrant: 'wanted_person',
  mp: 'missing_person',
  m: 'missing_person',
  missing: 'missing_person',
  missing_person: 'missing_person',
  ep: 'endangered_person',
  endangered: 'endangered_person',
  endangered_person: 'endangered_person',
  amber: 'amber',
  amber_alert: 'amber',
  aa: 'amber',
  silver: 'silver_alert',
  silver_alert: 'silver_alert',
  et: 'expired_tag',
  expired_tag: 'expired_tag',
  expired_registration: 'expired_tag',
  el: 'expired_license',
  expired_license: 'expired_license',
  expired_licence: 'expired_license',
  sd: 'sanctioned_driver',
  sanctioned: 'sanctioned_driver',
  sanctioned_driver: 'sanctioned_driver',
  suspended_license: 'sanctioned_driver',
  so: 'sex_offender',
  sex_offender: 'sex_offender',
  predator: 'sex_offender',
  pf: 'protection_order',
  protection_order: 'protection_order',
  bolo: 'bolo',
  agency: 'agency_list',
};

/** Default priority by category (1 most urgent) when the file gives none. */
const CATEGORY_PRIORITY: Record<string, number> = {
  amber: 1,
  endangered_person: 1,
  missing_person: 2,
  wanted_person: 2,
  silver_alert: 2,
  stolen_vehicle: 3,
  stolen_plate: 3,
  protection_order: 3,
  bolo: 4,
  sex_offender: 5,
  sanctioned_driver: 6,
  expired_license: 7,
  expired_tag: 8,
};

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

// Lone surrogates (\p{Cs}) arrive only through JSON escapes ("\ud800"); they are not text and
// would reach the store and the compiled list as replacement characters.
const printable = /^[^\p{Cc}\p{Cf}\p{Cs}\t]*$/u;

/** Plain printable ASCII, the text of nearly every field: checked without the Unicode regex. */
function plainAscii(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

function text(field: string, raw: string | undefined, max: number): string | null {
  if (raw === undefined || raw === '') return null;
  // A quoted CSV field may span lines; canonical text is one line (see compiled.ts).
  const v = (raw.includes('\n') ? raw.replace(/\r?\n/g, ' ') : raw).trim();
  if (v === '') return null;
  if (v.length > max) throw new RecordError(`${field}: longer than ${max} characters`);
  if (!plainAscii(v) && !printable.test(v)) throw new RecordError(`${field}: contains control characters`);
  return v;
}

/**
 * Memo of small, often repeated values (dates, categories): an extract of millions of records
 * carries a few thousand distinct ones. Bounded, so a file of all-distinct values cannot grow it.
 */
function memo<T>(limit: number, compute: (raw: string) => T): (raw: string) => T {
  const cache = new Map<string, T>();
  return (raw) => {
    let v = cache.get(raw);
    if (v === undefined) {
      v = compute(raw);
      if (cache.size < limit) cache.set(raw, v);
    }
    return v;
  };
}

/** Dates as extracts write them: 2024-05-01, 20240501, 05/01/2024, or a full ISO timestamp. */
export function parseDate(field: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const ms = dateMs(raw);
  if (ms === null)
    throw new RecordError(`${field}: "${raw.trim().slice(0, 40)}" is not a date (YYYY-MM-DD, YYYYMMDD, MM/DD/YYYY or ISO-8601)`);
  return Number.isNaN(ms) ? null : ms;
}

/** Milliseconds of a date text, NaN for a blank one, null for one that is not a date. */
const dateMs = memo(4096, (raw: string): number | null => {
  const v = raw.trim();
  if (v === '') return Number.NaN;
  let ymd: [number, number, number] | null = null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v))) ymd = [+m[1]!, +m[2]!, +m[3]!];
  else if ((m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v))) ymd = [+m[3]!, +m[1]!, +m[2]!];
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
  }
  if (ymd) {
    const [y, mo, d] = ymd;
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    // Date.UTC rolls 2024-02-31 over into March: a date that does not round-trip is not a date.
    if (y >= 1900 && y <= 2200 && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return ms;
  }
  return null;
});

export const canonicalCategory = memo(1024, (raw: string): string => {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  // Own keys only: "__proto__" or "constructor" in a file must not fetch Object's prototype.
  return (Object.hasOwn(CATEGORY_ALIASES, key) ? CATEGORY_ALIASES[key] : undefined) ?? key.replace(/[^a-z0-9_]/g, '').slice(0, 40);
});

/**
 * Notes travel with every alert of the record; an extract's or an agency's notes that carry a
 * person's identifiers (a date of birth, an address, a telephone) refuse the record with that
 * reason, reported by line like any other bad field, rather than spreading them to each alert.
 */
function notesOf(raw: string | undefined): string | null {
  const notes = text('notes', raw, 500);
  const problem = notes === null ? null : piiProblem(notes);
  if (problem) throw new RecordError(`notes: ${problem}`);
  return notes;
}

/** The record's vehicle description (NCIC VMA, VMO, VST, VCO, VYR), or null when it gives none. */
function vehicleOf(row: Partial<Record<RecordField, string>>): VehicleDescription | null {
  const field = (f: RecordField, max: number) => text(f, row[f], max)?.toUpperCase() ?? null;
  const v = {
    make: field('vehicleMake', 24),
    model: field('vehicleModel', 24),
    style: field('vehicleStyle', 24),
    colour: field('vehicleColour', 24),
    year: field('vehicleYear', 8),
  };
  return Object.values(v).some((x) => x !== null) ? v : null;
}

/**
 * Validates one mapped row and returns the canonical record, or throws a RecordError whose
 * message says what is wrong with it (reported with the line number by the parser).
 */
export function toRecord(row: Partial<Record<RecordField, string>>): HotlistRecord {
  const rawPlate = text('plate', row.plate, 24);
  if (!rawPlate) throw new RecordError('plate: missing');
  const wildcard = rawPlate.includes('*') || rawPlate.includes('?');
  let plate: string;
  if (wildcard) {
    try {
      wildcardToLike(rawPlate);
    } catch (err) {
      if (err instanceof PatternError) throw new RecordError(`plate: wildcard ${err.message}`);
      throw err;
    }
    plate = rawPlate
      .toUpperCase()
      .replace(/[^A-Z0-9?*]/g, '')
      .replace(/\*+/g, '*');
  } else {
    plate = normalizePlate(rawPlate);
    if (plate.length === 0) throw new RecordError('plate: no letters or digits');
  }
  if ((wildcard ? plate.replace(/\*/g, '') : plate).length > MAX_PLATE_LENGTH)
    throw new RecordError(`plate: more than ${MAX_PLATE_LENGTH} characters`);

  const recordId = text('recordId', row.recordId, 40);
  if (!recordId) throw new RecordError('recordId: missing');
  const rawCategory = text('category', row.category, 60);
  if (!rawCategory) throw new RecordError('category: missing');
  const category = canonicalCategory(rawCategory);
  if (!category) throw new RecordError('category: no letters or digits');

  const rawState = text('state', row.state, 8)?.toUpperCase() ?? null;
  if (rawState !== null && !/^[A-Z]{2}$/.test(rawState)) throw new RecordError(`state: "${rawState}" is not a two-letter code`);

  const rawPriority = text('priority', row.priority, 2);
  let priority = (Object.hasOwn(CATEGORY_PRIORITY, category) ? CATEGORY_PRIORITY[category] : undefined) ?? 5;
  if (rawPriority !== null) {
    if (!/^[1-9]$/.test(rawPriority)) throw new RecordError(`priority: "${rawPriority}" is not 1-9`);
    priority = Number(rawPriority);
  }
  const enteredAt = parseDate('enteredAt', row.enteredAt);
  const expiresAt = parseDate('expiresAt', row.expiresAt);
  if (enteredAt !== null && expiresAt !== null && expiresAt < enteredAt) throw new RecordError('expiresAt: before enteredAt');

  return {
    recordId,
    plate,
    wildcard,
    state: rawState,
    plateType: text('plateType', row.plateType, 8)?.toUpperCase() ?? null,
    category,
    ori: text('ori', row.ori, 12)?.toUpperCase() ?? null,
    enteredAt,
    expiresAt,
    priority,
    notes: notesOf(row.notes),
    vehicle: vehicleOf(row),
  };
}
