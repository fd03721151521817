import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  consumers,
  decodeRead,
  InvalidPayloadError,
  streams,
  type Logger,
  type PlateRead,
} from '../contracts/index.ts';
import { insertReads } from './reads.ts';

export interface StoreWriterOptions {
  nc: NatsConnection;
  client: ClickHouseClient;
  logger: Logger;
  /**
   * Most reads per insert. ClickHouse wants few large inserts: each one writes a part for reads
   * and for every view on them, a fixed ~150 ms on the 2-core appliance, so batches of 5000
   * spent more time on that than on the reads themselves (README, store benchmark).
   */
  batchSize?: number;
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
  admit?: (read: PlateRead) => Promise<string | null>;
  onBatch?: (e: { stored: number; invalid: number; refused: number; ms: number }) => void;
  onError?: (err: Error) => void;
}

export interface StoreWriter {
  /** Finishes the batch in hand (insert, then acknowledge) and stops fetching. */
  stop(): Promise<void>;
  readonly healthy: boolean;
  readonly lastError: string | null;
}

/**
 * Consumes reads from JetStream and writes them to ClickHouse in batches. A message is
 * acknowledged only after the insert holding it has returned: if the store is down or the
 * process dies mid-batch, JetStream redelivers and the ReplacingMergeTree on the read id
 * collapses any read that had in fact landed. Invalid payloads are terminated (never
 * retried forever) and logged whole, so nothing disappears unseen.
 */
export async function startStoreWriter(opts: StoreWriterOptions): Promise<StoreWriter> {
  const { nc, client, logger } = opts;
  const batchSize = opts.batchSize ?? 20_000;
  const batchBytes = opts.batchBytes ?? 32 * 1024 ** 2;
  const maxWaitMs = Math.max(1000, opts.maxWaitMs ?? 1000);
  const retryDelayMs = opts.retryDelayMs ?? 2000;

  const jsm = await jetstreamManager(nc);
  const consumerConfig = {
    durable_name: consumers.storeWriter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    // A batch unacknowledged this long (its writer died) is redelivered to the next one;
    // far longer than an insert takes, short enough that a restarted core catches up quickly.
    ack_wait: 15 * 1e9,
    // Room for the batch being inserted and the next one being fetched.
    max_ack_pending: 3 * batchSize,
  };
  try {
    await jsm.consumers.add(streams.reads, consumerConfig);
  } catch {
    // It exists from an earlier run with other settings: bring the mutable ones up to date.
    await jsm.consumers.update(streams.reads, consumers.storeWriter, { ack_wait: consumerConfig.ack_wait, max_ack_pending: consumerConfig.max_ack_pending });
  }
  const consumer = await jetstream(nc).consumers.get(streams.reads, consumers.storeWriter);

  const knownLocations = new Set<string>();
  let stopping = false;
  let healthy = true;
  let lastError: string | null = null;

  interface Decoded {
    valid: { msg: JsMsg; read: PlateRead }[];
    invalid: number;
    t0: number;
  }

  async function decodeBatch(msgs: JsMsg[]): Promise<Decoded> {
    const t0 = performance.now();
    const valid: Decoded['valid'] = [];
    let invalid = 0;
    for (let i = 0; i < msgs.length; i++) {
      // The core serves the API from this process: let it answer between slices of a big batch.
      if (i > 0 && i % 2000 === 0) await new Promise((r) => setImmediate(r));
      const msg = msgs[i]!;
      try {
        valid.push({ msg, read: decodeRead(msg) });
      } catch (err) {
        if (!(err instanceof InvalidPayloadError)) throw err;
        invalid++;
        logger.error('invalid read refused', { subject: msg.subject, seq: msg.seq, problems: err.problems, payload: msg.string().slice(0, 2000) });
        msg.term('invalid payload');
      }
    }
    return { valid, invalid, t0 };
  }

  async function storeBatch({ valid, invalid, t0 }: Decoded): Promise<void> {
    let refused = 0;
    try {
      if (opts.admit) {
        const verdicts = await Promise.all(valid.map((v) => opts.admit!(v.read)));
        for (let i = valid.length - 1; i >= 0; i--) {
          if (verdicts[i] === null) continue;
          valid[i]!.msg.term(verdicts[i]!);
          valid.splice(i, 1);
          refused++;
        }
      }
      await insertReads(client, valid.map((v) => v.read), knownLocations);
    } catch (err) {
      healthy = false;
      lastError = (err as Error).message;
      logger.error('store insert failed; reads stay in JetStream', { count: valid.length, err });
      opts.onError?.(err as Error);
      for (const v of valid) v.msg.nak(retryDelayMs);
      await new Promise((r) => setTimeout(r, retryDelayMs));
      return;
    }
    healthy = true;
    lastError = null;
    for (const v of valid) v.msg.ack();
    opts.onBatch?.({ stored: valid.length, invalid, refused, ms: performance.now() - t0 });
  }

  // Pipelined: while one batch is being inserted (on chDB's own thread, or over HTTP), the next
  // is fetched and decoded. At most one insert is in flight, so acknowledgements stay in order
  // and memory stays bounded.
  const loop = (async () => {
    let inflight: Promise<void> = Promise.resolve();
    // The first batch is small: until one has been seen, nothing says how large reads are (a backlog of
    // reads with crops at 20000 a batch would be hundreds of megabytes).
    let nextBatch = Math.min(batchSize, 1000);
    while (!stopping) {
      const batch: JsMsg[] = [];
      try {
        const iter = await consumer.fetch({ max_messages: nextBatch, expires: maxWaitMs });
        for await (const m of iter) batch.push(m);
      } catch (err) {
        if (stopping) break;
        logger.warn('fetch from JetStream failed', { err });
        await new Promise((r) => setTimeout(r, 500));
      }
      if (!batch.length) continue;
      // Size the next batch by the bytes of this one (reads with plate crops are ~10x larger):
      // the server's own max_bytes on a pull would do it, but not on every server we support.
      let bytes = 0;
      for (const m of batch) bytes += m.data.length;
      nextBatch = Math.max(100, Math.min(batchSize, Math.floor(batchBytes / Math.max(1, bytes / batch.length))));
      const decoded = await decodeBatch(batch);
      await inflight;
      inflight = storeBatch(decoded);
    }
    await inflight;
    // Acks are fire-and-forget publishes: flush so that none is lost with the connection.
    await nc.flush().catch(() => {});
  })();

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
