/**
 * Store benchmark: `npm run bench -- store [--rows N] [--ingest M] [--queries Q] [--settle S]`.
 *
 * Synthetic reads over 3 years and 500 cameras. `--ingest` of them (default 5 million, at most
 * --rows) go the real way, published to JetStream and written by the store writer, and give
 * ingestRowsPerSec; the rest are bulk-loaded with INSERT … SELECT. Then each search form runs
 * --queries times against random targets and reports its p95, and bytesPerRead sums every
 * table, projection and index on disk except plate images. Before ingest and before the
 * searches the store is let settle as it would in service: S seconds (default 630) after its
 * youngest part was written, quiet parts have been merged whole; 0 skips the wait. As in the
 * core service, the search tables are locked in memory (storage.pinSearchTablesMiB: auto).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  configSchema,
  consumers,
  pinBudgetBytes,
  ensureStreams,
  jetstream,
  newReadId,
  publishRead,
  silentLogger,
  streams,
  type PlateReadInput,
} from '../../contracts/index.ts';
import {
  applyRetentionSettings,
  PINNED_SEARCH_TABLES,
  searchReads,
  startPartPinner,
  startSearchWarmer,
  startStoreWriter,
  STORE_WRITER_V8_FLAGS,
  type ReadSearch,
} from '../../store/index.ts';
import { startNats, tempDir } from '../helpers/nats.ts';
import { startTestStore } from '../helpers/store.ts';
import { numericFlags, percentile, round } from './_args.ts';
import { procSample, threadCpuByName } from './_cpu.ts';

const CAMERAS = 500;
const YEAR_MS = 365.25 * 86_400_000;
/** The tables searches read, whose parts the bench waits on and reports. */
const SEARCH_TABLES = `(${PINNED_SEARCH_TABLES.map((t) => `'${t}'`).join(', ')})`;
const STATES = ['FL', 'FL', 'FL', 'FL', 'FL', 'FL', 'FL', 'GA', 'AL', 'NY', 'TX', 'NC', 'SC', 'TN', 'OH', 'PA'];

/** Plate number p as text: scrambled over all 175,760,000 plates of the form ABC1234 (a bijection),
 * then three letters and four digits; the same mapping as the SQL below. */
function plateOf(p: number): string {
  const s = Number((BigInt(p) * 2654435761n) % 175_760_000n);
  const l = (k: number) => String.fromCharCode(65 + (Math.floor(s / k) % 26));
  return l(1) + l(26) + l(676) + String(Math.floor(s / 17_576) % 10_000).padStart(4, '0');
}
/** Read ids as the pipeline issues them (contracts/read-id.ts): capture millisecond, camera tag,
 * counter. The counter here runs over all cameras, so a camera's consecutive ids differ more than
 * a camera worker's own would: if anything, ids cost more bytes here than in service. */
const READ_ID_SQL = `reinterpretAsUUID(concat(reinterpretAsFixedString(bitOr(bitShiftLeft(toUInt64(toUnixTimestamp64Milli(ts)), 16), 0x7000)),
  reinterpretAsFixedString(bitOr(bitOr(toUInt64(9223372036854775808), bitShiftLeft(toUInt64(cityHash64('cam', cam) % 1073741824), 32)), number % 4294967296))))`;
const PLATE_SQL = `concat(char(65 + s % 26), char(65 + intDiv(s, 26) % 26), char(65 + intDiv(s, 676) % 26), leftPad(toString(intDiv(s, 17576) % 10000), 4, '0'))`;

/** The store writer runs with the core service's V8 flags (store/writer.ts). */
export const v8Flags = STORE_WRITER_V8_FLAGS;

export async function run(argv: string[]) {
  const flags = numericFlags(argv, { rows: 100_000_000, ingest: 5_000_000, queries: 50, chunk: 10_000_000, settle: 630 });
  const rows = Math.floor(flags.rows);
  const ingest = Math.min(Math.floor(flags.ingest), rows);
  const plates = Math.max(1000, Math.floor(rows / 8)); // a plate passes about 8 times in 3 years
  const log = (msg: string, extra: Record<string, unknown> = {}) =>
    console.error(JSON.stringify({ t: new Date().toISOString(), msg, ...extra }));

  const nats = await startNats();
  const nc = await nats.connect('bench');
  await ensureStreams(nc, { ...configSchema.parse({}).nats, readsMaxBytes: 16 * 1024 ** 3 });
  const store = await startTestStore();
  const { client } = store;
  // As in the core service (appliance/core.ts): the search tables locked in memory on the default
  // budget, following the bulk load's and the writer's merges.
  const pinner = startPartPinner({ client, logger: silentLogger, maxBytes: pinBudgetBytes(configSchema.parse({}).storage, totalmem()) });
  // Reads span 3 years: the bench keeps them all (the tactical window set to its ceiling).
  const retention = { tacticalDays: 1095, holdMaxYears: 3 };
  await applyRetentionSettings(client, retention, silentLogger);
  // As in the core too: a search whenever none has run for 5 s. It runs through the bulk load, the
  // ingest and the settling, as it would in service (~20 ms of a core every 5 s), and never between
  // the timed searches, which follow each other without pause.
  const warmer = startSearchWarmer({ client, logger: silentLogger, tacticalDays: retention.tacticalDays });
  const now = Date.now();
  const start = now - 3 * YEAR_MS + 2 * 86_400_000;
  const span = 3 * YEAR_MS - 4 * 86_400_000;

  // Camera locations: one per camera, spread over Florida.
  await client.command({
    query: `INSERT INTO camera_locations SELECT cityHash64('loc', number), concat('cam-', toString(number)),
              25 + (number % 50) / 10, -87 + intDiv(number, 50) / 2.5, concat('Road ', toString(number)), 'N', now64(3)
            FROM numbers(${CAMERAS})`,
  });

  // 1. Bulk load: everything that does not go through JetStream.
  const bulk = rows - ingest;
  const tBulk = performance.now();
  for (let offset = 0; offset < bulk; offset += flags.chunk) {
    const n = Math.min(flags.chunk, bulk - offset);
    await client.command({
      query: `INSERT INTO reads (id, site_id, camera_id, location_id, captured_at, first_seen_ms, last_seen_ms, plate_norm, plate_text,
                                 confidence, candidate_texts, candidate_confidences, state, state_confidence, frames_seen, has_image)
              SELECT ${READ_ID_SQL}, 'site-1', concat('cam-', toString(cam)), cityHash64('loc', cam), ts,
                     200 + cityHash64(number, 4) % 800, 200 + cityHash64(number, 5) % 800, plate, '',
                     round(0.7 + (cityHash64(number, 6) % 30) / 100, 2),
                     if(cityHash64(number, 7) % 10 < 3, [concat(substring(plate, 1, 6), toString((toUInt8(substring(plate, 7, 1)) + 1) % 10))], []),
                     if(cityHash64(number, 7) % 10 < 3, [0.1], []),
                     {states:Array(String)}[1 + cityHash64(number, 8) % length({states:Array(String)})],
                     round(0.5 + (cityHash64(number, 9) % 50) / 100, 2), 3 + cityHash64(number, 10) % 20, false
              FROM (SELECT number, cityHash64(number, 1) % ${CAMERAS} AS cam, cityHash64(number, 2) % {plates:UInt64} AS p, (p * 2654435761) % 175760000 AS s, ${PLATE_SQL} AS plate,
                           fromUnixTimestamp64Milli(toInt64({start:Float64} + number * {step:Float64} + cityHash64(number, 3) % 60000)) AS ts
                    FROM numbers({offset:UInt64}, {n:UInt64}))`,
      query_params: { start, step: span / rows, states: STATES, plates, offset, n },
      clickhouse_settings: { max_insert_threads: '2' },
    });
    log('bulk loaded', { rows: offset + n, of: bulk });
  }
  const bulkSeconds = (performance.now() - tBulk) / 1000;

  // The store as it stands in service, not straight after millions of reads in a few minutes
  // (no site writes that fast): merges settled, and the age after which quiet parts are merged
  // whole (store/migrations/070: 10 minutes) waited out from the youngest part's write
  // (merges included), then long enough for an idle merge selector (it backs off for up to a
  // minute) to have picked those merges up. Before ingest, so that the bulk load's merges do not
  // run beside the writer being timed; before the searches, so that they see a settled layout.
  const mergesSettled = async (quietSeconds: number) => {
    for (let i = 0, quiet = 0; i < 1800 && quiet < quietSeconds; i++) {
      const rs = await client.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' });
      quiet = Number((await rs.json<{ n: string }>())[0]!.n) === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const settle = async (before: string) => {
    await mergesSettled(1);
    if (flags.settle <= 0) return;
    const rs = await client.query({
      query: `SELECT toUnixTimestamp(max(modification_time)) AS t FROM system.parts
              WHERE active AND database = currentDatabase() AND table IN ${SEARCH_TABLES}`,
      format: 'JSONEachRow',
    });
    const youngest = Number((await rs.json<{ t: string }>())[0]!.t) * 1000;
    const quietMs = youngest + flags.settle * 1000 - Date.now();
    log(`waiting for quiet parts to be merged before ${before}`, { seconds: Math.round(Math.max(0, quietMs) / 1000) });
    if (quietMs > 0) await new Promise((r) => setTimeout(r, quietMs));
    await mergesSettled(150);
  };
  if (bulk > 0) await settle('ingest');

  // 2. The real path: publish to JetStream (not timed), then time the store writer draining it.
  const js = jetstream(nc);
  const tPub = performance.now();
  const window: Promise<unknown>[] = [];
  for (let i = 0; i < ingest; i++) {
    const p = (i * 7919) % plates;
    const cam = i % CAMERAS;
    const at = new Date(now - 20 * 86_400_000 + (i / ingest) * 19 * 86_400_000).toISOString();
    const read: PlateReadInput = {
      id: newReadId(`cam-${cam}`, Date.parse(at)),
      siteId: 'site-1',
      cameraId: `cam-${cam}`,
      capturedAt: at,
      firstSeenAt: at,
      lastSeenAt: at,
      plate: plateOf(p),
      confidence: 0.91,
      candidates: i % 3 === 0 ? [{ text: plateOf(p + 1), confidence: 0.05 }] : [],
      state: 'FL',
      stateConfidence: 0.8,
      location: { lat: 25 + (cam % 50) / 10, lon: -87 + Math.floor(cam / 50) / 2.5, description: `Road ${cam}` },
      direction: 'N',
      framesSeen: 6,
    };
    window.push(publishRead(js, read));
    if (window.length >= 10_000) await Promise.all(window.splice(0));
    if (i && i % 500_000 === 0) log('published', { reads: i });
  }
  await Promise.all(window);
  const publishPerSec = ingest / ((performance.now() - tPub) / 1000);
  log('published all', { reads: ingest, perSec: Math.round(publishPerSec) });

  const tIngest = performance.now();
  const natsCpu0 = procSample(nats.process.pid!)?.cpuS ?? NaN;
  const threadCpu0 = threadCpuByName();
  const writer = await startStoreWriter({ nc, client, logger: silentLogger });
  const jsm = await jetstreamManager(nc);
  for (;;) {
    const info = await jsm.consumers.info(streams.reads, consumers.storeWriter);
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ingestSeconds = (performance.now() - tIngest) / 1000;
  // Where a read's CPU went while the writer drained JetStream (µs per read): the writer's own
  // JavaScript (main), chDB inserting (node: libuv threads; ThreadPool) and merging, nats-server.
  const ingestCpuUsPerRead: Record<string, number> = {
    natsServer: round((((procSample(nats.process.pid!)?.cpuS ?? NaN) - natsCpu0) * 1e6) / ingest),
  };
  for (const [name, s] of threadCpuByName()) {
    const us = ((s - (threadCpu0.get(name) ?? 0)) * 1e6) / ingest;
    if (us >= 0.05) ingestCpuUsPerRead[name] = round(us);
  }
  await writer.stop();
  log('ingested', { reads: ingest, seconds: round(ingestSeconds), cpuUsPerRead: ingestCpuUsPerRead });
  await settle('the searches');

  const partsAtQueryTime = await (
    await client.query({
      query: `SELECT table, count() AS parts, sum(rows) AS rows FROM system.parts WHERE active AND database = currentDatabase()
            AND table IN ${SEARCH_TABLES} GROUP BY table ORDER BY table`,
      format: 'JSONEachRow',
    })
  ).json();
  log('parts at query time', { parts: partsAtQueryTime });
  await pinner.sync();
  log('search tables pinned', { pinned: pinner.stats(), warmer: warmer.stats() });

  // 3. Searches, each against random targets.
  const rand = (n: number) => Math.floor(Math.random() * n);
  // Each form's slowest samples and the bytes this process read from disk (not the page cache)
  // meanwhile: a slow tail with disk reads is the page cache, without them the engine.
  const timeQueries = async (form: string, make: () => Partial<ReadSearch>) => {
    const samples: number[] = [];
    let hits = 0;
    const disk0 = diskReadBytes();
    const faults0 = pageFaults();
    for (let i = 0; i < flags.queries; i++) {
      const q = make();
      const t = performance.now();
      hits += (await searchReads(client, { limit: 100, offset: 0, ...q }, retention.tacticalDays)).length;
      samples.push(performance.now() - t);
    }
    log('searched', {
      form,
      p50: round(percentile(samples, 50)),
      slowest: [...samples]
        .sort((a, b) => b - a)
        .slice(0, 5)
        .map((x) => round(x)),
      diskReadKiBPerQuery: round((diskReadBytes() - disk0) / 1024 / flags.queries),
      first3: samples.slice(0, 3).map((x) => round(x)),
      pageFaultsPerQuery: Object.fromEntries(
        Object.entries(pageFaults()).map(([k, v]) => [k, round((v - faults0[k as keyof typeof faults0]) / flags.queries)]),
      ),
    });
    return { p95: round(percentile(samples, 95)), meanHits: round(hits / flags.queries) };
  };
  const plateSample = () => plateOf(rand(plates));
  const exact = await timeQueries('exact', () => ({ plate: plateSample() }));
  const prefix = await timeQueries('prefix', () => {
    const p = plateSample();
    return { pattern: `${p.slice(0, 2)}?${p[3]}*` };
  });
  const infix = await timeQueries('infix', () => ({ pattern: `*${String(rand(10_000)).padStart(4, '0')}*` }));
  const single = await timeQueries('single', () => {
    const p = plateSample();
    return { pattern: `${p[0]}?${p.slice(2)}` };
  });
  const fuzzy = await timeQueries('fuzzy', () => {
    const p = plateSample();
    const i = 3 + rand(4);
    return { fuzzy: p.slice(0, i) + String((Number(p[i]) + 1) % 10) + p.slice(i + 1), maxEdits: 1 };
  });
  const cameraDay = await timeQueries('cameraDay', () => {
    const day = Math.floor((start + rand(Math.floor(span / 86_400_000) - 1) * 86_400_000) / 86_400_000) * 86_400_000;
    return { cameras: [`cam-${rand(CAMERAS)}`], from: new Date(day), to: new Date(day + 86_400_000) };
  });

  // The page cache's residency only now: fincore is a child process, and forking this process
  // write-protects all its memory for copy-on-write, so the next searches each pay thousands of
  // page faults and take several times as long. The core forks no child while it serves; a bench
  // that did so right before timing would measure itself.
  log('search tables in the page cache', { tables: await pageCacheResidency(client) });

  const bytes = async (q: string) =>
    Number((await (await client.query({ query: q, format: 'JSONEachRow' })).json<{ b: string }>())[0]?.b ?? 0);
  const partBytes = await bytes(
    `SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE active AND database = currentDatabase() AND table != 'plate_images'`,
  );
  // (No projections since 060_reads_by_camera; still counted, should one return.)
  const projectionBytes = await bytes(
    `SELECT sum(bytes_on_disk) AS b FROM system.projection_parts WHERE active AND database = currentDatabase()`,
  );
  const tableBytes = await (
    await client.query({
      query: `SELECT table, sum(bytes_on_disk) AS b, sum(rows) AS rows, count() AS parts FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY b DESC`,
      format: 'JSONEachRow',
    })
  ).json();
  // Per column only where ClickHouse counts it: compact parts (reads since 090) keep every column in one file.
  const columnBytes = await (
    await client.query({
      query: `SELECT table, name, data_compressed_bytes AS b, round(data_compressed_bytes / ${rows}, 2) AS perRead FROM system.columns
            WHERE database = currentDatabase() AND table IN ('reads', 'reads_by_plate') AND data_compressed_bytes > 0 ORDER BY table, b DESC`,
      format: 'JSONEachRow',
    })
  ).json();
  log('bytes by table', { tables: tableBytes, projectionBytes, columns: columnBytes });

  const pinned = pinner.stats();
  await pinner.stop();
  await warmer.stop();
  await nc.close();
  await nats.stop();
  await store.stop();
  rmSync(tempDir('x'), { recursive: true, force: true });

  return {
    rows,
    ingestedThroughJetStream: ingest,
    ingestRowsPerSec: Math.round(ingest / ingestSeconds),
    ingestCpuUsPerRead,
    bulkRowsPerSec: bulk ? Math.round(bulk / bulkSeconds) : null,
    exactP95Ms: exact.p95,
    wildcardP95Ms: Math.max(prefix.p95, infix.p95, single.p95),
    wildcard: { prefixP95Ms: prefix.p95, infixP95Ms: infix.p95, singleCharP95Ms: single.p95 },
    fuzzyP95Ms: fuzzy.p95,
    cameraDayP95Ms: cameraDay.p95,
    meanHits: {
      exact: exact.meanHits,
      prefix: prefix.meanHits,
      infix: infix.meanHits,
      single: single.meanHits,
      fuzzy: fuzzy.meanHits,
      cameraDay: cameraDay.meanHits,
    },
    bytesPerRead: round((partBytes + projectionBytes) / rows, 2),
    projectionBytesIncludedSeparately: projectionBytes,
    distinctPlates: plates,
    queriesPerForm: flags.queries,
    partsAtQueryTime,
    pinnedMiB: Math.round(pinned.pinnedBytes / 2 ** 20),
    pinWantedMiB: Math.round(pinned.wantedBytes / 2 ** 20),
  };
}

/** Bytes this process has had read from storage (page cache misses), from /proc/self/io. */
/** This process's page faults: minor ones cost tens of µs each on a VM, major ones a disk read. */
function pageFaults(): { minor: number; major: number } {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return { minor: Number(f[7]), major: Number(f[9]) };
}

function diskReadBytes(): number {
  const m = /^read_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** How much of each search table's active parts the page cache holds (util-linux fincore). */
async function pageCacheResidency(client: ClickHouseClient): Promise<Record<string, { mib: number; residentMib: number }>> {
  const parts = await (
    await client.query({
      query: `SELECT table, path FROM system.parts WHERE active AND database = currentDatabase() AND table IN ${SEARCH_TABLES}`,
      format: 'JSONEachRow',
    })
  ).json<{ table: string; path: string }>();
  const out: Record<string, { mib: number; residentMib: number }> = {};
  for (const { table, path } of parts) {
    const res = spawnSync('sh', ['-c', 'fincore --bytes --noheadings --raw --output RES,SIZE "$0"/*', path], { encoding: 'utf8' });
    const t = (out[table] ??= { mib: 0, residentMib: 0 });
    for (const line of res.stdout?.split('\n') ?? []) {
      const [resident, size] = line.trim().split(/\s+/).map(Number);
      if (!Number.isFinite(size)) continue;
      t.mib = round(t.mib + size! / 2 ** 20);
      t.residentMib = round(t.residentMib + resident! / 2 ** 20);
    }
  }
  return out;
}
