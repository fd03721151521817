import type { ClickHouseClient } from '@clickhouse/client';
import { parseVehicle, vehicleField } from '../contracts/index.ts';
import type { LineProblem } from './parse.ts';
import type { HotlistRecord } from './record.ts';

/**
 * Hotlist versions and their records in ClickHouse. A version row is append-only per change
 * (ReplacingMergeTree on rev): importing → active → superseded (records purged), or refused /
 * failed with the reason. Every value is a bound parameter.
 */
export type VersionStatus = 'importing' | 'active' | 'superseded' | 'refused' | 'failed';

export interface HotlistVersion {
  versionId: string;
  source: string;
  status: VersionStatus;
  origin: 'upload' | 'watch' | 'manual';
  filename: string;
  checksum: string;
  bytes: number;
  recordCount: number;
  lines: number;
  badLines: number;
  problems: LineProblem[];
  importedBy: string;
  importedAt: string;
  extractedAt: string;
  changedAt: string;
  detail: string;
}

interface Row {
  version_id: string;
  source: string;
  status: VersionStatus;
  origin: HotlistVersion['origin'];
  filename: string;
  checksum: string;
  bytes: string;
  record_count: string;
  lines: string;
  bad_lines: string;
  problems: string;
  imported_by: string;
  imported_ms: string;
  extracted_ms: string;
  changed_ms: string;
  detail: string;
}

const iso = (ms: string | number) => new Date(Number(ms)).toISOString();

export async function putVersion(client: ClickHouseClient, v: HotlistVersion): Promise<void> {
  await client.insert({
    table: 'hotlist_versions',
    values: [
      {
        version_id: v.versionId,
        source: v.source,
        rev: Date.now() * 1000 + Math.floor(Math.random() * 1000),
        status: v.status,
        origin: v.origin,
        filename: v.filename,
        checksum: v.checksum,
        bytes: v.bytes,
        record_count: v.recordCount,
        lines: v.lines,
        bad_lines: v.badLines,
        problems: JSON.stringify(v.problems),
        imported_by: v.importedBy,
        imported_at: Date.parse(v.importedAt),
        extracted_at: Date.parse(v.extractedAt),
        changed_at: Date.parse(v.changedAt),
        detail: v.detail,
      },
    ],
    format: 'JSONEachRow',
  });
}

const SELECT = `SELECT version_id, source, status, origin, filename, checksum, toString(bytes) AS bytes, toString(record_count) AS record_count,
  toString(lines) AS lines, toString(bad_lines) AS bad_lines, problems, imported_by,
  toString(toUnixTimestamp64Milli(imported_at)) AS imported_ms, toString(toUnixTimestamp64Milli(extracted_at)) AS extracted_ms,
  toString(toUnixTimestamp64Milli(changed_at)) AS changed_ms, detail FROM hotlist_versions FINAL`;

function toVersion(r: Row): HotlistVersion {
  return {
    versionId: r.version_id,
    source: r.source,
    status: r.status,
    origin: r.origin,
    filename: r.filename,
    checksum: r.checksum,
    bytes: Number(r.bytes),
    recordCount: Number(r.record_count),
    lines: Number(r.lines),
    badLines: Number(r.bad_lines),
    problems: JSON.parse(r.problems || '[]') as LineProblem[],
    importedBy: r.imported_by,
    importedAt: iso(r.imported_ms),
    extractedAt: iso(r.extracted_ms),
    changedAt: iso(r.changed_ms),
    detail: r.detail,
  };
}

export async function listVersions(client: ClickHouseClient, source?: string, limit = 100): Promise<HotlistVersion[]> {
  const rs = await client.query({
    query: `${SELECT} ${source ? 'WHERE source = {source:String}' : ''} ORDER BY imported_at DESC LIMIT {limit:UInt32}`,
    query_params: { source: source ?? '', limit },
    format: 'JSONEachRow',
  });
  return (await rs.json<Row>()).map(toVersion);
}

export async function getVersion(client: ClickHouseClient, versionId: string): Promise<HotlistVersion | null> {
  const rs = await client.query({
    query: `${SELECT} WHERE version_id = {v:String} LIMIT 1`,
    query_params: { v: versionId },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Row>();
  return rows[0] ? toVersion(rows[0]) : null;
}

export async function activeVersions(client: ClickHouseClient): Promise<HotlistVersion[]> {
  const rs = await client.query({ query: `${SELECT} WHERE status = 'active' ORDER BY source`, format: 'JSONEachRow' });
  return (await rs.json<Row>()).map(toVersion);
}

export interface StoredRecord extends HotlistRecord {
  line: number;
  createdBy: string;
  /** When the entry was added (ms); null for records stored before this was kept (migration 150). */
  createdAt: number | null;
  reason: string;
}

export async function insertRecords(client: ClickHouseClient, versionId: string, source: string, records: StoredRecord[]): Promise<void> {
  if (!records.length) return;
  await client.insert({
    table: 'hotlist_records',
    values: records.map((r) => ({
      version_id: versionId,
      source,
      record_id: r.recordId,
      plate: r.plate,
      wildcard: r.wildcard,
      state: r.state ?? '',
      plate_type: r.plateType ?? '',
      category: r.category,
      ori: r.ori ?? '',
      entered_at: r.enteredAt ?? 0,
      expires_at: r.expiresAt ?? 0,
      priority: r.priority,
      notes: r.notes ?? '',
      vehicle: vehicleField(r.vehicle),
      line: r.line,
      created_by: r.createdBy,
      created_at: r.createdAt ?? 0,
      reason: r.reason,
    })),
    format: 'JSONEachRow',
  });
}

interface RecordRow {
  record_id: string;
  plate: string;
  wildcard: boolean;
  state: string;
  plate_type: string;
  category: string;
  ori: string;
  entered_at: string;
  expires_at: string;
  priority: number;
  notes: string;
  vehicle: string;
  line: number;
  created_by: string;
  created_at: string;
  reason: string;
}

/** Which records of a version: one exact (normalised) plate, or plates containing a text. */
export interface RecordFilter {
  plate?: string;
  /** Part of a plate, normalised (A-Z0-9): the management view's search. */
  contains?: string;
}

function recordWhere(f: RecordFilter): string {
  return ['version_id = {v:String}', f.plate ? 'plate = {plate:String}' : '', f.contains ? 'position(plate, {contains:String}) > 0' : '']
    .filter(Boolean)
    .join(' AND ');
}

export async function listRecords(
  client: ClickHouseClient,
  versionId: string,
  opts: RecordFilter & { limit: number; offset: number },
): Promise<StoredRecord[]> {
  const rs = await client.query({
    query: `SELECT record_id, plate, wildcard, state, plate_type, category, ori, toString(entered_at) AS entered_at, toString(expires_at) AS expires_at,
                   priority, notes, vehicle, line, created_by, toString(created_at) AS created_at, reason
            FROM hotlist_records WHERE ${recordWhere(opts)}
            ORDER BY plate, record_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    query_params: { v: versionId, plate: opts.plate ?? '', contains: opts.contains ?? '', limit: opts.limit, offset: opts.offset },
    format: 'JSONEachRow',
  });
  return (await rs.json<RecordRow>()).map((r) => ({
    recordId: r.record_id,
    plate: r.plate,
    wildcard: r.wildcard,
    state: r.state || null,
    plateType: r.plate_type || null,
    category: r.category,
    ori: r.ori || null,
    enteredAt: Number(r.entered_at) || null,
    expiresAt: Number(r.expires_at) || null,
    priority: r.priority,
    notes: r.notes || null,
    vehicle: parseVehicle(r.vehicle),
    line: r.line,
    createdBy: r.created_by,
    createdAt: Number(r.created_at) || null,
    reason: r.reason,
  }));
}

/** How many records of a version the filter selects (the management view's pages). */
export async function countRecords(client: ClickHouseClient, versionId: string, f: RecordFilter): Promise<number> {
  const rs = await client.query({
    query: `SELECT toString(count()) AS n FROM hotlist_records WHERE ${recordWhere(f)}`,
    query_params: { v: versionId, plate: f.plate ?? '', contains: f.contains ?? '' },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

/** Plates (not wildcards) in `versionId` that `previous` did not list: the candidates for historical hits. */
export async function newlyListedPlates(
  client: ClickHouseClient,
  versionId: string,
  previous: string | null,
  limit: number,
): Promise<{ plates: string[]; truncated: boolean }> {
  const rs = await client.query({
    query: `SELECT DISTINCT plate FROM hotlist_records WHERE version_id = {v:String} AND NOT wildcard
            AND plate NOT IN (SELECT plate FROM hotlist_records WHERE version_id = {prev:String}) LIMIT {limit:UInt32}`,
    query_params: { v: versionId, prev: previous ?? '', limit: limit + 1 },
    format: 'JSONEachRow',
  });
  const plates = (await rs.json<{ plate: string }>()).map((r) => r.plate);
  return { plates: plates.slice(0, limit), truncated: plates.length > limit };
}

export async function purgeRecords(client: ClickHouseClient, versionId: string): Promise<void> {
  await client.command({ query: 'DELETE FROM hotlist_records WHERE version_id = {v:String}', query_params: { v: versionId } });
}
