import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { plateReadSchema, silentLogger, type PlateRead } from '../../contracts/index.ts';
import { createClickHouseClient, insertReads, loadMigrations, migrate, searchReads } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { tempDir } from '../helpers/nats.ts';

/**
 * A store written under the first reads layout (sorted by plate, plate_terms) is carried over
 * by 060_reads_by_camera and the layouts after it (090 reads by year, 110 the plate index in
 * one run): every read, its hold, and every search form still finds it.
 */
const dir = tempDir('store');
const client = await createClickHouseClient({ kind: 'embedded', path: dir }, dir);
afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});
const ago = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const reads: PlateRead[] = [
  plateReadSchema.parse(makeRead({ plate: 'MIG1234', cameraId: 'cam-a', capturedAt: ago(1) })),
  plateReadSchema.parse(makeRead({ plate: 'MIG1234', cameraId: 'cam-b', capturedAt: ago(2) })),
  plateReadSchema.parse(
    makeRead({
      plate: 'OLD5678',
      cameraId: 'cam-a',
      capturedAt: ago(3),
      confidence: 0.29,
      stateConfidence: 0.57,
      candidates: [{ text: 'OLD5679', confidence: 0.29 }],
    }),
  ),
];
const search = (q: object) => searchReads(client, { limit: 100, offset: 0, ...q }, 30);
const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe('migration of the reads layout', () => {
  it('copies reads, holds and plate terms into the camera-sorted layout', async () => {
    await migrate(
      client,
      silentLogger,
      loadMigrations().filter((m) => m.version < 60),
    );
    await insertReads(client, reads);
    // A case hold as the first layout's code placed it.
    await client.command({
      query: 'ALTER TABLE reads UPDATE held_until = addYears(toDateTime(captured_at), 3) WHERE id = {id:UUID}',
      query_params: { id: reads[1]!.id },
      clickhouse_settings: { mutations_sync: '2' },
    });

    expect(await migrate(client, silentLogger)).toEqual(expect.arrayContaining(['060_reads_by_camera.sql']));
    const tables = await (
      await client.query({
        query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%reads%' OR name LIKE 'plate%'",
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    expect(tables.map((t) => t.name)).not.toContain('plate_terms');
    expect(tables.map((t) => t.name)).not.toContain('reads_v1_retired');
    expect(tables.map((t) => t.name)).not.toContain('reads_by_plate_retired');
    // 110: the plate index is one sorted run, no longer partitioned by year.
    const [index] = await (
      await client.query({
        query: "SELECT partition_key FROM system.tables WHERE database = currentDatabase() AND name = 'reads_by_plate'",
        format: 'JSONEachRow',
      })
    ).json<{ partition_key: string }>();
    expect(index).toEqual({ partition_key: '' });

    expect(ids(await search({ plate: 'MIG1234' }))).toEqual(ids(reads.slice(0, 2)));
    expect((await search({ plate: 'MIG1234' })).find((r) => r.id === reads[1]!.id)!.heldUntil).not.toBeNull();
    expect(ids(await search({ pattern: 'MIG*' }))).toEqual(ids(reads.slice(0, 2)));
    expect(ids(await search({ fuzzy: '0LD5678' }))).toEqual([reads[2]!.id]);
    // Float32 confidences become exact hundredths (0.29 as a Float32 is 0.2899...).
    expect(await search({ plate: 'OLD5678' })).toMatchObject([
      { confidence: 0.29, stateConfidence: 0.57, candidates: [{ text: 'OLD5679', confidence: 0.29 }] },
    ]);
    expect(ids(await search({ plate: 'OLD5679', candidates: true }))).toEqual([reads[2]!.id]);
    expect(ids(await search({ cameras: ['cam-a'] }))).toEqual(ids([reads[0]!, reads[2]!]));

    // New reads go through the re-created views into the plate index as before.
    const fresh = plateReadSchema.parse(makeRead({ plate: 'MIG1234', cameraId: 'cam-c', capturedAt: ago(0.5) }));
    await insertReads(client, [fresh]);
    expect((await search({ pattern: '*G12*' }))[0]!.id).toBe(fresh.id);
    const [hourly] = await (await client.query({ query: 'SELECT count() AS n FROM reads_hourly', format: 'JSONEachRow' })).json<{
      n: string;
    }>();
    expect(Number(hourly!.n)).toBeGreaterThan(0);
  });
});
