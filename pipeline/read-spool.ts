import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { checkStored, publishRead, type JetStreamClient, type Logger, type PlateReadInput } from '../contracts/index.ts';

/**
 * A camera worker's spool of reads that are not yet known to be in the store (durability.readSpool,
 * docs/durability.md). A read is appended and fdatasync'd before it is published, and dropped
 * once the core confirms it stored; what is still in the spool after a crash or a power loss is
 * checked and published again (same id: JetStream's duplicate window and the store's
 * ReplacingMergeTree keep it once). nats-server 2.9 fsyncs JetStream only every two minutes, so
 * without this a read JetStream acknowledged can vanish with the power; with it, a read is lost
 * only if the power fails before it was ever emitted.
 *
 * File format: JSON lines, `{"a": read}` adds one, `{"d": [ids]}` drops some. A torn last line
 * (the power failed mid-append) is skipped. The file is rewritten compactly when it opens and
 * whenever it has grown well past what it still holds.
 */
export class ReadSpool {
  private fd: number;
  private readonly pending = new Map<string, { read: PlateReadInput; addedAt: number; checkedAt: number }>();
  private bytes = 0;
  private closed = false;

  private constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        let entry: { a?: PlateReadInput; d?: string[] };
        try {
          entry = JSON.parse(line);
        } catch {
          continue; // a torn append
        }
        if (entry.a?.id) this.pending.set(entry.a.id, { read: entry.a, addedAt: 0, checkedAt: 0 });
        for (const id of entry.d ?? []) this.pending.delete(id);
      }
    }
    this.fd = this.rewrite();
  }

  /** Opens (or creates) the spool, keeping whatever an earlier run left unconfirmed. */
  static open(file: string): ReadSpool {
    return new ReadSpool(file);
  }

  /** Writes what is pending to a new file, fsyncs it and its directory, and swaps it in. */
  private rewrite(): number {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    let text = '';
    for (const { read } of this.pending.values()) text += JSON.stringify({ a: read }) + '\n';
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    const dir = openSync(path.dirname(this.file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.bytes = Buffer.byteLength(text);
    return openSync(this.file, 'a');
  }

  /** Records a read durably (returns once it is on disk). */
  add(read: PlateReadInput): void {
    if (this.closed) throw new Error(`read spool ${this.file} is closed`);
    const line = JSON.stringify({ a: read }) + '\n';
    writeSync(this.fd, line);
    fdatasyncSync(this.fd);
    this.bytes += Buffer.byteLength(line);
    this.pending.set(read.id, { read, addedAt: Date.now(), checkedAt: Date.now() });
  }

  /** Forgets reads the store confirmed (no fsync: a lost drop only means one more check). */
  done(ids: string[]): void {
    const gone = ids.filter((id) => this.pending.delete(id));
    if (!gone.length || this.closed) return;
    const line = JSON.stringify({ d: gone }) + '\n';
    writeSync(this.fd, line);
    this.bytes += Buffer.byteLength(line);
    if (this.bytes > 1024 * 1024 && this.bytes > 8 * 1024 * (this.pending.size + 1)) {
      closeSync(this.fd);
      this.fd = this.rewrite();
    }
  }

  /** Pending reads added before `olderThan` (ms since the epoch); reads from an earlier run count as old. */
  due(olderThan: number): PlateReadInput[] {
    return [...this.pending.values()].filter((p) => p.checkedAt <= olderThan).map((p) => p.read);
  }

  /** Marks reads as checked now, so that the next check of them waits its turn. */
  checked(ids: string[]): void {
    const now = Date.now();
    for (const id of ids) {
      const p = this.pending.get(id);
      if (p) p.checkedAt = now;
    }
  }

  get size(): number {
    return this.pending.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
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
  const reply = await checkStored(opts.nc, opts.cameraId, {
    reads: due.map((r) => ({ id: r.id, plate: r.plate, capturedAt: r.capturedAt })),
  });
  if (!reply) return null;
  const known = new Set([...reply.stored, ...reply.settled]);
  spool.done([...known]);
  for (const id of known) republished.delete(id);
  // In the store but with the matcher or the alert store behind: wait, neither lost nor confirmed.
  const waiting = new Set(reply.found);
  const missing = due.filter((r) => !known.has(r.id) && !waiting.has(r.id));
  spool.checked(due.filter((r) => waiting.has(r.id)).map((r) => r.id));
  spool.checked(missing.map((r) => r.id));
  let sent = 0,
    dropped = 0;
  if (reply.writerCaughtUp) {
    for (const r of missing) {
      const n = (republished.get(r.id) ?? 0) + 1;
      if (n > MAX_REPUBLISHES) {
        logger.error(`read never confirmed stored after ${MAX_REPUBLISHES} republishes; dropped from the spool`, {
          id: r.id,
          plate: r.plate,
        });
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
