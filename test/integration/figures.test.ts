import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema, silentLogger } from '../../contracts/index.ts';
import { createDeploymentGate, type AuditLog } from '../../access/index.ts';
import { CameraSeries, metricsSeriesRoutes } from '../../server/routes/metrics-series.ts';
import { insertReads } from '../../store/index.ts';
import { evaluationReport } from '../../access/evaluation.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';

/**
 * The dashboard's figures against the real store (issue 31, point 6): hit figures bounded and
 * by capture time, the partial last bucket marked and not drawn as a dip, refused reads once.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
// Seven and a half minutes into a 15-minute bucket of the day's chart.
const now = new Date(Math.floor(Date.now() / 900_000) * 900_000 - 900_000 + 450_000);
const lastBucket = Math.floor(now.getTime() / 900_000) * 900_000;
const earlier = lastBucket - 3 * 900_000 + 60_000;

function alert(readId: string, plate: string, capturedAt: number, raisedAt: number, source = 'ncic') {
  return {
    id: crypto.randomUUID(),
    raised_at: raisedAt,
    stored_at: raisedAt,
    captured_at: capturedAt,
    camera_id: 'cam-1',
    read_id: readId,
    plate,
    source,
    record_id: `${source}-${plate}`,
    category: 'stolen_vehicle',
    match_kind: 'exact',
    score: 1,
    stale: false,
    historical: raisedAt - capturedAt > 300_000,
    payload: '{}',
  };
}

beforeAll(async () => {
  store = await startTestStore();
  // An earlier bucket: 4 reads of 3 plates. The first read is on two lists; plate C is added to
  // a list "now" and hits its old read (a historical hit raised in the last bucket).
  const at = (ms: number) => new Date(ms).toISOString();
  const early = ['AAA111', 'AAA111', 'BBB222', 'CCC333'].map((plate, k) => makeRead({ plate, capturedAt: at(earlier + k * 1000) }));
  // The last, partial bucket: 30 reads in the 7.5 minutes that have passed, 4 a minute.
  const late = Array.from({ length: 30 }, (_, k) => makeRead({ plate: `LATE${k}`, capturedAt: at(lastBucket + k * 14_000) }));
  // Two buckets before: a further pass of AAA111, which joined its alert as a sighting (one
  // alert per encounter) rather than raising another.
  const again = makeRead({ plate: 'AAA111', capturedAt: at(earlier - 900_000) });
  await insertReads(
    store.client,
    [...early, ...late, again].map((r) => plateReadSchema.parse(r)),
  );
  await store.client.insert({
    table: 'alert_sightings',
    values: [
      {
        alert_id: crypto.randomUUID(),
        hit_id: crypto.randomUUID(),
        read_id: again.id,
        camera_id: 'cam-1',
        captured_at: earlier - 900_000,
        raised_at: earlier - 899_000,
        plate: 'AAA111',
        place: '',
      },
    ],
    format: 'JSONEachRow',
  });
  const [a, , , c] = early;
  await store.client.insert({
    table: 'alerts',
    values: [
      alert(a!.id, 'AAA111', earlier, earlier + 100, 'ncic'),
      alert(a!.id, 'AAA111', earlier, earlier + 100, 'fcic'),
      alert(c!.id, 'CCC333', earlier + 3000, now.getTime() - 1000, 'agency'),
    ],
    format: 'JSONEachRow',
  });
});
afterAll(async () => store?.stop());

interface Series {
  t: number[];
  stepSeconds: number;
  partial: { index: number; since: number; elapsedShare: number } | null;
  reads: Record<string, (number | null)[]>;
  hits: { readsThatHit: number[]; alertsPerRead: (number | null)[]; platesHitPerPlateRead: (number | null)[] | null };
}
const series = async (range: string) => {
  const app = metricsSeriesRoutes({ client: store.client, series: new CameraSeries(), clock: () => now });
  return (await (await app.request(`/metrics/series?range=${range}`)).json()) as Series;
};

describe('hit figures', () => {
  it('are shares of the reads made in the bucket, by capture time, each between 0 and 1', async () => {
    const s = await series('24h');
    const i = s.t.indexOf((lastBucket - 3 * 900_000) / 1000);
    // Reads that raised an alert: 2 of 4 (the read on two lists counts once); plates: 2 of 3.
    expect(s.hits.readsThatHit[i]).toBe(2);
    expect(s.hits.alertsPerRead[i]).toBe(0.5);
    expect(s.hits.platesHitPerPlateRead![i]).toBeCloseTo(2 / 3, 6);
    // The sighting's bucket: no alert raised there, but its one plate matched a list.
    const j = s.t.indexOf((lastBucket - 4 * 900_000) / 1000);
    expect([s.hits.alertsPerRead[j], s.hits.platesHitPerPlateRead![j]]).toEqual([0, 1]);
    // The historical hit raised in the last bucket counts where its read was made, not there.
    expect(s.hits.alertsPerRead.at(-1)).toBe(0);
    for (const x of [...s.hits.alertsPerRead, ...s.hits.platesHitPerPlateRead!]) if (x !== null) expect(x).toBeGreaterThanOrEqual(0);
    for (const x of [...s.hits.alertsPerRead, ...s.hits.platesHitPerPlateRead!]) if (x !== null) expect(x).toBeLessThanOrEqual(1);
  });

  it('beyond the reads kept, come from the hourly counts of distinct hit reads', async () => {
    const s = await series('1y');
    expect(s.hits.platesHitPerPlateRead).toBeNull();
    const day = s.hits.readsThatHit.reduce((a, b) => a + b, 0);
    expect(day).toBe(2);
    expect(s.hits.alertsPerRead.every((x) => x === null || (x >= 0 && x <= 1))).toBe(true);
  });
});

describe('the last bucket', () => {
  it('is marked partial and its rate is over the minutes it covered', async () => {
    const s = await series('24h');
    expect(s.partial).toEqual({ index: s.t.length - 1, since: lastBucket / 1000, elapsedShare: 0.5 });
    expect(s.reads['cam-1']!.at(-1)).toBe(4);
    const i = s.t.indexOf((lastBucket - 3 * 900_000) / 1000);
    expect(s.reads['cam-1']![i]).toBeCloseTo(4 / 15, 6);
  });
});

describe('refused reads', () => {
  it('count once, however often the writer and the spool ask about the same read', async () => {
    let counted = 0;
    const gate = createDeploymentGate({
      client: store.client,
      cameras: [],
      logger: silentLogger,
      enforce: true,
      onRefused: () => counted++,
    });
    const reads = [makeRead({ cameraId: 'cam-rogue' }), makeRead({ cameraId: 'cam-rogue' })];
    // The writer's batch, its redelivery after a failed insert, and the camera spool's check.
    for (let pass = 0; pass < 3; pass++) for (const r of reads) expect(await gate.admit(r)).toMatch(/no active deployment authorisation/);
    expect((await gate.status()).find((s) => s.cameraId === 'cam-rogue')?.refused).toBe(2);
    expect(counted).toBe(2);
  });
});

describe('the annual evaluation', () => {
  it('gives bounded hit figures and judges uptime on the minutes since the camera first reported', async () => {
    // cam-1 first reported an hour ago and delivered frames in 54 of those 60 minutes.
    const first = Math.floor(now.getTime() / 60_000) * 60 - 3600;
    await store.client.insert({
      table: 'camera_metrics_minutely',
      values: Array.from({ length: 60 }, (_, k) => ({
        minute: first + k * 60,
        camera_id: 'cam-1',
        decoded_fps: k < 54 ? 25 : 0,
        queue_depth: 0,
      })),
      format: 'JSONEachRow',
    });
    const noAudit = { list: async () => [] } as unknown as AuditLog;
    const r = await evaluationReport({
      client: store.client,
      audit: noAudit,
      retention: { tacticalDays: 30, holdMaxYears: 3 },
      from: new Date(now.getTime() - 365 * 86_400_000),
      to: now,
      clock: () => now,
    });
    expect(r.reads).toBe(35);
    expect(r.hitReads).toBe(2);
    expect(r.alertsPerRead).toBeCloseTo(2 / 35, 9);
    expect(r.alertsRaised).toBe(3); // one per list entry: the read on two lists raised two
    expect(r.plates).toMatchObject({ plates: 33, platesHit: 2 });
    const cam = r.cameras.find((c) => c.cameraId === 'cam-1')!;
    expect(cam.uptime).toBeCloseTo(0.9, 2);
    expect(cam.meanFps).toBeCloseTo((54 * 25) / 60, 3);
  });
});
