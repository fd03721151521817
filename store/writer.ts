import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  consumerInfoOrNull,
  consumers,
  decodeRead,
  InvalidPayloadError,
  streams,
  type Logger,
  type PlateRead,
} from '../contracts/index.ts';
import { insertEncodedReads, joinEncodedReads, ReadsEncoder, type EncodedReads } from './reads.ts';
import { recordStoredThrough, storedThrough, type StreamIdentity } from './writer-progress.ts';

/**
 * V8 flags for the process that runs the store writer (the appliance's core service, and the
 * benchmarks that time the writer). A batch in flight is tens of megabytes of short-lived
 * objects (fetched messages, the encoded rows); in V8's default 16 MiB semi-spaces many of them
 * live through a scavenge and are copied, some twice. At 64 MiB most of a batch dies young, and
 * the writer's garbage collection per read falls, most of all on its main thread
 * (docs/benchmarks.md, Store). The cost is up to ~150 MiB more young generation in that process.
 */
export const STORE_WRITER_V8_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

export interface StoreWriterOptions {
  nc: NatsConnection;
  client: ClickHouseClient;
  logger: Logger;
  /** Most reads fetched from JetStream and decoded at a time. */
  batchSize?: number;
  /**
   * Most reads per insert while a backlog is drained (live traffic is inserted as it is fetched).
   * ClickHouse wants few large inserts: each one writes a part for reads and for every view on
   * them, which is then merged again, so batches of 5000 spent more time on that than on the
   * reads themselves (docs/benchmarks.md, Store). Fetched batches are joined once encoded: decoded
   * reads in batches this large would make the writer's garbage collection the bottleneck instead.
   */
  insertRows?: number;
  /** Most payload bytes per batch, so that batches of reads with plate crops stay bounded. */
  batchBytes?: number;
  /** Longest a read waits for its batch to fill (JetStream's pull floor is 1000 ms). */
  maxWaitMs?: number;
  /** Delay before a batch that could not be stored is redelivered. */
  retryDelayMs?: number;
  /**
   * Whether a valid read may be stored: null to store it, or why not (access control: a camera
   * without an active deployment authorisation). Refused reads are terminated and never stored;
   * if the check itself fails the batch is redelivered like a failed insert.
   */
  admit?: (read: Pick<PlateRead, 'id' | 'cameraId' | 'capturedAt'>) => Promise<string | null>;
  onBatch?: (e: { stored: number; invalid: number; refused: number; ms: number }) => void;
  onError?: (err: Error) => void;
}

export interface StoreWriter {
  /**
   * Finishes the batches in hand (insert, then acknowledge) and stops fetching. Reads of a pull
   * still under way are left unacknowledged: JetStream delivers them again to the next writer.
   */
  stop(): Promise<void>;
  readonly healthy: boolean;
  readonly lastError: string | null;
}

/**
 * Consumes reads from JetStream and writes them to ClickHouse in batches. A batch is
 * acknowledged only after the insert holding it has returned: if the store is down or the
 * process dies mid-batch, JetStream redelivers and the ReplacingMergeTree on the read id
 * collapses any read that had in fact landed. Invalid payloads are logged whole and never
 * stored; the batch's acknowledgement covers them, so they are not retried forever.
 *
 * One acknowledgement per batch (ack policy "all": acknowledging a message acknowledges every
 * earlier one delivered to the consumer). A per-message acknowledgement costs CPU here and in
 * nats-server, about half of the 40 µs of a core per read that 50k reads/s on two cores leaves
 * (docs/benchmarks.md, Store). Acknowledging "all up to here" is only true if every earlier delivery was seen
 * and stored, so the writer checks that consumer delivery numbers have no gap and, after a
 * gap or a failed insert, restarts delivery from the consumer's acknowledgement floor instead
 * of acknowledging past what it did not store.
 */
export async function startStoreWriter(opts: StoreWriterOptions): Promise<StoreWriter> {
  const { nc, client, logger } = opts;
  const batchSize = opts.batchSize ?? 20_000;
  const insertRows = Math.max(batchSize, opts.insertRows ?? 3 * batchSize);
  const batchBytes = opts.batchBytes ?? 32 * 1024 ** 2;
  const maxWaitMs = Math.max(1000, opts.maxWaitMs ?? 1000);
  const retryDelayMs = opts.retryDelayMs ?? 2000;

  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const consumerConfig = {
    durable_name: consumers.storeWriter,
    ack_policy: AckPolicy.All,
    // A batch unacknowledged this long (its writer died) is redelivered to the next one;
    // far longer than an insert takes, short enough that a restarted core catches up quickly.
    ack_wait: 15 * 1e9,
    // Room for the insert in flight, the reads being gathered for the next one and the next fetch.
    max_ack_pending: 2 * insertRows + batchSize,
    // Consumer state in nats-server's memory. On file, nats-server re-encodes and rewrites every
    // unacknowledged delivery (here up to ~140k) ~10 ms after each change: 8.0-9.6 against
    // 6.3-6.7 µs of its CPU per read in interleaved 2M-read drains. What the file gave after a
    // restart, the floor, the writer keeps in the store instead (writer-progress.ts).
    mem_storage: true,
  };

  /** The stream being consumed, as the progress record names it; read when the consumer is opened. */
  let stream: StreamIdentity = { name: streams.reads, created: '' };

  /** How far the store says it has stored this stream; 0 (deliver from the floor nats-server knows) when it cannot say. */
  async function storedFloor(): Promise<number> {
    try {
      return await storedThrough(client, stream);
    } catch (err) {
      logger.warn('store writer cannot read its progress from the store; resuming from the consumer state alone', { err });
      return 0;
    }
  }

  /**
   * The consumer, and the delivery number its next message must carry. Delivery restarts after
   * the floor when anything is pending that this writer has not seen (a predecessor died holding
   * it, or `restart` after a gap or failed insert), when the consumer knows less than the store
   * (nats-server restarted: the consumer's state was in its memory), or when the consumer predates
   * ack policy "all" or memory state (neither can be changed in place). The floor is the higher of
   * the consumer's acknowledgement floor and the store's record: what lies above it may have been
   * stored already, and the read id collapses it.
   */
  async function openConsumer(restart: boolean): Promise<{ consumer: Consumer; nextDelivery: number }> {
    const info = await consumerInfoOrNull(jsm, streams.reads, consumers.storeWriter);
    stream = { name: streams.reads, created: (await jsm.streams.info(streams.reads)).created };
    const stored = await storedFloor();
    const known = info?.ack_floor.stream_seq ?? 0;
    if (
      info &&
      !restart &&
      info.config.ack_policy === AckPolicy.All &&
      info.config.mem_storage &&
      info.num_ack_pending === 0 &&
      known >= stored
    ) {
      if (info.config.ack_wait !== consumerConfig.ack_wait || info.config.max_ack_pending !== consumerConfig.max_ack_pending) {
        await jsm.consumers.update(streams.reads, consumers.storeWriter, {
          ack_wait: consumerConfig.ack_wait,
          max_ack_pending: consumerConfig.max_ack_pending,
        });
      }
      return { consumer: await js.consumers.get(streams.reads, consumers.storeWriter), nextDelivery: info.delivered.consumer_seq + 1 };
    }
    const floor = Math.max(known, stored);
    if (info) await jsm.consumers.delete(streams.reads, consumers.storeWriter);
    await jsm.consumers.add(streams.reads, {
      ...consumerConfig,
      ...(floor > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    if (info || floor > 0) {
      logger.info('store writer restarts delivery after its stored floor', {
        fromStreamSeq: floor + 1,
        consumerFloor: known,
        storedThrough: stored,
        pendingWas: info?.num_ack_pending ?? 0,
      });
    }
    return { consumer: await js.consumers.get(streams.reads, consumers.storeWriter), nextDelivery: 1 };
  }

  /** At start-up a clustered JetStream may still be electing leaders: retry briefly, then fail the caller. */
  async function openConsumerPatiently(): Promise<{ consumer: Consumer; nextDelivery: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await openConsumer(false);
      } catch (err) {
        if (attempt >= 20) throw err;
        logger.warn('store writer cannot open its consumer yet; retrying', { attempt, err });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  const knownLocations = new Set<string>();
  let stopping = false;
  let healthy = true;
  let lastError: string | null = null;

  interface Prepared {
    /** The batch's last delivery: acknowledging it settles the batch. */
    last: JsMsg;
    invalid: number;
    refused: number;
    /** The admitted reads encoded for insertion, or why the batch cannot be stored now. */
    encoded: EncodedReads | { failed: Error };
    t0: number;
  }

  /** Asks the admission check about each read of a fetched batch and leaves out the refused ones. */
  async function prepareBatch(fetched: Fetch): Promise<Prepared> {
    const t0 = performance.now();
    const { last, invalid, encoder, admissions } = fetched;
    if (!opts.admit) return { last: last!, invalid, refused: 0, encoded: encoder.finish(), t0 };
    // A refused read is never stored (the gate logs and counts it); the batch's ack settles it.
    // If the check itself fails, the batch is redelivered like a failed insert.
    try {
      const verdicts = await Promise.all(
        admissions.cameraIds.map((cameraId, i) =>
          opts.admit!({ id: admissions.ids[i]!, cameraId, capturedAt: admissions.capturedAts[i]! }),
        ),
      );
      const refused = verdicts.filter((v) => v !== null).length;
      return { last: last!, invalid, refused, encoded: refused ? encoder.finish((i) => verdicts[i] === null) : encoder.finish(), t0 };
    } catch (err) {
      return { last: last!, invalid, refused: 0, encoded: { failed: err as Error }, t0 };
    }
  }

  /** Stores prepared batches in one insert and acknowledges them; false when the insert (or an admission check) failed. */
  async function storeBatches(batches: Prepared[]): Promise<boolean> {
    const last = batches.reduce((a, b) => (b.last.seq > a.seq ? b.last : a), batches[0]!.last);
    const invalid = batches.reduce((n, b) => n + b.invalid, 0);
    const refused = batches.reduce((n, b) => n + b.refused, 0);
    const failed = batches.find((b) => 'failed' in b.encoded)?.encoded as { failed: Error } | undefined;
    const encoded = failed ?? joinEncodedReads(batches.map((b) => b.encoded as EncodedReads));
    const t0 = batches[0]!.t0;
    try {
      if ('failed' in encoded) throw encoded.failed;
      await insertEncodedReads(client, encoded, knownLocations);
      // Before the acknowledgement: a record behind it only means some reads stored twice (collapsed by id).
      await recordStoredThrough(client, stream, last.seq);
    } catch (err) {
      healthy = false;
      lastError = (err as Error).message;
      logger.error('store insert failed; reads stay in JetStream', { count: 'failed' in encoded ? undefined : encoded.count, err });
      opts.onError?.(err as Error);
      return false;
    }
    healthy = true;
    lastError = null;
    last.ack();
    opts.onBatch?.({ stored: encoded.count, invalid, refused, ms: performance.now() - t0 });
    return true;
  }

  // Size the next batch by the bytes of this one (reads with plate crops are ~10x larger):
  // the server's own max_bytes on a pull would do it, but not on every server we support.
  const nextBatchSize = (bytes: number, count: number) =>
    Math.max(100, Math.min(batchSize, Math.floor(batchBytes / Math.max(1, bytes / count))));

  // Pipelined: while one insert runs (on chDB's own thread, or over HTTP), the next batches are
  // fetched, decoded, admitted and encoded. At most one insert is in flight, so acknowledgements
  // stay in order and memory stays bounded. Under a backlog (fetches come back full) encoded
  // batches are gathered up to insertRows before they are inserted together.
  let { consumer, nextDelivery } = await openConsumerPatiently();

  /**
   * A pull of up to `asked` reads, decoded and encoded as they arrive in the background: JetStream
   * delivers the next batch while this one is stored, and a decoded read is garbage as soon as its
   * row is written (ReadsEncoder). What admission needs is kept apart, two strings a read.
   */
  interface Fetch {
    asked: number;
    received: number;
    bytes: number;
    /** Delivery number of the first message (the last one's is parsed once, at the end). */
    firstDelivery: number;
    /**
     * The last delivered, acknowledged for the batch. A redelivery (a lower stream sequence) can
     * come last; acknowledging it settles less, and the rest comes again and is collapsed by id.
     */
    last: JsMsg | null;
    invalid: number;
    encoder: ReadsEncoder;
    admissions: { ids: string[]; cameraIds: string[]; capturedAts: string[] };
    /** An error that is not the payload's fault (a bug): it stops the writer, as it would on any batch. */
    fatal: Error | null;
    done: Promise<void>;
  }
  const startFetch = (asked: number): Fetch => {
    const from = consumer;
    const f: Fetch = {
      asked,
      received: 0,
      bytes: 0,
      firstDelivery: 0,
      last: null,
      invalid: 0,
      // Not sized by `asked`: live traffic brings a few reads to each 20000-read pull.
      encoder: new ReadsEncoder({ knownLocations }),
      admissions: { ids: [], cameraIds: [], capturedAts: [] },
      fatal: null,
      done: Promise.resolve(),
    };
    f.done = (async () => {
      const iter = await from.fetch({ max_messages: asked, expires: maxWaitMs });
      for await (const msg of iter) {
        if (f.received++ === 0) f.firstDelivery = msg.info.deliverySequence;
        f.last = msg;
        f.bytes += msg.data.length;
        if (f.fatal) continue;
        // The core serves the API from this process: let it answer between slices of a big batch.
        if (f.received % 2000 === 0) await new Promise((r) => setImmediate(r));
        let read: PlateRead;
        try {
          read = decodeRead(msg);
        } catch (err) {
          if (!(err instanceof InvalidPayloadError)) {
            f.fatal = err as Error;
            continue;
          }
          f.invalid++;
          logger.error('invalid read refused', {
            subject: msg.subject,
            seq: msg.seq,
            problems: err.problems,
            payload: msg.string().slice(0, 2000),
          });
          continue;
        }
        try {
          f.encoder.add(read);
        } catch (err) {
          f.fatal = err as Error;
          continue;
        }
        if (opts.admit) {
          f.admissions.ids.push(read.id);
          f.admissions.cameraIds.push(read.cameraId);
          f.admissions.capturedAts.push(read.capturedAt);
        }
      }
    })();
    f.done.catch(() => {}); // awaited (and reported) by the loop, or dropped with its consumer on a restart
    return f;
  };

  const loop = (async () => {
    let inflight: Promise<boolean> = Promise.resolve(true);
    let restartFailed = false;
    let gathered: Prepared[] = [];
    let gatheredRows = 0;
    let gatheredBytes = 0;
    // The first batch is small: until one has been seen, nothing says how large reads are (a backlog of
    // reads with crops at 20000 a batch would be hundreds of megabytes).
    let askLater = Math.min(batchSize, 1000);
    let next: Fetch | null = null;
    while (!stopping) {
      const fetched = next ?? startFetch(askLater);
      next = null;
      // A failed pull (nats-server restarted and its memory held the consumer, or the connection
      // dropped) is handled like a gap: what it brought is dropped and the consumer reopened
      // after the floor, as the consumer it pulled from may be gone.
      let fetchFailed = false;
      try {
        await fetched.done;
      } catch (err) {
        if (stopping) break;
        logger.warn('fetch from JetStream failed; reopening the consumer', { err });
        fetchFailed = true; // the reopen below waits retryDelayMs first
      }
      if (fetched.fatal) throw fetched.fatal;
      const { asked, received } = fetched;
      // Every delivery must be in hand before a later one is acknowledged (see above). Delivery
      // numbers only rise, so the first and the last settle it, without parsing every message's
      // reply subject.
      let gap = fetchFailed;
      if (received && !fetchFailed) {
        const final = fetched.last!.info.deliverySequence;
        gap = fetched.firstDelivery !== nextDelivery || final - fetched.firstDelivery !== received - 1;
        nextDelivery = final + 1;
      }
      askLater = received ? nextBatchSize(fetched.bytes, received) : asked;
      if (!gap && !stopping) next = startFetch(askLater);
      const prepared = received && !gap ? await prepareBatch(fetched) : null;
      if (prepared) {
        gathered.push(prepared);
        gatheredRows += received;
        gatheredBytes += fetched.bytes;
        // Keep gathering while JetStream has more (the fetch came back full) and there is room.
        if (received >= asked && gatheredRows + (next?.asked ?? 0) <= insertRows && gatheredBytes < batchBytes && !stopping) continue;
      }
      const stored = await inflight;
      inflight = Promise.resolve(true);
      if (!stored || gap || restartFailed) {
        gathered = [];
        gatheredRows = gatheredBytes = 0;
        next = null; // pulled from the consumer that is about to be replaced
        // Nothing after the failed or missed deliveries may be acknowledged before they are
        // stored: drop what is in hand and have JetStream deliver again from the floor.
        if (gap && !fetchFailed) logger.warn('store writer missed deliveries; restarting delivery from the acknowledged floor', {});
        else await new Promise((r) => setTimeout(r, retryDelayMs));
        try {
          ({ consumer, nextDelivery } = await openConsumer(true));
          restartFailed = false;
        } catch (err) {
          logger.warn('store writer could not restart delivery; trying again', { err });
          await new Promise((r) => setTimeout(r, 500));
          restartFailed = true;
        }
        continue;
      }
      if (!gathered.length) continue;
      inflight = storeBatches(gathered);
      gathered = [];
      gatheredRows = gatheredBytes = 0;
    }
    await inflight;
    // The acknowledgement is a fire-and-forget publish: flush so that it is not lost with the connection.
    await nc.flush().catch(() => {});
  })().catch((err: Error) => {
    // Nothing is acknowledged after this: the reads wait in JetStream for the next start.
    healthy = false;
    lastError = `store writer stopped: ${err.message}`;
    logger.error('store writer stopped on an unexpected error', { err });
    opts.onError?.(err);
  });

  return {
    async stop() {
      stopping = true;
      await loop;
    },
    get healthy() {
      return healthy;
    },
    get lastError() {
      return lastError;
    },
  };
}
