import type { ClickHouseClient } from '@clickhouse/client';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  alertStoreConsumer,
  consumerInfoOrNull,
  consumers,
  normalizePlate,
  serveStoredCheck,
  streams,
  type AlprConfig,
  type Logger,
  type StoredCheckReply,
} from '../contracts/index.ts';

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
export async function applyStoreDurability(
  client: ClickHouseClient,
  durability: AlprConfig['durability'],
  logger: Logger,
): Promise<string[]> {
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
      await client.command({
        query: `ALTER TABLE \`${name.replace(/`/g, '``')}\` MODIFY SETTING fsync_after_insert = ${on}, fsync_part_directory = ${on}`,
      });
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

/**
 * The core's side of the spool: answers `alpr.store.check.*` (contracts/store-check.ts). The
 * writer's backlog is read before the store, so "caught up and not stored" means the read was
 * not in the stream when the check began.
 */
export function answerStoredChecks(opts: {
  nc: NatsConnection;
  client: ClickHouseClient;
  logger: Logger;
  /** The deployment gate: a read it refuses is never stored, so it is settled. */
  admit?: (read: { id: string; cameraId: string; capturedAt: string }) => Promise<string | null>;
}): { unsubscribe(): void } {
  const { nc, client } = opts;
  return serveStoredCheck(
    nc,
    async (req, cameraId): Promise<StoredCheckReply> => {
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
        query_params: {
          plates: [...new Set(req.reads.map((r) => normalizePlate(r.plate)))],
          ids: req.reads.map((r) => r.id),
          lo: Math.min(...times),
          hi: Math.max(...times),
        },
        format: 'JSONEachRow',
      });
      const found = (await rs.json<{ id: string }>()).map((r) => r.id);
      const stored = new Set(downstreamCaughtUp ? found : []);
      const settled: string[] = [];
      if (opts.admit) {
        for (const r of req.reads.filter((x) => !found.includes(x.id))) {
          if ((await opts.admit({ id: r.id, cameraId, capturedAt: r.capturedAt }).catch(() => null)) !== null) settled.push(r.id);
        }
      }
      return { stored: [...stored], found: found.filter((id) => !stored.has(id)), settled, writerCaughtUp };
    },
    opts.logger,
  );
}
