import type { ClickHouseClient } from '@clickhouse/client';
import { confusionKey, editDistance, normalizePlate, wildcardToLike } from '../contracts/index.ts';
import { confusionKeyLike, keysWithinOneEdit } from './plate-patterns.ts';
import { EXPIRES_AT_SQL } from './retention.ts';

/** Beyond this many distinct plates a partial or fuzzy search is no longer about one vehicle. */
export const MAX_PLATES_PER_SEARCH = 5000;

export class SearchTooBroadError extends Error {
  override readonly name = 'SearchTooBroadError';
}

export interface ReadSearch {
  /** Exact plate, compared in normalised form. */
  plate?: string;
  /** Partial plate: `?` one character, `*` any run (`AB?12*`, `*1234*`). */
  pattern?: string;
  /** Fuzzy plate: OCR-confusion classes folded, and `maxEdits` (0 or 1) edits on top. */
  fuzzy?: string;
  maxEdits?: 0 | 1;
  /** Also match the runner-up candidates the pipeline kept with each read. */
  candidates?: boolean;
  from?: Date;
  to?: Date;
  cameras?: string[];
  state?: string;
  box?: { south: number; west: number; north: number; east: number };
  near?: { lat: number; lon: number; radiusM: number };
  order?: 'newest' | 'oldest';
  limit: number;
  offset: number;
  /** Keyset cursor (exports): only reads strictly after this one in the sort order. */
  after?: { capturedAtMs: number; id: string };
}

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
  location: { lat: number; lon: number; description: string; direction: string } | null;
  framesSeen: number;
  hasImage: boolean;
  heldUntil: string | null;
  expiresAt: string;
  /** How the read matched a plate search: the text that hit and how. */
  match: { kind: 'exact' | 'candidate' | 'wildcard' | 'fuzzy'; term: string; distance: number } | null;
}

interface Row {
  id: string;
  site_id: string;
  camera_id: string;
  location_id: string;
  captured_ms: string;
  first_seen_ms: number;
  last_seen_ms: number;
  plate_norm: string;
  plate_text: string;
  confidence: number;
  candidate_texts: string[];
  candidate_confidences: number[];
  state: string;
  state_confidence: number;
  frames_seen: number;
  has_image: boolean;
  held_until_s: string;
  expires_s: string;
}

type Match = NonNullable<StoredRead['match']>;

/**
 * Resolves a partial, fuzzy or candidate search to the plates it names: through `plates`
 * (every plate read, sorted by OCR-confusion key) and, when runner-ups count, `candidate_terms`.
 * A wildcard is matched on the key first, so its known leading characters are a key range.
 */
async function resolvePlates(client: ClickHouseClient, q: ReadSearch): Promise<Map<string, Match> | null> {
  let plateWhere: string;
  let termWhere: string;
  let params: Record<string, unknown>;
  let kind: Match['kind'];
  let query = '';
  if (q.pattern !== undefined) {
    const like = wildcardToLike(q.pattern);
    if (/^[%_]/.test(like)) {
      // No known leading character: the key gives no range, and reading it beside the plate
      // would double the scan (infix searches: docs/benchmarks.md, Store).
      plateWhere = 'plate_norm LIKE {like:String}';
      termWhere = 'term LIKE {like:String}';
    } else {
      plateWhere = 'confusion_key LIKE {klike:String} AND plate_norm LIKE {like:String}';
      termWhere = 'confusion_key LIKE {klike:String} AND term LIKE {like:String}';
    }
    params = { like, klike: confusionKeyLike(like) };
    kind = 'wildcard';
    query = q.pattern;
  } else if (q.fuzzy !== undefined) {
    const key = confusionKey(q.fuzzy);
    plateWhere = termWhere = 'confusion_key IN {keys:Array(String)}';
    params = { keys: q.maxEdits === 0 ? [key] : keysWithinOneEdit(key) };
    kind = 'fuzzy';
    query = normalizePlate(q.fuzzy);
  } else if (q.plate !== undefined && q.candidates) {
    plateWhere = 'confusion_key = {key:String} AND plate_norm = {term:String}';
    termWhere = 'confusion_key = {key:String} AND term = {term:String}';
    params = { term: normalizePlate(q.plate), key: confusionKey(q.plate) };
    kind = 'exact';
    query = normalizePlate(q.plate);
  } else {
    return null;
  }
  const sources = [`SELECT plate_norm, plate_norm AS hit, false AS via FROM plates WHERE ${plateWhere}`];
  if (q.candidates) sources.push(`SELECT plate_norm, term AS hit, true AS via FROM candidate_terms WHERE ${termWhere}`);
  const rs = await client.query({
    query: `SELECT plate_norm, argMin(hit, via) AS hit, min(via) AS via_candidate
            FROM (${sources.join(' UNION ALL ')})
            GROUP BY plate_norm LIMIT {cap:UInt32}`,
    query_params: { ...params, cap: MAX_PLATES_PER_SEARCH + 1 },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ plate_norm: string; hit: string; via_candidate: boolean | number }>();
  if (rows.length > MAX_PLATES_PER_SEARCH) {
    throw new SearchTooBroadError(`more than ${MAX_PLATES_PER_SEARCH} plates match; add characters or narrow the search`);
  }
  const plates = new Map<string, Match>();
  for (const r of rows) {
    const k: Match['kind'] = kind === 'exact' && r.via_candidate ? 'candidate' : kind;
    plates.set(r.plate_norm, { kind: k, term: r.hit, distance: kind === 'fuzzy' ? editDistance(query, r.hit) : 0 });
  }
  return plates;
}

/** Locations inside the box or radius, as (location, camera) sets that narrow the read scan. */
async function resolveLocations(client: ClickHouseClient, q: ReadSearch): Promise<{ ids: string[]; cameras: string[] } | null> {
  if (!q.box && !q.near) return null;
  const conds: string[] = [];
  const params: Record<string, unknown> = {};
  if (q.box) {
    conds.push('lat BETWEEN {south:Float64} AND {north:Float64} AND lon BETWEEN {west:Float64} AND {east:Float64}');
    Object.assign(params, q.box);
  }
  if (q.near) {
    conds.push('greatCircleDistance(lon, lat, {nlon:Float64}, {nlat:Float64}) <= {radius:Float64}');
    Object.assign(params, { nlon: q.near.lon, nlat: q.near.lat, radius: q.near.radiusM });
  }
  const rs = await client.query({
    query: `SELECT toString(location_id) AS id, camera_id FROM camera_locations FINAL WHERE ${conds.join(' AND ')}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ id: string; camera_id: string }>();
  return { ids: rows.map((r) => r.id), cameras: [...new Set(rows.map((r) => r.camera_id))] };
}

type Location = NonNullable<StoredRead['location']>;

/**
 * Locations already looked up, per store. A location id is a hash of the row's content
 * (store/rows.ts), so the row behind an id never changes and a cached one never goes stale.
 * A site has a few hundred, and a plate's reads come from as many cameras as it passed: filling
 * the cache one search's ids at a time would cost most searches a second query (about a fifth of
 * an exact search's time) until every camera had been seen. So a miss loads every location
 * while there are few enough to hold, and only the missing ones beyond that.
 */
const locationCache = new WeakMap<ClickHouseClient, Map<string, Location>>();
const MAX_CACHED_LOCATIONS = 10_000;
/** Stores with more locations than the cache holds: look up only the missing ones. */
const tooManyLocations = new WeakSet<ClickHouseClient>();

async function locationsById(client: ClickHouseClient, ids: string[]): Promise<Map<string, Location>> {
  let cache = locationCache.get(client);
  if (!cache) locationCache.set(client, (cache = new Map()));
  const missing = ids.filter((id) => !cache.has(id));
  if (missing.length) {
    type LocationRow = { id: string; lat: number; lon: number; description: string; direction: string };
    const columns = 'toString(location_id) AS id, lat, lon, description, direction';
    let rows: LocationRow[] | null = null;
    if (!tooManyLocations.has(client)) {
      rows = await (
        await client.query({
          query: `SELECT ${columns} FROM camera_locations FINAL LIMIT {cap:UInt32}`,
          query_params: { cap: MAX_CACHED_LOCATIONS + 1 },
          format: 'JSONEachRow',
        })
      ).json<LocationRow>();
      if (rows.length > MAX_CACHED_LOCATIONS) {
        tooManyLocations.add(client);
        rows = null;
      }
    }
    if (!rows) {
      rows = await (
        await client.query({
          query: `SELECT ${columns} FROM camera_locations FINAL WHERE location_id IN {ids:Array(UInt64)}`,
          // BigInt: a UInt64 array parameter must go unquoted, and a Number would lose digits.
          query_params: { ids: missing.map(BigInt) },
          format: 'JSONEachRow',
        })
      ).json<LocationRow>();
      if (cache.size + rows.length > MAX_CACHED_LOCATIONS) cache.clear();
    }
    for (const r of rows) cache.set(r.id, { lat: r.lat, lon: r.lon, description: r.description, direction: r.direction });
  }
  const out = new Map<string, Location>();
  for (const id of ids) {
    const loc = cache.get(id);
    if (loc) out.set(id, loc);
  }
  return out;
}

const lastSearches = new WeakMap<ClickHouseClient, number>();

/** When the last search on this store began (epoch ms), if any has: the search warmer's cue. */
export function lastSearchAt(client: ClickHouseClient): number | undefined {
  return lastSearches.get(client);
}

/**
 * Searches stored reads within their retention. Reads are sorted by camera and time, so a
 * camera-and-time search is a key range; a plate search (exact, or the plates a partial or
 * fuzzy form resolves to) first finds its (camera, time) pairs in reads_by_plate, sorted by
 * plate, and reads only those rows by primary key. Every value is a bound parameter: the SQL
 * text holds only the fixed fragments below. Redelivered duplicates not yet merged away are
 * dropped by DISTINCT and LIMIT 1 BY id.
 */
export async function searchReads(client: ClickHouseClient, q: ReadSearch, tacticalDays: number): Promise<StoredRead[]> {
  lastSearches.set(client, Date.now());
  const where: string[] = [`${EXPIRES_AT_SQL} > now()`];
  // Conditions reads_by_plate can answer too (it has plate, time, camera and the hold).
  const shared: string[] = [];
  const params: Record<string, unknown> = { days: tacticalDays };

  let plateFilter: string | null = null;
  const plates = await resolvePlates(client, q);
  if (plates) {
    if (plates.size === 0) return [];
    plateFilter = 'plate_norm IN {plates:Array(String)}';
    params.plates = [...plates.keys()];
  } else if (q.plate !== undefined) {
    plateFilter = 'plate_norm = {plate:String}';
    params.plate = normalizePlate(q.plate);
  }
  const locs = await resolveLocations(client, q);
  if (locs) {
    if (locs.ids.length === 0) return [];
    where.push('location_id IN {locs:Array(UInt64)}');
    params.locs = locs.ids.map(BigInt);
  }
  const cameras = locs ? (q.cameras ? q.cameras.filter((c) => locs.cameras.includes(c)) : locs.cameras) : q.cameras;
  if (cameras?.length) {
    shared.push('camera_id IN {cameras:Array(String)}');
    params.cameras = cameras;
  } else if (cameras && locs) return [];
  if (q.from) {
    shared.push('captured_at >= fromUnixTimestamp64Milli({from:Int64})');
    params.from = q.from.getTime();
  }
  if (q.to) {
    shared.push('captured_at < fromUnixTimestamp64Milli({to:Int64})');
    params.to = q.to.getTime();
  }
  if (q.state) {
    where.push('state = {state:String}');
    params.state = q.state;
  }
  const dir = q.order === 'oldest' ? 'ASC' : 'DESC';
  if (q.after) {
    shared.push(`captured_at ${dir === 'DESC' ? '<=' : '>='} fromUnixTimestamp64Milli({afterTs:Int64})`);
    where.push(`(captured_at, id) ${dir === 'DESC' ? '<' : '>'} (fromUnixTimestamp64Milli({afterTs:Int64}), {afterId:UUID})`);
    params.afterTs = q.after.capturedAtMs;
    params.afterId = q.after.id;
  }
  const pageOnly = !q.state && !locs;
  if (plateFilter) {
    // With no filter the index cannot see, only the page's worth of newest (or oldest) pairs is
    // needed; the margin covers reads sharing the cursor's millisecond that the cursor skips.
    // GLOBAL: on a cluster the index lives on other shards than the reads; one node resolves it.
    where.push(
      plateFilter,
      `(camera_id, captured_at) GLOBAL IN (
      SELECT DISTINCT camera_id, captured_at FROM reads_by_plate
      WHERE ${[plateFilter, `${EXPIRES_AT_SQL} > now()`, ...shared].join(' AND ')}
      ${pageOnly ? `ORDER BY captured_at ${dir} LIMIT {pairs:UInt32}` : ''})`,
    );
  }
  const rs = await client.query({
    query: `SELECT id, site_id, camera_id, toString(location_id) AS location_id, toString(toUnixTimestamp64Milli(captured_at)) AS captured_ms,
                   first_seen_ms, last_seen_ms, plate_norm, plate_text, confidence, candidate_texts, candidate_confidences,
                   state, state_confidence, frames_seen, has_image, toString(toUnixTimestamp(held_until)) AS held_until_s,
                   toString(toUnixTimestamp(${EXPIRES_AT_SQL})) AS expires_s
            FROM reads
            WHERE ${[...where, ...shared].join(' AND ')}
            ORDER BY captured_at ${dir}, id ${dir}
            LIMIT 1 BY id
            LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    query_params: { ...params, limit: q.limit, offset: q.offset, pairs: q.offset + q.limit + (q.after ? 100 : 0) },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Row>();
  const locations = await locationsById(client, [...new Set(rows.map((r) => r.location_id))]);
  return rows.map((r) => toStoredRead(r, locations.get(r.location_id) ?? null, plates?.get(r.plate_norm) ?? null, q));
}

function toStoredRead(r: Row, location: StoredRead['location'], resolved: Match | null, q: ReadSearch): StoredRead {
  const captured = Number(r.captured_ms);
  const heldUntil = Number(r.held_until_s);
  const iso = (ms: number) => new Date(ms).toISOString();
  let match: Match | null = resolved;
  if (!match && q.plate !== undefined) match = { kind: 'exact', term: r.plate_norm, distance: 0 };
  return {
    id: r.id,
    siteId: r.site_id,
    cameraId: r.camera_id,
    capturedAt: iso(captured),
    firstSeenAt: iso(captured - r.first_seen_ms),
    lastSeenAt: iso(captured + r.last_seen_ms),
    plate: r.plate_text || r.plate_norm,
    plateNorm: r.plate_norm,
    confidence: r.confidence,
    candidates: r.candidate_texts.map((text, i) => ({ text, confidence: r.candidate_confidences[i] ?? 0 })),
    state: r.state || null,
    stateConfidence: r.state_confidence,
    location,
    framesSeen: r.frames_seen,
    hasImage: r.has_image,
    heldUntil: heldUntil > 0 ? iso(heldUntil * 1000) : null,
    expiresAt: iso(Number(r.expires_s) * 1000),
    match,
  };
}
