/**
 * Durability benchmark: `npm run bench -- durability [--reads N] [--single S] [--spool K]`.
 *
 * What the power-loss settings (docs/durability.md) cost:
 * - ingest through JetStream and the store writer (full batches, a backlog of N reads) with
 *   durability.storeFsync off, on, and off again (the second "off" shows the drift of a shared
 *   machine);
 * - the latency of one small insert (a read, its image: what a live camera's read costs) off and
 *   on, S times each;
 * - the camera spool's fsync'd append of one read with a 20 kB crop, K times.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { applyStoreDurability } from '../../appliance/index.ts';
import { ReadSpool } from '../../pipeline/index.ts';
import {
  configSchema,
  consumers,
  ensureStreams,
  jetstream,
  plateReadSchema,
  publishRead,
  silentLogger,
  streams,
} from '../../contracts/index.ts';
import { insertReads, startStoreWriter, STORE_WRITER_V8_FLAGS } from '../../store/index.ts';
import { startNats, tempDir } from '../helpers/nats.ts';
import { jpegBase64, makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { numericFlags, percentile, round } from './_args.ts';

/** The store writer runs with the core service's V8 flags (store/writer.ts). */
export const v8Flags = STORE_WRITER_V8_FLAGS;

export async function run(argv: string[]) {
  const flags = numericFlags(argv, { reads: 30_000, single: 40, spool: 300 });
  const log = (msg: string, extra: Record<string, unknown> = {}) =>
    console.error(JSON.stringify({ t: new Date().toISOString(), msg, ...extra }));
  const nats = await startNats();
  const nc = await nats.connect('bench');
  await ensureStreams(nc, { ...configSchema.parse({}).nats, readsMaxBytes: 8 * 1024 ** 3 });
  const store = await startTestStore();
  const { client } = store;
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const jpeg = await jpegBase64(160, 48);
  const setFsync = (on: boolean) => applyStoreDurability(client, { storeFsync: on, readSpool: true, spoolCheckSeconds: 10 }, silentLogger);

  async function ingest(label: string, fsync: boolean): Promise<number> {
    await setFsync(fsync);
    const window: Promise<unknown>[] = [];
    for (let i = 0; i < flags.reads; i++) {
      window.push(
        publishRead(
          js,
          makeRead({ cameraId: `cam-${i % 20}`, plate: `B${String(i).padStart(6, '0')}`, cropJpeg: i % 4 === 0 ? jpeg : undefined }),
        ),
      );
      if (window.length >= 1000) await Promise.all(window.splice(0));
    }
    await Promise.all(window);
    const t0 = performance.now();
    const writer = await startStoreWriter({ nc, client, logger: silentLogger });
    for (;;) {
      const ci = await jsm.consumers.info(streams.reads, consumers.storeWriter);
      if (ci.num_pending === 0 && ci.num_ack_pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = (performance.now() - t0) / 1000;
    await writer.stop();
    const perSec = Math.round(flags.reads / s);
    log('ingested', { label, fsync, reads: flags.reads, seconds: round(s, 2), perSec });
    return perSec;
  }

  async function singleInserts(fsync: boolean): Promise<{ p50: number; p95: number }> {
    await setFsync(fsync);
    const ms: number[] = [];
    for (let i = 0; i < flags.single; i++) {
      const read = plateReadSchema.parse(
        makeRead({ cameraId: 'cam-live', plate: `L${fsync ? 1 : 0}${String(i).padStart(5, '0')}`, cropJpeg: jpeg }),
      );
      const t0 = performance.now();
      await insertReads(client, [read]);
      ms.push(performance.now() - t0);
    }
    return { p50: round(percentile(ms, 50), 1), p95: round(percentile(ms, 95), 1) };
  }

  const off1 = await ingest('off', false);
  const on = await ingest('on', true);
  const off2 = await ingest('off again', false);
  const singleOff = await singleInserts(false);
  const singleOn = await singleInserts(true);
  log('single inserts', { off: singleOff, on: singleOn });

  const dir = tempDir('bench-spool');
  const spool = ReadSpool.open(path.join(dir, 'cam.jsonl'));
  const crop = 'x'.repeat(20_000);
  const spoolMs: number[] = [];
  for (let i = 0; i < flags.spool; i++) {
    const r = makeRead({ cropJpeg: crop });
    const t0 = performance.now();
    spool.add(r);
    spoolMs.push(performance.now() - t0);
    spool.done([r.id]);
  }
  spool.close();
  rmSync(dir, { recursive: true, force: true });

  await nc.close();
  await nats.stop();
  await store.stop();
  const offMean = (off1 + off2) / 2;
  return {
    bench: 'durability',
    reads: flags.reads,
    ingestPerSecFsyncOff: [off1, off2],
    ingestPerSecFsyncOn: on,
    ingestCostPct: round((100 * (offMean - on)) / offMean, 1),
    singleInsertMsFsyncOff: singleOff,
    singleInsertMsFsyncOn: singleOn,
    spoolAppendMs: { p50: round(percentile(spoolMs, 50), 2), p99: round(percentile(spoolMs, 99), 2) },
  };
}
