import { createHash } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  connectBus,
  consumers,
  decodeRead,
  natsIdentities,
  hotlistSourceSchema,
  InvalidPayloadError,
  publishAlert,
  streams,
  type AlprConfig,
  type Logger,
} from '../contracts/index.ts';
import { decodeActiveVersion, bindHotlistBuckets, readCompiled, type ActiveVersion, type HotlistBuckets } from '../contracts/index.ts';
import { ListBuilder, type CompiledList } from './list.ts';
import { matchRead, toAlert, type ActiveList, type MatchStats } from './match.ts';

/**
 * The matcher service: holds the active version of every source in memory and matches each
 * read from its durable JetStream consumer. A new version is loaded beside the old one and
 * swapped in with one assignment (`lists`), so a read is matched against one version or the
 * other, never a mix. A read is acknowledged only after its alerts are acknowledged by the
 * ALERTS stream; a crash in between redelivers the read, and the alert id (read + record)
 * makes the repeat collapse in JetStream's duplicate window and in the store.
 */
export class HotlistChecksumError extends Error {
  override readonly name = 'HotlistChecksumError';
}

export interface MatcherOptions {
  nc: NatsConnection;
  config: AlprConfig;
  logger: Logger;
  clock?: () => Date;
}

export interface Matcher {
  /** Active versions by source. */
  versions(): { source: string; versionId: string; records: number }[];
  /** Resolves once `versionId` of `source` is the active one in memory. */
  waitForVersion(source: string, versionId: string): Promise<void>;
  readonly stats: { reads: number; alerts: number; invalid: number } & MatchStats;
  stop(): Promise<void>;
}

export async function loadVersion(buckets: HotlistBuckets, v: ActiveVersion): Promise<CompiledList> {
  const obj = await buckets.os.get(v.object);
  if (!obj) throw new Error(`hotlist object ${v.object} is missing`);
  const hash = createHash('sha256');
  const builder = new ListBuilder(
    { source: v.source, versionId: v.versionId, extractedAt: Date.parse(v.extractedAt) },
    Math.max(1024, v.recordCount),
  );
  async function* chunks() {
    for await (const c of obj!.data as unknown as AsyncIterable<Uint8Array>) {
      hash.update(c);
      yield c;
    }
  }
  await readCompiled(chunks(), (r) => builder.add(r));
  const err = await obj.error;
  if (err) throw err;
  if (hash.digest('hex') !== v.sha256) throw new HotlistChecksumError(`hotlist object ${v.object} does not match its checksum`);
  return builder.build();
}

/** Reads whose alerts may await the ALERTS stream's ack at once. */
const MAX_ALERTS_IN_FLIGHT = 64;

export async function startMatcher(opts: MatcherOptions): Promise<Matcher> {
  const { nc, config, logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  const policies = new Map(config.hotlists.sources.map((s) => [s.name, s]));
  const buckets = await bindHotlistBuckets(nc);
  const js = jetstream(nc);
  const stats = { reads: 0, alerts: 0, invalid: 0, suppressedStale: 0, expired: 0, belowScore: 0 };
  // The one reference the match loop reads: replaced whole, never mutated.
  let lists: readonly ActiveList[] = [];
  const waiters: { source: string; versionId: string; resolve: () => void }[] = [];

  function install(list: CompiledList): void {
    const policy = policies.get(list.meta.source) ?? hotlistSourceSchema.parse({ name: list.meta.source });
    lists = [...lists.filter((l) => l.list.meta.source !== list.meta.source), { list, policy }];
    logger.info('hotlist version swapped in', { source: list.meta.source, version: list.meta.versionId, records: list.meta.recordCount });
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.source === list.meta.source && w.versionId === list.meta.versionId) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  async function apply(key: string, data: Uint8Array): Promise<void> {
    let v: ActiveVersion;
    try {
      v = decodeActiveVersion(key, data);
    } catch (err) {
      logger.error('invalid hotlist pointer ignored', { key, err: err as Error });
      return;
    }
    if (lists.some((l) => l.list.meta.source === v.source && l.list.meta.versionId === v.versionId)) return;
    try {
      install(await loadVersion(buckets, v));
    } catch (err) {
      // Keep matching on the version in hand: a bad or vanished object never empties a list.
      logger.error('hotlist version could not be loaded; keeping the previous one', {
        source: v.source,
        version: v.versionId,
        err: err as Error,
      });
    }
  }

  // Start on the active versions before taking any read: a read matched against nothing
  // would be acknowledged without the alert it should have raised.
  for await (const key of await buckets.kv.keys()) {
    const e = await buckets.kv.get(key);
    if (e && e.operation === 'PUT') await apply(key, e.value);
  }
  const watcher = await buckets.kv.watch();
  const watchLoop = (async () => {
    for await (const e of watcher) {
      if (e.operation === 'PUT') await apply(e.key, e.value);
      else {
        lists = lists.filter((l) => l.list.meta.source !== e.key);
        logger.info('hotlist source withdrawn', { source: e.key });
      }
    }
  })();

  const jsm = await jetstreamManager(nc);
  try {
    await jsm.consumers.info(streams.reads, consumers.matcher);
  } catch {
    // First start: from now on. Reads already in the stream were seen before there was a matcher.
    await jsm.consumers.add(streams.reads, {
      durable_name: consumers.matcher,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: 10 * 1e9,
      max_ack_pending: 5000,
    });
  }
  const consumer = await js.consumers.get(streams.reads, consumers.matcher);
  const messages = await consumer.consume({ max_messages: 500 });

  async function handle(msg: JsMsg): Promise<void> {
    let read;
    try {
      read = decodeRead(msg);
    } catch (err) {
      if (!(err instanceof InvalidPayloadError)) throw err;
      stats.invalid++;
      logger.error('invalid read refused by matcher', { subject: msg.subject, problems: err.problems });
      msg.term('invalid payload');
      return;
    }
    stats.reads++;
    const now = clock();
    const active = lists;
    const hits = matchRead(read, active, now.getTime(), stats);
    if (hits.length) {
      const byVersion = new Map(active.map((l) => [l.list.meta.versionId, l.list]));
      await Promise.all(hits.map((h) => publishAlert(js, toAlert(read, h, byVersion.get(h.versionId)!, now))));
      stats.alerts += hits.length;
    }
    msg.ack();
  }

  // Matching is synchronous; only publishing a hit's alerts waits (for the ALERTS stream's
  // ack). Awaiting that read by read let a burst of hits queue behind one round trip each, so
  // several reads' alerts are in flight at once; each read is still acked after its own alerts.
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const msg of messages) {
      const p: Promise<void> = handle(msg)
        .catch((err) => {
          logger.error('match failed; the read will be redelivered', { err: err as Error, seq: msg.seq });
          msg.nak(1000);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= MAX_ALERTS_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();

  return {
    versions: () => lists.map((l) => ({ source: l.list.meta.source, versionId: l.list.meta.versionId, records: l.list.meta.recordCount })),
    waitForVersion(source, versionId) {
      if (lists.some((l) => l.list.meta.source === source && l.list.meta.versionId === versionId)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ source, versionId, resolve }));
    },
    stats,
    async stop() {
      await messages.close();
      await loop;
      watcher.stop();
      await watchLoop.catch(() => {});
      await nc.flush().catch(() => {});
    },
  };
}

/** The matcher as a supervised service (appliance/service-registry.ts). */
export async function startMatcherService(
  config: AlprConfig,
  logger: Logger,
): Promise<{ info: Record<string, unknown>; stop(): Promise<void> }> {
  const nc = await connectBus({ config, identity: natsIdentities.matcher, name: `matcher-${config.site.id}` });
  // The core, started and ready before the matcher, created the streams and hotlist buckets:
  // this identity may only read them.
  const matcher = await startMatcher({ nc, config, logger });
  return {
    info: { versions: matcher.versions() },
    async stop() {
      await matcher.stop();
      await nc.drain().catch(() => {});
    },
  };
}
