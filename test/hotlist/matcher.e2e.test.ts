import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  configSchema,
  decodeAlert,
  ensureStreams,
  natsIdentities,
  publishRead,
  silentLogger,
  streams,
  type Alert,
} from '../../contracts/index.ts';
import { openHotlistBuckets } from '../../contracts/index.ts';
import { createHotlistService, type HotlistService } from '../../hotlist/index.ts';
import { listRecords, listVersions } from '../../hotlist/index.ts';
import { startMatcher, type Matcher } from '../../matcher/index.ts';
import { startNats, type TestNats } from '../helpers/nats.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';

const config = configSchema.parse({
  hotlists: {
    sources: [
      { name: 'ncic', mapping: 'ncic' },
      { name: 'agency', kind: 'agency' },
    ],
  },
});
const csv = (rows: string[]) => new TextEncoder().encode(['LIC,LIS,NIC,FILE,ORI', ...rows].join('\n') + '\n');

let nats: TestNats;
let nc: NatsConnection;
let store: Awaited<ReturnType<typeof startTestStore>>;
let service: HotlistService;
let matcher: Matcher;
const alerts: Alert[] = [];

async function alertsFor(readId: string, n = 1): Promise<Alert[]> {
  for (let i = 0; i < 200; i++) {
    const got = alerts.filter((a) => a.read.id === readId);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 25));
  }
  return alerts.filter((a) => a.read.id === readId);
}

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect();
  await ensureStreams(nc, config.nats);
  store = await startTestStore();
  service = createHotlistService({
    client: store.client,
    buckets: await openHotlistBuckets(nc),
    config: config.hotlists,
    logger: silentLogger,
  });
  const first = await service.import({
    source: 'ncic',
    filename: 'v1.csv',
    origin: 'upload',
    actor: 'admin',
    data: [csv(['ABC1234,FL,V111,SV,FL0370000', 'XYZ987,GA,V222,SV,GA0600000'])],
  });
  expect(first.state).toBe('done');
  matcher = await startMatcher({ nc: await nats.connectAs(natsIdentities.matcher), config, logger: silentLogger });
  // Everything the matcher raises, in order, straight off the ALERTS stream.
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(streams.alerts, { durable_name: 'test-tap', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  const msgs = await (await jetstream(nc).consumers.get(streams.alerts, 'test-tap')).consume();
  void (async () => {
    for await (const m of msgs) {
      alerts.push(decodeAlert(m));
      m.ack();
    }
  })();
});

afterAll(async () => {
  await matcher?.stop();
  await nc?.close();
  await nats?.stop();
  await store?.stop();
});

describe('read → alert over real NATS', () => {
  it('starts on the active version and raises an exact alert with the record', async () => {
    expect(matcher.versions()).toEqual([expect.objectContaining({ source: 'ncic', records: 2 })]);
    const read = makeRead({ plate: 'ABC-1234', state: 'FL', candidates: [] });
    await publishRead(jetstream(nc), read);
    const [a] = await alertsFor(read.id);
    expect(a).toMatchObject({
      matchKind: 'exact',
      score: 1,
      stale: false,
      historical: false,
      record: { source: 'ncic', recordId: 'V111', category: 'stolen_vehicle', ori: 'FL0370000' },
    });
  });

  it('a fuzzy read through confusion classes hits; an unrelated read raises nothing', async () => {
    const fuzzy = makeRead({ plate: 'A8C1Z34', state: 'FL', candidates: [] });
    const none = makeRead({ plate: 'QQQ777', state: 'FL', candidates: [] });
    const last = makeRead({ plate: 'XYZ987', state: 'GA', candidates: [] });
    for (const r of [fuzzy, none, last]) await publishRead(jetstream(nc), r);
    expect((await alertsFor(fuzzy.id))[0]).toMatchObject({ matchKind: 'fuzzy', record: { recordId: 'V111' } });
    await alertsFor(last.id); // JetStream keeps order: once the last read's alert is in, the middle one had its chance
    expect(alerts.filter((a) => a.read.id === none.id)).toEqual([]);
  });

  it('a redelivered read raises no second alert', async () => {
    const read = makeRead({ plate: 'ABC1234', state: 'FL', candidates: [] });
    await publishRead(jetstream(nc), read);
    const [a] = await alertsFor(read.id);
    // The pipeline retries the same read under a new message id (as after a crash past the dedup window).
    await jetstream(nc).publish(`alpr.reads.${read.cameraId}`, JSON.stringify(read), { msgID: `${read.id}-retry` });
    const marker = makeRead({ plate: 'XYZ987', state: 'GA', candidates: [] });
    await publishRead(jetstream(nc), marker);
    await alertsFor(marker.id);
    expect(alerts.filter((x) => x.read.id === read.id).map((x) => x.id)).toEqual([a!.id]);
  });

  it('swaps versions atomically while reads stream in, and purges the superseded one', async () => {
    // v2 drops ABC1234 and lists NEW555: every read is matched against v1 or v2, never neither or both.
    const reads = Array.from({ length: 60 }, (_, i) => makeRead({ plate: i % 2 ? 'ABC1234' : 'NEW555', state: 'FL', candidates: [] }));
    const publishing = (async () => {
      for (const r of reads) await publishRead(jetstream(nc), r);
    })();
    const v2 = await service.import({
      source: 'ncic',
      filename: 'v2.csv',
      origin: 'upload',
      actor: 'admin',
      data: [csv(['NEW555,FL,V333,SV,FL0370000', 'XYZ987,GA,V222,SV,GA0600000'])],
    });
    expect(v2.state).toBe('done');
    await publishing;
    await matcher.waitForVersion('ncic', v2.versionId);
    const after = makeRead({ plate: 'NEW555', state: 'FL', candidates: [] });
    await publishRead(jetstream(nc), after);
    expect((await alertsFor(after.id))[0]?.record.extractVersion).toBe(v2.versionId);
    const versionOf = new Map<string, string>();
    for (const r of reads) for (const a of alerts.filter((x) => x.read.id === r.id)) versionOf.set(r.id, a.record.extractVersion);
    // Once a read matched v2, no later read matched v1.
    const seq = reads.map((r) => versionOf.get(r.id)).filter(Boolean);
    const firstV2 = seq.indexOf(v2.versionId);
    if (firstV2 >= 0) expect(seq.slice(firstV2).every((v) => v === v2.versionId)).toBe(true);
    // Each read alerted exactly on what its version lists.
    for (const r of reads) {
      const v = versionOf.get(r.id);
      if (v === v2.versionId) expect(r.plate).toBe('NEW555');
      else if (v) expect(r.plate).toBe('ABC1234');
    }
    const versions = await listVersions(store.client, 'ncic');
    const old = versions.find((v) => v.versionId !== v2.versionId && v.status === 'superseded');
    expect(old).toBeDefined();
    expect(await listRecords(store.client, old!.versionId, { limit: 10, offset: 0 })).toEqual([]);
    expect(versions.filter((v) => v.status === 'active').map((v) => v.versionId)).toEqual([v2.versionId]);
  });

  it('a refused file leaves the active version matching', async () => {
    const garbage = new TextEncoder().encode(
      'LIC,LIS,NIC,FILE,ORI\n' + Array.from({ length: 50 }, (_, i) => (i === 0 ? 'OK1,FL,V9,SV,X' : `\u0001bad,,,${i}`)).join('\n'),
    );
    const job = await service.import({ source: 'ncic', filename: 'junk.csv', origin: 'upload', actor: 'admin', data: [garbage] });
    expect(job.state).toBe('refused');
    expect(job.summary?.problems[0]).toMatchObject({ line: 3 });
    const read = makeRead({ plate: 'NEW555', state: 'FL', candidates: [] });
    await publishRead(jetstream(nc), read);
    expect((await alertsFor(read.id))[0]?.record.recordId).toBe('V333');
  });
});
