import type { HotlistSourceConfig } from '../contracts/index.ts';
import { RECORD_FIELDS, REQUIRED_FIELDS, type RecordField } from './record.ts';

/**
 * Field mappings: for each canonical field, the column headers (CSV) or keys (JSON lines)
 * a source writes it under, compared case-insensitively with spaces, dashes and underscores
 * ignored. The layouts of the state and national files differ and change between releases;
 * the mapping is the one place that knows them (documented in hotlist/README.md).
 */
export type FieldMapping = Record<RecordField, string[]>;

const standard: FieldMapping = {
  plate: ['plate', 'plate_number', 'license_plate', 'tag'],
  state: ['state', 'plate_state'],
  plateType: ['plate_type', 'type'],
  recordId: ['record_id', 'id', 'ncic_number', 'nic'],
  category: ['category', 'reason'],
  ori: ['ori', 'entering_agency'],
  enteredAt: ['entered_at', 'entry_date'],
  expiresAt: ['expires_at', 'expiry', 'expiration'],
  priority: ['priority'],
  notes: ['notes', 'remarks'],
  vehicleMake: ['vehicle_make', 'make'],
  vehicleModel: ['vehicle_model', 'model'],
  vehicleStyle: ['vehicle_style', 'body_style', 'style'],
  vehicleColour: ['vehicle_color', 'vehicle_colour', 'color', 'colour'],
  vehicleYear: ['vehicle_year', 'model_year', 'year'],
};

/** NCIC/FCIC vehicle description fields: make, model, style, colour, year. */
const ncicVehicle = {
  vehicleMake: ['vma', ...standard.vehicleMake],
  vehicleModel: ['vmo', ...standard.vehicleModel],
  vehicleStyle: ['vst', ...standard.vehicleStyle],
  vehicleColour: ['vco', ...standard.vehicleColour],
  vehicleYear: ['vyr', ...standard.vehicleYear],
};

export const BUILTIN_MAPPINGS: Record<'standard' | 'ncic' | 'fcic' | 'dhsmv', FieldMapping> = {
  standard,
  // NCIC vehicle/licence-plate file field names (LIC, LIS, LIT, NIC, ORI, DOE …).
  ncic: {
    ...standard,
    plate: ['lic', ...standard.plate],
    state: ['lis', ...standard.state],
    plateType: ['lit', ...standard.plateType],
    recordId: ['nic', ...standard.recordId],
    category: ['file', 'mke', ...standard.category],
    enteredAt: ['doe', 'dte', ...standard.enteredAt],
    expiresAt: ['loy', 'exp', ...standard.expiresAt],
    notes: ['mis', ...standard.notes],
    ...ncicVehicle,
  },
  fcic: {
    ...standard,
    plate: ['lic', 'tag_number', ...standard.plate],
    state: ['lis', ...standard.state],
    plateType: ['lit', ...standard.plateType],
    recordId: ['fcn', 'nic', ...standard.recordId],
    category: ['file', 'mke', ...standard.category],
    enteredAt: ['doe', ...standard.enteredAt],
    notes: ['mis', ...standard.notes],
    ...ncicVehicle,
  },
  dhsmv: {
    ...standard,
    plate: ['tag_number', 'plate_no', ...standard.plate],
    state: ['tag_state', ...standard.state],
    recordId: ['record_number', 'dl_number_hash', ...standard.recordId],
    category: ['status', 'status_code', ...standard.category],
    enteredAt: ['status_date', ...standard.enteredAt],
    expiresAt: ['expiration_date', ...standard.expiresAt],
  },
};

export function headerKey(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

export function mappingFor(source: Pick<HotlistSourceConfig, 'mapping'>): FieldMapping {
  if (typeof source.mapping === 'string') return BUILTIN_MAPPINGS[source.mapping];
  const out = { ...standard };
  for (const [field, header] of Object.entries(source.mapping)) {
    if (!(RECORD_FIELDS as readonly string[]).includes(field)) throw new Error(`mapping: unknown field "${field}"`);
    out[field as RecordField] = [header];
  }
  return out;
}

export class HotlistFormatError extends Error {
  override readonly name = 'HotlistFormatError';
}

/**
 * Which column holds each field, from a CSV header row. Missing required columns refuse the
 * whole file: a mapping that fits no column would otherwise turn every line into a problem.
 */
export function resolveColumns(headers: string[], mapping: FieldMapping): Partial<Record<RecordField, number>> {
  const keys = headers.map(headerKey);
  const out: Partial<Record<RecordField, number>> = {};
  for (const field of RECORD_FIELDS) {
    for (const name of mapping[field]) {
      const i = keys.indexOf(headerKey(name));
      if (i >= 0) {
        out[field] = i;
        break;
      }
    }
  }
  const missing = REQUIRED_FIELDS.filter((f) => out[f] === undefined);
  if (missing.length) {
    throw new HotlistFormatError(
      `header has no column for ${missing.map((f) => `${f} (one of: ${mapping[f].join(', ')})`).join('; ')}; header was: ${headers
        .slice(0, 20)
        .map((h) => JSON.stringify(h.slice(0, 40)))
        .join(', ')}`,
    );
  }
  return out;
}

/** The value of each field in a JSON-lines object, looked up through the mapping (own keys only). */
export function pickFields(obj: Record<string, unknown>, mapping: FieldMapping): Partial<Record<RecordField, string>> {
  const byKey = new Map<string, unknown>();
  for (const k of Object.keys(obj)) byKey.set(headerKey(k), obj[k]);
  const out: Partial<Record<RecordField, string>> = {};
  for (const field of RECORD_FIELDS) {
    for (const name of mapping[field]) {
      const v = byKey.get(headerKey(name));
      if (v === undefined || v === null) continue;
      if (typeof v === 'object') throw new Error(`${field}: a ${Array.isArray(v) ? 'list' : 'nested object'} where text was expected`);
      out[field] = String(v);
      break;
    }
  }
  return out;
}
