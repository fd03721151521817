import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema, silentLogger, type PlateRead } from '../../contracts/index.ts';
import {
  getPlateImage,
  insertReads,
  loadMigrations,
  migrate,
  readRow,
  searchReads,
  SearchTooBroadError,
  type ReadSearch,
} from '../../store/index.ts';
import { makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';

let store: Awaited<ReturnType<typeof startTestStore>>;
const parse = (over = {}): PlateRead => plateReadSchema.parse(makeRead(over));
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const HOUR = 3600_000;
const search = (q: Partial<ReadSearch>) => searchReads(store.client, { limit: 100, offset: 0, ...q }, 30);
const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

const pensacola = { lat: 30.4213, lon: -87.2169, description: 'Pensacola, Palafox St' };
const miami = { lat: 25.7617, lon: -80.1918, description: 'Miami, Biscayne Blvd' };

const r = {
  exact1: parse({ plate: 'FLA-1234', cameraId: 'cam-a', capturedAt: ago(3 * HOUR) }),
  exact2: parse({ plate: 'FLA1234', cameraId: 'cam-b', capturedAt: ago(HOUR), location: miami, state: 'GA' }),
  other: parse({ plate: 'XYZ9876', cameraId: 'cam-a', capturedAt: ago(2 * HOUR) }),
  confusable: parse({ plate: 'B0Z1234', cameraId: 'cam-a', capturedAt: ago(4 * HOUR), candidates: [{ text: 'RUN1NER', confidence: 0.2 }] }),
  infix: parse({ plate: '7AB1234', cameraId: 'cam-c', capturedAt: ago(5 * HOUR), location: pensacola }),
  image: parse({ plate: 'IMG0001', cropJpeg: smallJpegBase64() }),
};

beforeAll(async () => {
  store = await startTestStore();
  await insertReads(store.client, Object.values(r));
});
afterAll(async () => store?.stop());

describe('store on the real ClickHouse engine (chDB)', () => {
  it('applies migrations once and refuses an edited one', async () => {
    expect(await migrate(store.client, silentLogger)).toEqual([]);
    const edited = loadMigrations().map((m) => ({ ...m, checksum: 'changed' }));
    await expect(migrate(store.client, silentLogger, edited)).rejects.toThrow(/changed after it was applied/);
  });

  it('finds an exact plate in normalised form, newest first, with its location', async () => {
    const rows = await search({ plate: 'fla 1234' });
    expect(rows.map((x) => x.id)).toEqual([r.exact2.id, r.exact1.id]);
    expect(rows[0]).toMatchObject({
      plate: 'FLA1234',
      cameraId: 'cam-b',
      state: 'GA',
      location: { description: miami.description },
      match: { kind: 'exact' },
    });
    expect(rows[1]!.plate).toBe('FLA-1234'); // the text as read is kept when it differs
    expect(rows[0]!.expiresAt > new Date(Date.now() + 29 * 24 * HOUR).toISOString()).toBe(true);
  });

  it('narrows by camera, time range, state, and pages', async () => {
    expect(ids(await search({ plate: 'FLA1234', cameras: ['cam-a'] }))).toEqual([r.exact1.id]);
    expect(ids(await search({ plate: 'FLA1234', from: new Date(Date.now() - 2 * HOUR) }))).toEqual([r.exact2.id]);
    expect(ids(await search({ plate: 'FLA1234', state: 'GA' }))).toEqual([r.exact2.id]);
    expect((await search({ plate: 'FLA1234', limit: 1, offset: 1 })).map((x) => x.id)).toEqual([r.exact1.id]);
    expect(ids(await search({ order: 'oldest', cameras: ['cam-a'], from: new Date(Date.now() - 10 * HOUR) }))).toEqual(
      ids([r.exact1, r.other, r.confusable]),
    );
  });

  it('matches partial plates with wildcards', async () => {
    expect(ids(await search({ pattern: 'FL?12*' }))).toEqual(ids([r.exact1, r.exact2]));
    expect(ids(await search({ pattern: '*1234*' }))).toEqual(ids([r.exact1, r.exact2, r.confusable, r.infix]));
    expect(ids(await search({ pattern: '?AB1234' }))).toEqual([r.infix.id]);
    expect((await search({ pattern: '*AB1*' }))[0]!.match).toMatchObject({ kind: 'wildcard', term: '7AB1234' });
  });

  it('matches through OCR confusions and one edit, ranked by distance', async () => {
    const hits = await search({ fuzzy: '8OZ1234', maxEdits: 0 });
    expect(ids(hits)).toEqual([r.confusable.id]);
    expect(hits[0]!.match).toMatchObject({ kind: 'fuzzy', term: 'B0Z1234' });
    expect(ids(await search({ fuzzy: 'FLA123', maxEdits: 1 }))).toEqual(ids([r.exact1, r.exact2]));
    expect(await search({ fuzzy: 'FLA12', maxEdits: 1 })).toEqual([]);
  });

  it('finds reads by their runner-up candidates only when asked', async () => {
    expect(await search({ plate: 'RUN1NER' })).toEqual([]);
    const hits = await search({ plate: 'RUN1NER', candidates: true });
    expect(hits.map((x) => x.id)).toEqual([r.confusable.id]);
    expect(hits[0]!.match).toMatchObject({ kind: 'candidate', term: 'RUN1NER' });
  });

  it('searches a geographic box and a radius', async () => {
    const box = { south: 30, west: -88, north: 31, east: -87 };
    expect(ids(await search({ box, pattern: '*1234' }))).toEqual([r.infix.id]);
    expect(ids(await search({ near: { lat: 25.76, lon: -80.19, radiusM: 2000 } }))).toEqual([r.exact2.id]);
    expect(await search({ near: { lat: 0, lon: 0, radiusM: 1000 } })).toEqual([]);
  });

  it('refuses a wildcard that would match the whole file', async () => {
    await expect(search({ pattern: '*1*' })).rejects.toThrow(/two known characters/);
    const many = Array.from({ length: 5100 }, (_, i) => parse({ plate: `ZZ${String(i).padStart(5, '0')}` }));
    await insertReads(store.client, many);
    await expect(search({ pattern: 'ZZ*' })).rejects.toBeInstanceOf(SearchTooBroadError);
  });

  it('keeps one read for a read inserted twice (JetStream redelivery)', async () => {
    const dup = parse({ plate: 'DUP0001' });
    await insertReads(store.client, [dup]);
    await insertReads(store.client, [dup]);
    expect(await search({ plate: 'DUP0001' })).toHaveLength(1);
    expect(await search({ pattern: 'DUP00*' })).toHaveLength(1);
  });

  it('stores the plate image with its read', async () => {
    const [found] = await search({ plate: 'IMG0001' });
    expect(found!.hasImage).toBe(true);
    const img = await getPlateImage(store.client, r.image.id, 30);
    expect(img!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('binds hostile input as data, never as SQL', async () => {
    expect(await search({ plate: "X' OR 1=1 --", cameras: ["a') OR ('1'='1"] })).toEqual([]);
    expect(await search({ fuzzy: "'; DROP TABLE reads; --" })).toEqual([]);
    expect((await search({ plate: 'FLA1234' })).length).toBe(2);
  });

  it('pages a broad search over reads years apart, newest or oldest first', async () => {
    // Held reads over three years (a hold is what keeps a read that long).
    const spread = [0, 100, 400, 500, 800].map((days, i) =>
      parse({ plate: `YRW${i}000`, cameraId: 'cam-y', capturedAt: ago(days * 24 * HOUR + HOUR) }),
    );
    const heldUntil = Math.floor(Date.now() / 1000) + 86_400;
    await store.client.insert({
      table: 'reads',
      values: spread.map((x) => ({ ...readRow(x), held_until: heldUntil })),
      format: 'JSONEachRow',
    });
    const pages = async () => {
      const out: string[][] = [];
      for (const order of ['newest', 'oldest'] as const) {
        for (const [limit, offset] of [
          [2, 0],
          [2, 1],
          [3, 3],
          [10, 0],
        ] as const) {
          out.push((await search({ pattern: 'YRW*', order, limit, offset })).map((x) => x.id));
        }
      }
      return out;
    };
    const ids = spread.map((x) => x.id); // newest first
    const oldest = [...ids].reverse();
    expect(await pages()).toEqual([
      ids.slice(0, 2),
      ids.slice(1, 3),
      ids.slice(3, 5),
      ids,
      oldest.slice(0, 2),
      oldest.slice(1, 3),
      oldest.slice(3, 5),
      oldest,
    ]);
  });

  it('gives each result its camera location, also where there are more locations than it caches', async () => {
    // 10,001 other locations: past the cache's size, so the location of a new read is looked up by id.
    await store.client.command({
      query: `INSERT INTO camera_locations SELECT number + 1, 'cam-filler', 0, 0, 'filler', 'N', now64(3) FROM numbers(10001)`,
    });
    const here = { lat: 27.95, lon: -82.46, description: 'Tampa, I-275 at exit 45' };
    await insertReads(store.client, [parse({ plate: 'LOC1234', cameraId: 'cam-loc', location: here })]);
    const [row] = await search({ plate: 'LOC1234' });
    expect(row?.location).toMatchObject(here);
    expect((await search({ plate: 'FLA1234' }))[0]?.location).toMatchObject({ description: miami.description });
  });

  it('merges a partition nobody writes to any more into one part in the background', async () => {
    // Migration 070 asks ClickHouse to merge a partition whole once it has been quiet for 10
    // minutes; this store shortens the wait to a second so that the merge can be watched.
    // Two years back: closed, and still within what a case hold may keep. The plate index is
    // one partition ('all', migration 110): quiet, it is merged whole.
    const year = new Date().getUTCFullYear() - 2;
    const parts = async () => {
      const rs = await store.client.query({
        query: `SELECT table, count() AS n FROM system.parts WHERE active AND database = currentDatabase()
                  AND ((table = 'reads' AND partition_id = {year:String}) OR table = 'reads_by_plate') GROUP BY table ORDER BY table`,
        query_params: { year: String(year) },
        format: 'JSONEachRow',
      });
      return Object.fromEntries((await rs.json<{ table: string; n: string }>()).map((x) => [x.table, Number(x.n)]));
    };
    const ddl = async (table: string) =>
      (
        await (
          await store.client.query({
            query: 'SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
            query_params: { t: table },
            format: 'JSONEachRow',
          })
        ).json<{ q: string }>()
      )[0]!.q;
    for (const table of ['reads', 'reads_by_plate']) {
      expect(await ddl(table)).toMatch(/min_age_to_force_merge_seconds = 600, min_age_to_force_merge_on_partition_only = 1/);
    }
    // Held reads of that January, inserted in three batches: three parts in each table.
    const heldUntil = Math.floor(Date.now() / 1000) + 86_400;
    for (let i = 0; i < 3; i++) {
      const old = parse({ plate: `OLD${i}000`, cameraId: 'cam-o', capturedAt: new Date(Date.UTC(year, 0, 10 + i)).toISOString() });
      await store.client.insert({ table: 'reads', values: [{ ...readRow(old), held_until: heldUntil }], format: 'JSONEachRow' });
    }
    const before = await parts();
    expect(before.reads).toBeGreaterThanOrEqual(3); // the year may hold earlier tests' reads too
    expect(before.reads_by_plate).toBeGreaterThanOrEqual(3);
    for (const table of ['reads', 'reads_by_plate']) {
      await store.client.command({ query: `ALTER TABLE ${table} MODIFY SETTING min_age_to_force_merge_seconds = 1` });
    }
    await until(async () => JSON.stringify(await parts()) === JSON.stringify({ reads: 1, reads_by_plate: 1 }), {
      ms: 60_000,
      what: 'the quiet partitions merged',
    });
    expect((await search({ pattern: 'OLD*', limit: 10 })).map((x) => x.plate).sort()).toEqual(['OLD0000', 'OLD1000', 'OLD2000']);
    // Migration 090: reads in yearly partitions of compact parts, whatever their size.
    const [merged] = await (
      await store.client.query({
        query: `SELECT partition_id, part_type FROM system.parts WHERE active AND database = currentDatabase() AND table = 'reads' AND partition_id = {year:String}`,
        query_params: { year: String(year) },
        format: 'JSONEachRow',
      })
    ).json<{ partition_id: string; part_type: string }>();
    expect(merged).toEqual({ partition_id: String(year), part_type: 'Compact' });
  }, 90_000);
});
