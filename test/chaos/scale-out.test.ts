import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { hotlistBuckets, openHotlistBuckets } from '../../contracts/index.ts';
import {
  configSchema,
  ensureStreams,
  jetstream,
  publishRead,
  silentLogger,
  streams,
  validateConfig,
  type PlateReadInput,
} from '../../contracts/index.ts';
import { startStoreWriter, type StoreWriter } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';
import { startCluster, startHubWithLeaves, type ServerSet } from './nats-cluster.ts';

/**
 * Scale-out on the engines the appliance already uses (docs/scale-out.md), with real nats-server
 * processes on loopback and the real store writer into chDB:
 * - a three-node JetStream cluster with the streams replicated ×3 (`nats.replicas: 3`): the
 *   stream's leader is killed with -9 while reads are being published and stored; every read is
 *   stored, once;
 * - two sites as leaf nodes of a hub: what each site's cameras publish is acknowledged through
 *   the leaf, lands in the hub's READS stream and is stored centrally with its site id.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
const sets: ServerSet[] = [];
const conns: NatsConnection[] = [];
let writer: StoreWriter | null = null;

const storedIds = async (camera: string) => {
  const rs = await store.client.query({
    query: 'SELECT toString(id) AS id, site_id AS site FROM reads FINAL WHERE camera_id = {c:String}',
    query_params: { c: camera },
    format: 'JSONEachRow',
  });
  return rs.json<{ id: string; site: string }>();
};

/** Publishes as a camera worker does: the same id on every retry until JetStream acknowledges. */
async function publishWithRetry(nc: NatsConnection, read: PlateReadInput): Promise<void> {
  const js = jetstream(nc);
  for (let attempt = 0; ; attempt++) {
    try {
      await publishRead(js, read);
      return;
    } catch (err) {
      if (attempt > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await writer?.stop();
  for (const nc of conns) await nc.close().catch(() => {});
  for (const s of sets) {
    await s.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
  await store?.stop();
});

describe('three-node NATS cluster, streams replicated ×3', () => {
  it('refuses replicas above 1 on the one embedded server', () => {
    const r = validateConfig({ nats: { replicas: 3 } });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['nats.replicas']);
    // (A cluster off loopback is reached over TLS: config check refuses plain nats:// there.)
    expect(validateConfig({ nats: { embedded: false, urls: ['tls://a:4222'], replicas: 3 } }).ok).toBe(true);
  });

  it('keeps every read when the stream leader is killed mid-stream', async () => {
    const cluster = await startCluster();
    sets.push(cluster);
    const urls = Object.values(cluster.urls);
    const nc = await connect({ servers: urls, name: 'cluster-test', maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    conns.push(nc);
    const natsConfig = configSchema.parse({ nats: { embedded: false, urls, replicas: 3 } }).nats;
    await ensureStreams(nc, natsConfig);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(streams.reads);
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.length).toBe(2);
    // The hotlist extract and the pointer to the active version are replicated like the reads.
    await openHotlistBuckets(nc, natsConfig.replicas);
    for (const bucket of [`KV_${hotlistBuckets.active}`, `OBJ_${hotlistBuckets.objects}`]) {
      expect((await jsm.streams.info(bucket)).config.num_replicas, bucket).toBe(3);
    }

    writer = await startStoreWriter({ nc, client: store.client, logger: silentLogger });
    const reads = Array.from({ length: 120 }, (_, i) => makeRead({ cameraId: 'cam-r3', plate: `RTH${String(i).padStart(3, '0')}` }));
    let killed = '';
    for (const [i, read] of reads.entries()) {
      if (i === 60) {
        // The leader of the reads stream goes, without a goodbye.
        const leader = (await jsm.streams.info(streams.reads)).cluster!.leader!;
        killed = leader;
        await cluster.kill(leader);
      }
      await publishWithRetry(nc, read);
    }
    const stored = await until(
      async () => {
        const rows = await storedIds('cam-r3');
        return rows.length >= reads.length ? rows : null;
      },
      { what: 'every read stored after the leader died', ms: 90_000 },
    );
    expect(stored.map((r) => r.id).sort()).toEqual(reads.map((r) => r.id).sort());
    // A new leader serves the stream from the two survivors; the killed node rejoins and catches up.
    const after = await jsm.streams.info(streams.reads);
    expect(after.cluster!.leader).not.toBe(killed);
    await cluster.start(killed);
    await until(
      async () => {
        const i = await jsm.streams.info(streams.reads);
        return i.cluster?.replicas?.find((r) => r.name === killed)?.current === true;
      },
      { what: `${killed} to catch up`, ms: 60_000 },
    );
    await writer.stop();
    writer = null;
  }, 240_000);
});

describe('sites as leaf nodes of a central hub', () => {
  it("stores every site's reads centrally, acknowledged through the leaf connection", async () => {
    const set = await startHubWithLeaves(['site-a', 'site-b']);
    sets.push(set);
    const hub = await connect({ servers: set.urls.hub!, name: 'hub-core', maxReconnectAttempts: -1 });
    conns.push(hub);
    await ensureStreams(hub, configSchema.parse({}).nats);
    writer = await startStoreWriter({ nc: hub, client: store.client, logger: silentLogger });
    const bySite = new Map<string, PlateReadInput[]>();
    for (const site of ['site-a', 'site-b']) {
      const nc = await connect({ servers: set.urls[site]!, name: `${site}-camera`, maxReconnectAttempts: -1 });
      conns.push(nc);
      // Interest in alpr.reads.> reaches the leaf from the hub's stream shortly after it connects.
      const reads = Array.from({ length: 25 }, (_, i) =>
        makeRead({ siteId: site, cameraId: `${site}-cam`, plate: `${site === 'site-a' ? 'LFA' : 'LFB'}${100 + i}` }),
      );
      for (const r of reads) await publishWithRetry(nc, r);
      bySite.set(site, reads);
    }
    for (const [site, reads] of bySite) {
      const stored = await until(
        async () => {
          const rows = await storedIds(`${site}-cam`);
          return rows.length >= reads.length ? rows : null;
        },
        { what: `the reads of ${site} stored centrally`, ms: 60_000 },
      );
      expect(stored.map((r) => r.id).sort()).toEqual(reads.map((r) => r.id).sort());
      expect(new Set(stored.map((r) => r.site))).toEqual(new Set([site]));
    }
  }, 120_000);
});
