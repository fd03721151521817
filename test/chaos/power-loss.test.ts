import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerStoredChecks } from '../../appliance/index.ts';
import { ReadSpool, reconcileSpool } from '../../pipeline/index.ts';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import {
  configSchema,
  consumers,
  ensureStreams,
  jetstream,
  publishRead,
  silentLogger,
  streams,
  type NatsConnection,
} from '../../contracts/index.ts';
import { startStoreWriter, type StoreWriter } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startNats, tempDir, type TestNats } from '../helpers/nats.ts';
import { startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';

/**
 * Power loss, as far as a test can stage it: nats-server 2.9 fsyncs JetStream every two minutes,
 * so a power failure can take every message since the last sync, acknowledged or not. Here the
 * store writer is down while reads are published (they sit in JetStream only), then nats-server
 * is killed and its store deleted: the worst a power failure can do to it. The camera's spool
 * (durability.readSpool) still has them: once the core answers that its writer is caught up and
 * the reads are not stored, they are published again and stored, each once.
 */
let nats: TestNats;
let nc: NatsConnection;
let store: Awaited<ReturnType<typeof startTestStore>>;
let writer: StoreWriter | null = null;
let check: { unsubscribe(): void } | null = null;
const dir = tempDir('power-loss');
const natsConfig = configSchema.parse({}).nats;

const storedIds = async () => {
  const rs = await store.client.query({
    query: "SELECT toString(id) AS id FROM reads FINAL WHERE camera_id = 'cam-pl'",
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string }>()).map((r) => r.id);
};

async function startCore() {
  writer = await startStoreWriter({ nc, client: store.client, logger: silentLogger });
  check = answerStoredChecks({ nc, client: store.client, logger: silentLogger });
}
async function stopCore() {
  check?.unsubscribe();
  await writer?.stop();
  writer = null;
}

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect('power-loss');
  await ensureStreams(nc, natsConfig);
  store = await startTestStore();
});
afterAll(async () => {
  await stopCore();
  await nc?.close();
  await nats?.stop();
  await store?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('reads spooled by the camera survive the loss of JetStream data', () => {
  it('confirms stored reads, and republishes the ones a power failure took, each stored once', async () => {
    const spool = ReadSpool.open(path.join(dir, 'spool', 'cam-pl.jsonl'));
    const republished = new Map<string, number>();
    const js = jetstream(nc);
    const reconcile = () => reconcileSpool({ spool, nc, js, cameraId: 'cam-pl', checkSeconds: 0, republished, logger: silentLogger });

    // 1. Normal running: published, stored, confirmed, forgotten.
    await startCore();
    const first = Array.from({ length: 10 }, (_, i) => makeRead({ cameraId: 'cam-pl', plate: `PLA${100 + i}` }));
    for (const r of first) {
      spool.add(r);
      await publishRead(js, r);
    }
    await until(async () => (await storedIds()).length === 10, { what: 'the first reads stored', ms: 30_000 });
    const ok = await reconcile();
    expect(ok).toMatchObject({ checked: 10, confirmed: 10, republished: 0 });
    expect(spool.size).toBe(0);

    // 2. The store's owner is down; reads are acknowledged by JetStream and wait there.
    await stopCore();
    const second = Array.from({ length: 10 }, (_, i) => makeRead({ cameraId: 'cam-pl', plate: `PLB${100 + i}` }));
    for (const r of second) {
      spool.add(r);
      await publishRead(js, r);
    }
    // 3. Power failure: nats-server gone without a goodbye and its unsynced data with it; the camera
    //    worker's process died too, leaving only its spool file.
    await nats.kill(true);
    rmSync(nats.storeDir, { recursive: true, force: true });
    spool.close();
    await nats.restart();
    await until(
      async () =>
        !nc.isClosed() &&
        (await nc.flush().then(
          () => true,
          () => false,
        )),
      { what: 'the client back on the new server' },
    );
    await ensureStreams(nc, natsConfig);

    // 4. Everything restarts: the spool from its file, the core with an empty stream.
    const reopened = ReadSpool.open(path.join(dir, 'spool', 'cam-pl.jsonl'));
    expect(reopened.size).toBe(10);
    await startCore();
    const again = await until(
      () => reconcileSpool({ spool: reopened, nc, js, cameraId: 'cam-pl', checkSeconds: 0, republished, logger: silentLogger }),
      { what: 'the core to answer the check', ms: 30_000 },
    );
    expect(again).toMatchObject({ checked: 10, confirmed: 0, republished: 10 });
    await until(async () => (await storedIds()).length === 20, { what: 'the republished reads stored', ms: 30_000 });
    const after = await until(
      () => reconcileSpool({ spool: reopened, nc, js, cameraId: 'cam-pl', checkSeconds: 0, republished, logger: silentLogger }),
      { what: 'a second check' },
    );
    expect(after).toMatchObject({ checked: 10, confirmed: 10, republished: 0 });
    expect(reopened.size).toBe(0);
    const ids = await storedIds();
    expect(new Set(ids).size).toBe(20);
    expect(ids.sort()).toEqual([...first, ...second].map((r) => r.id).sort());

    // 5. The matcher behind (its consumer exists and has not taken these reads): they are in the
    //    store, so neither republished nor confirmed; confirmed once it has caught up.
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(streams.reads, {
      durable_name: consumers.matcher,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
    });
    const third = Array.from({ length: 3 }, (_, i) => makeRead({ cameraId: 'cam-pl', plate: `PLC${100 + i}` }));
    for (const r of third) {
      reopened.add(r);
      await publishRead(js, r);
    }
    await until(async () => (await storedIds()).length === 23, { what: 'the third reads stored', ms: 30_000 });
    const behind = await reconcileSpool({
      spool: reopened,
      nc,
      js,
      cameraId: 'cam-pl',
      checkSeconds: 0,
      republished,
      logger: silentLogger,
    });
    expect(behind).toMatchObject({ checked: 3, confirmed: 0, republished: 0, dropped: 0 });
    expect(reopened.size).toBe(3);
    await jsm.consumers.delete(streams.reads, consumers.matcher);
    const caughtUp = await reconcileSpool({
      spool: reopened,
      nc,
      js,
      cameraId: 'cam-pl',
      checkSeconds: 0,
      republished,
      logger: silentLogger,
    });
    expect(caughtUp).toMatchObject({ checked: 3, confirmed: 3, republished: 0 });
    expect(reopened.size).toBe(0);
    reopened.close();
  });
});
