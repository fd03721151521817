import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
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
import { searchReads, startStoreWriter, type StoreWriter } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startNats, type TestNats } from '../helpers/nats.ts';
import { startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';

let nats: TestNats;
let nc: NatsConnection;
let store: Awaited<ReturnType<typeof startTestStore>>;
let writer: StoreWriter;

/** Rows stored for a plate, duplicates included (count(), not FINAL: a duplicate must show). */
const count = async (plate: string) => {
  const rs = await store.client.query({
    query: 'SELECT count() AS n FROM reads WHERE plate_norm = {p:String}',
    query_params: { p: plate },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]!.n);
};
const pending = async () => (await (await jetstreamManager(nc)).consumers.info(streams.reads, consumers.storeWriter)).num_ack_pending;

beforeAll(async () => {
  nats = await startNats();
  nc = await nats.connect();
  await ensureStreams(nc, configSchema.parse({}).nats);
  store = await startTestStore();
  writer = await startStoreWriter({ nc, client: store.client, logger: silentLogger, retryDelayMs: 300 });
});
afterAll(async () => {
  await writer?.stop();
  await nc?.close();
  await nats?.stop();
  await store?.stop();
});

describe('store writer: JetStream to ClickHouse', () => {
  it('stores a burst of reads in batches, each once', async () => {
    const js = jetstream(nc);
    await Promise.all(Array.from({ length: 2500 }, () => publishRead(js, makeRead({ plate: 'BATCH01' }))));
    await until(async () => (await count('BATCH01')) === 2500);
    await until(async () => (await pending()) === 0);
  });

  it('keeps reads in JetStream while the store refuses them, and stores them all when it is back', async () => {
    // A real outage of the table: inserts fail until it is attached again.
    await store.client.command({ query: 'DETACH TABLE reads' });
    const js = jetstream(nc);
    for (let i = 0; i < 50; i++) await publishRead(js, makeRead({ plate: 'OUTAGE1' }));
    await until(async () => !writer.healthy);
    expect(writer.lastError).toMatch(/insert of \d+ reads failed/);
    const info = await (await jetstreamManager(nc)).consumers.info(streams.reads, consumers.storeWriter);
    expect(info.num_ack_pending + info.num_pending).toBeGreaterThan(0); // nothing acknowledged
    await store.client.command({ query: 'ATTACH TABLE reads' });
    await until(async () => (await count('OUTAGE1').catch(() => 0)) === 50);
    // Healthy once the insert and its progress record are done (the rows show before the record).
    await until(async () => writer.healthy);
  });

  it('does not duplicate a read that JetStream delivers again', async () => {
    const read = makeRead({ plate: 'REDELIV' });
    await publishRead(jetstream(nc), read);
    await until(async () => (await count('REDELIV')) === 1);
    // The same read arriving again (published outside the duplicate window, or redelivered
    // after a crash between insert and acknowledgement) must not become a second row.
    nc.publish('alpr.reads.cam-1', new TextEncoder().encode(JSON.stringify(read)));
    await until(async () => (await pending()) === 0);
    expect(await searchReads(store.client, { plate: 'REDELIV', limit: 10, offset: 0 }, 30)).toHaveLength(1);
    await store.client.command({ query: 'OPTIMIZE TABLE reads FINAL' });
    expect(await count('REDELIV')).toBe(1); // collapsed on disk too
  });

  it('stores what a writer that died held unacknowledged before acknowledging anything newer', async () => {
    // One acknowledgement covers every earlier delivery: a successor that acknowledged its first
    // batch while its predecessor's deliveries were still pending would settle reads never stored.
    await writer.stop();
    const js = jetstream(nc);
    for (let i = 0; i < 20; i++) await publishRead(js, makeRead({ plate: 'DIEDHLD' }));
    const predecessor = await js.consumers.get(streams.reads, consumers.storeWriter);
    let held = 0;
    for await (const m of await predecessor.fetch({ max_messages: 20, expires: 2000 })) if (m) held++;
    expect(held).toBe(20); // delivered, never acknowledged: the predecessor "died" here
    for (let i = 0; i < 20; i++) await publishRead(js, makeRead({ plate: 'AFTERDH' }));
    writer = await startStoreWriter({ nc, client: store.client, logger: silentLogger, retryDelayMs: 300 });
    await until(async () => (await count('AFTERDH')) === 20);
    await until(async () => (await count('DIEDHLD')) === 20, { what: 'the held reads stored' });
    await until(async () => (await pending()) === 0);
  });

  it('never acknowledges past deliveries it did not receive', async () => {
    // Another client pulling from the writer's consumer takes deliveries the writer never sees
    // (as a lost pull response would). The writer must notice the gap and have them delivered
    // again, not acknowledge over them.
    const js = jetstream(nc);
    const thief = await js.consumers.get(streams.reads, consumers.storeWriter);
    let stolen = 0;
    let published = 0;
    for (let round = 0; round < 20 && stolen === 0; round++) {
      const taking = (async () => {
        for await (const m of await thief.fetch({ max_messages: 2, expires: 1500 })) if (m) stolen++;
      })();
      for (let i = 0; i < 10; i++, published++) await publishRead(js, makeRead({ plate: 'GAPREAD' }));
      await taking;
    }
    expect(stolen).toBeGreaterThan(0);
    const distinct = async () => {
      const rs = await store.client.query({
        query: "SELECT uniqExact(id) AS n FROM reads WHERE plate_norm = 'GAPREAD'",
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0]!.n);
    };
    await until(async () => (await distinct()) === published && (await pending()) === 0, {
      ms: 40_000,
      what: `all ${published} reads stored, the ${stolen} stolen deliveries included`,
    });
  }, 60_000);

  it('joins the batches of a backlog into larger inserts, each read once, and inserts live reads without waiting', async () => {
    await writer.stop();
    const js = jetstream(nc);
    await Promise.all(Array.from({ length: 2600 }, () => publishRead(js, makeRead({ plate: 'BACKLOG' }))));
    const inserts: number[] = [];
    writer = await startStoreWriter({
      nc,
      client: store.client,
      logger: silentLogger,
      retryDelayMs: 300,
      batchSize: 500,
      insertRows: 1500,
      onBatch: (e) => inserts.push(e.stored),
    });
    await until(async () => (await count('BACKLOG')) === 2600 && (await pending()) === 0);
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(2600);
    expect(Math.max(...inserts)).toBeGreaterThan(500); // fetched 500 at a time, inserted together
    expect(Math.max(...inserts)).toBeLessThanOrEqual(1500);
    // Once the backlog is gone, one live read is stored on its own (a fetch that comes back short).
    inserts.length = 0;
    await publishRead(js, makeRead({ plate: 'LIVEONE' }));
    await until(async () => (await count('LIVEONE')) === 1 && inserts.length > 0);
    expect(inserts).toEqual([1]);
  });

  it('resumes after what the store recorded when nats-server lost the consumer state, and not past a recreated stream', async () => {
    const jsm = await jetstreamManager(nc);
    expect((await jsm.consumers.info(streams.reads, consumers.storeWriter)).config.mem_storage).toBe(true);
    await Promise.all(Array.from({ length: 300 }, () => publishRead(jetstream(nc), makeRead({ plate: 'BEFORERST' }))));
    await until(async () => (await count('BEFORERST')) === 300 && (await pending()) === 0);
    await writer.stop();
    // The consumer's floor was in nats-server's memory only.
    await nats.restart();
    await until(
      async () =>
        await jsm.streams.info(streams.reads).then(
          () => true,
          () => false,
        ),
    );
    const stored: number[] = [];
    const start = () =>
      startStoreWriter({ nc, client: store.client, logger: silentLogger, retryDelayMs: 300, onBatch: (e) => stored.push(e.stored) });
    writer = await start();
    await publishRead(jetstream(nc), makeRead({ plate: 'AFTERRST' }));
    await until(async () => (await count('AFTERRST')) === 1 && stored.length > 0);
    expect(stored).toEqual([1]); // not the reads the stream still holds
    // A stream created anew numbers from 1 again: the old stream's record must not skip its reads.
    await writer.stop();
    await jsm.streams.delete(streams.reads);
    await ensureStreams(nc, configSchema.parse({}).nats);
    for (let i = 0; i < 3; i++) await publishRead(jetstream(nc), makeRead({ plate: 'NEWSTRM' }));
    writer = await start();
    await until(async () => (await count('NEWSTRM')) === 3);
  }, 60_000);

  it('keeps storing through a nats-server restart that takes its consumer with it', async () => {
    await publishRead(jetstream(nc), makeRead({ plate: 'BEFORE2' }));
    await until(async () => (await count('BEFORE2')) === 1);
    await nats.restart();
    // Published once JetStream is back; the writer's pulls meanwhile failed on a consumer that is gone.
    await until(
      async () =>
        publishRead(jetstream(nc), makeRead({ plate: 'THROUGH2' })).then(
          () => true,
          () => false,
        ),
      { ms: 20_000, what: 'a publish after the restart' },
    );
    await until(async () => (await count('THROUGH2')) >= 1, { ms: 30_000, what: 'the read published after the restart stored' });
    expect(await count('BEFORE2')).toBe(1);
  }, 60_000);
});
