import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { consumerInfoOrNull, consumers, normalizePlate, publishRead, streams, subjects, type AlprConfig, type JetStreamClient, type Logger } from '../contracts/index.ts';
import { alertStoreConsumer } from '../contracts/hotlist.ts';
import type { ReadSpool } from './read-spool.ts';

/**
 * What the appliance promises on power loss, and the two switches that buy it
 * (`durability` in the configuration; docs/durability.md has the reasoning and the costs).
 *
 * - storeFsync: every MergeTree table of the store fsyncs each inserted part and its directory
 *   before the insert returns (`fsync_after_insert`, `fsync_part_directory`). The store writer
 *   acknowledges a read to JetStream only after its insert returned, so an acknowledged read is
 *   on disk. Audit entries, alerts and their workflow get the same.
 * - readSpool: each camera worker keeps a read in an fsync'd spool until the core confirms it is
 *   in the store (the check answered here), and publishes it again if the stream lost it. That
 *   closes the gap nats-server 2.9 leaves: it fsyncs JetStream only every two minutes.
 */

/** Applies (or withdraws) the fsync settings on every MergeTree table of the store's database. */
export async function applyStoreDurability(client: ClickHouseClient, durability: AlprConfig['durability'], logger: Logger): Promise<string[]> {
  const rs = await client.query({
    query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND NOT is_temporary",
    format: 'JSONEachRow',
  });
  const tables = (await rs.json<{ name: string }>()).map((t) => t.name);
  const on = durability.storeFsync ? 1 : 0;
  const applied: string[] = [];
  for (const name of tables) {
    try {
      // Identifiers cannot be bound; the names come from system.tables and are quoted.
      await client.command({ query: `ALTER TABLE \`${name.replace(/`/g, '``')}\` MODIFY SETTING fsync_after_insert = ${on}, fsync_part_directory = ${on}` });
      applied.push(name);
    } catch (err) {
      // A remote server may not grant ALTER to the appliance's user: the store still works, with
      // whatever fsync policy its administrator set (docs/durability.md).
      logger.warn('could not apply the fsync settings to a table', { table: name, storeFsync: durability.storeFsync, err: err as Error });
    }
  }
  logger.info('store durability applied', { storeFsync: durability.storeFsync, tables: applied.length, of: tables.length });
  return applied;
}

/** A camera worker asks which of its spooled reads the store holds. */
export const storedCheckRequest = z.strictObject({
  reads: z
    .array(z.strictObject({ id: z.uuid(), plate: z.string().max(32), capturedAt: z.iso.datetime({ offset: true }) }))
    .max(1000),
});
export type StoredCheckRequest = z.infer<typeof storedCheckRequest>;

export const storedCheckReply = z.strictObject({
  /** Ids found in the store (durably, when storeFsync is on), with the matcher and the alert store caught up behind them. */
  stored: z.array(z.string()),
  /** Ids in the store whose matching or alert storage is still behind: not lost, not yet confirmed. */
  found: z.array(z.string()),
  /** Ids the store will never hold (refused by the deployment gate): drop them from the spool. */
  settled: z.array(z.string()),
  /** The store writer has nothing pending: a read older than the check that is not stored was lost on the way. */
  writerCaughtUp: z.boolean(),
});
export type StoredCheckReply = z.infer<typeof storedCheckReply>;

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The core's side of the spool: answers `alpr.reads.stored.check`. The writer's backlog is
 * read before the store, so "caught up and not stored" means the read was not in the stream
 * when the check began.
 */
export function serveStoredCheck(opts: {
  nc: NatsConnection;
  client: ClickHouseClient;
  logger: Logger;
  /** The deployment gate: a read it refuses is never stored, so it is settled. */
  admit?: (read: { cameraId: string; capturedAt: string }) => Promise<string | null>;
}): { unsubscribe(): void } {
  const { nc, client, logger } = opts;
  const sub = nc.subscribe(subjects.readsStoredCheck, {
    callback: (err, msg) => {
      if (err) return;
      void (async () => {
        let req: StoredCheckRequest;
        try {
          req = storedCheckRequest.parse(JSON.parse(dec.decode(msg.data)));
        } catch {
          logger.warn('invalid stored-read check ignored', { subject: msg.subject });
          return;
        }
        try {
          const jsm = await jetstreamManager(nc);
          const idle = async (stream: string, consumer: string) => {
            const ci = await consumerInfoOrNull(jsm, stream, consumer); // null: that service does not run here
            return !ci || (ci.num_pending === 0 && ci.num_ack_pending === 0);
          };
          const writerCaughtUp = await idle(streams.reads, consumers.storeWriter);
          // A read is confirmed only once the matcher has seen it and its alerts are stored too:
          // the spool must not forget a read whose alert still lives only in JetStream.
          const downstreamCaughtUp = (await idle(streams.reads, consumers.matcher)) && (await idle(streams.alerts, alertStoreConsumer));
          const times = req.reads.map((r) => Date.parse(r.capturedAt));
          const rs = await client.query({
            query: `SELECT toString(id) AS id FROM reads
                    WHERE plate_norm IN {plates:Array(String)} AND toString(id) IN {ids:Array(String)}
                      AND captured_at BETWEEN fromUnixTimestamp64Milli({lo:Int64}) AND fromUnixTimestamp64Milli({hi:Int64})`,
            query_params: { plates: [...new Set(req.reads.map((r) => normalizePlate(r.plate)))], ids: req.reads.map((r) => r.id), lo: Math.min(...times), hi: Math.max(...times) },
            format: 'JSONEachRow',
          });
          const found = (await rs.json<{ id: string }>()).map((r) => r.id);
          const stored = new Set(downstreamCaughtUp ? found : []);
          const settled: string[] = [];
          if (opts.admit) {
            for (const r of req.reads.filter((x) => !found.includes(x.id))) {
              const cameraId = msg.subject.split('.').at(-1) ?? '';
              if ((await opts.admit({ cameraId, capturedAt: r.capturedAt }).catch(() => null)) !== null) settled.push(r.id);
            }
          }
          const reply: StoredCheckReply = { stored: [...stored], found: found.filter((id) => !stored.has(id)), settled, writerCaughtUp };
          msg.respond(enc.encode(JSON.stringify(reply)));
        } catch (e) {
          logger.warn('stored-read check failed; the camera asks again', { err: e as Error });
        }
      })();
    },
  });
  return { unsubscribe: () => sub.unsubscribe() };
}

/** The camera's side: which of these reads the store holds (null when the core does not answer). */
export async function checkStored(nc: NatsConnection, cameraId: string, req: StoredCheckRequest, timeoutMs = 5000): Promise<StoredCheckReply | null> {
  try {
    const reply = await nc.request(subjects.readsStoredCheckFor(cameraId), enc.encode(JSON.stringify(req)), { timeout: timeoutMs });
    return storedCheckReply.parse(JSON.parse(dec.decode(reply.data)));
  } catch {
    return null;
  }
}

/** Republishes of one read before the spool gives up on it (and logs it as an error). */
export const MAX_REPUBLISHES = 5;

/**
 * One check of a camera's spool: asks the core about the reads due for a check, forgets those
 * stored (or refused for good), and when the store writer has caught up publishes the rest again
 * (same id, so a copy that did survive is kept once). Returns what it did.
 */
export async function reconcileSpool(opts: {
  spool: ReadSpool;
  nc: NatsConnection;
  js: JetStreamClient;
  cameraId: string;
  checkSeconds: number;
  /** Republish counts by read id, kept by the caller across checks. */
  republished: Map<string, number>;
  logger: Logger;
}): Promise<{ checked: number; confirmed: number; republished: number; dropped: number } | null> {
  const { spool, republished, logger } = opts;
  const due = spool.due(Date.now() - opts.checkSeconds * 1000).slice(0, 500);
  if (!due.length) return { checked: 0, confirmed: 0, republished: 0, dropped: 0 };
  const reply = await checkStored(opts.nc, opts.cameraId, { reads: due.map((r) => ({ id: r.id, plate: r.plate, capturedAt: r.capturedAt })) });
  if (!reply) return null;
  const known = new Set([...reply.stored, ...reply.settled]);
  spool.done([...known]);
  for (const id of known) republished.delete(id);
  // In the store but with the matcher or the alert store behind: wait, neither lost nor confirmed.
  const waiting = new Set(reply.found);
  const missing = due.filter((r) => !known.has(r.id) && !waiting.has(r.id));
  spool.checked(due.filter((r) => waiting.has(r.id)).map((r) => r.id));
  spool.checked(missing.map((r) => r.id));
  let sent = 0, dropped = 0;
  if (reply.writerCaughtUp) {
    for (const r of missing) {
      const n = (republished.get(r.id) ?? 0) + 1;
      if (n > MAX_REPUBLISHES) {
        logger.error(`read never confirmed stored after ${MAX_REPUBLISHES} republishes; dropped from the spool`, { id: r.id, plate: r.plate });
        spool.done([r.id]);
        republished.delete(r.id);
        dropped++;
        continue;
      }
      republished.set(r.id, n);
      logger.warn('spooled read is not in the store: publishing it again', { id: r.id, plate: r.plate, attempt: n });
      await publishRead(opts.js, r).then(
        () => sent++,
        (err: Error) => logger.warn('republishing a spooled read failed; will retry', { id: r.id, err }),
      );
    }
  }
  return { checked: due.length, confirmed: known.size, republished: sent, dropped };
}
