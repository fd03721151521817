import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, plateReadSchema, silentLogger } from '../../contracts/index.ts';
import { getPlateImage, insertReads, loadMigrations, migrate, searchReads } from '../../store/index.ts';
import { makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';

const retention = configSchema.parse({}).retention;
let store: Awaited<ReturnType<typeof startTestStore>>;
const parse = (over = {}) => plateReadSchema.parse(makeRead(over));

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

describe('store on the real ClickHouse engine (chDB)', () => {
  it('applies migrations once and refuses an edited one', async () => {
    expect(await migrate(store.client, silentLogger)).toEqual([]);
    const edited = loadMigrations().map((m) => ({ ...m, checksum: 'changed' }));
    await expect(migrate(store.client, silentLogger, edited)).rejects.toThrow(/changed after it was applied/);
  });

  it('stores reads and finds them by exact plate, time range and camera', async () => {
    const now = Date.now();
    const a = parse({ plate: 'FLA-1234', cameraId: 'cam-a', capturedAt: new Date(now - 3600_000).toISOString() });
    const b = parse({ plate: 'FLA1234', cameraId: 'cam-b', capturedAt: new Date(now - 60_000).toISOString() });
    const c = parse({ plate: 'XYZ9876', cameraId: 'cam-a' });
    await insertReads(store.client, [a, b, c], retention, new Date());
    const byPlate = await searchReads(store.client, { plate: 'fla 1234', limit: 10, offset: 0 });
    expect(byPlate.map((r) => r.id)).toEqual([b.id, a.id]); // newest first
    expect(byPlate[0]).toMatchObject({ plateNorm: 'FLA1234', cameraId: 'cam-b', state: 'FL' });
    const byCamera = await searchReads(store.client, { plate: 'FLA1234', cameras: ['cam-a'], limit: 10, offset: 0 });
    expect(byCamera.map((r) => r.id)).toEqual([a.id]);
    const recent = await searchReads(store.client, { plate: 'FLA1234', from: new Date(now - 600_000), limit: 10, offset: 0 });
    expect(recent.map((r) => r.id)).toEqual([b.id]);
    const page2 = await searchReads(store.client, { plate: 'FLA1234', limit: 1, offset: 1 });
    expect(page2.map((r) => r.id)).toEqual([a.id]);
  });

  it('keeps one row for a read inserted twice (JetStream redelivery)', async () => {
    const r = parse({ plate: 'DUP0001' });
    await insertReads(store.client, [r], retention, new Date());
    await insertReads(store.client, [r], retention, new Date());
    expect(await searchReads(store.client, { plate: 'DUP0001', limit: 10, offset: 0 })).toHaveLength(1);
  });

  it('stores the plate image with its read', async () => {
    const jpeg = smallJpegBase64();
    const r = parse({ plate: 'IMG0001', cropJpeg: jpeg });
    await insertReads(store.client, [r], retention, new Date());
    const [found] = await searchReads(store.client, { plate: 'IMG0001', limit: 1, offset: 0 });
    expect(found!.hasImage).toBe(true);
    const img = await getPlateImage(store.client, r.id);
    expect(img!.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('purges reads and images whose retention ended, through the TTL', async () => {
    const old = parse({ plate: 'OLD0001', cropJpeg: smallJpegBase64(), capturedAt: new Date(Date.now() - 31 * 86_400_000).toISOString() });
    const fresh = parse({ plate: 'OLD0001', cropJpeg: smallJpegBase64(), capturedAt: new Date(Date.now() - 29 * 86_400_000).toISOString() });
    await insertReads(store.client, [old, fresh], retention, new Date());
    await store.client.command({ query: 'OPTIMIZE TABLE reads FINAL' });
    await store.client.command({ query: 'OPTIMIZE TABLE plate_images FINAL' });
    const raw = await store.client.query({ query: "SELECT id FROM reads WHERE plate_norm = 'OLD0001'", format: 'JSONEachRow' });
    expect((await raw.json<{ id: string }>()).map((r) => r.id)).toEqual([fresh.id]);
    const imgs = await store.client.query({ query: 'SELECT read_id FROM plate_images', format: 'JSONEachRow' });
    const ids = (await imgs.json<{ read_id: string }>()).map((r) => r.read_id);
    expect(ids).toContain(fresh.id);
    expect(ids).not.toContain(old.id);
  });

  it('binds hostile input as data, never as SQL', async () => {
    const rows = await searchReads(store.client, { plate: "X' OR 1=1 --", cameras: ["a') OR ('1'='1"], limit: 10, offset: 0 });
    expect(rows).toEqual([]);
  });
});
