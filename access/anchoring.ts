import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../contracts/index.ts';
import {
  ANCHOR_FILE,
  ANCHOR_KEY_FILE,
  anchoredSeqs,
  appendAnchorLine,
  checkAnchors,
  lastAnchor,
  loadAnchorKey,
  makeAnchor,
  type Anchor,
} from './anchor.ts';
import type { AnchorCheck } from '../contracts/index.ts';
import type { AnchorSink } from './anchor-sinks.ts';
import type { AuditLog, VerifyResult } from './audit-log.ts';
import { keyedMutex } from './versions.ts';

/**
 * Anchoring the audit log (issue 30, point 12): the core anchors the head every few minutes when
 * it has moved, on each audit report and when it stops; each anchor goes to the anchors file and
 * to the sinks. `check()` verifies the file against the store; the CLI uses it offline too.
 */
export interface AuditAnchoring {
  /** Anchors the current head (if it moved since the last anchor) and returns the last anchor. */
  anchorNow(): Promise<Anchor | null>;
  check(): Promise<AnchorCheck>;
  /** Anchors every intervalMs until stop(). */
  start(intervalMs: number): void;
  /** A last anchor, then the sinks stop. */
  stop(): Promise<void>;
  readonly file: string;
}

export interface AnchoringOptions {
  audit: Pick<AuditLog, 'head' | 'hashesAt'>;
  dataDir: string;
  keyEnv: string;
  /** The core generates the key on first start; the CLI only reads one. */
  createKey: boolean;
  sinks?: AnchorSink[];
  logger: Logger;
  clock?: () => Date;
  env?: NodeJS.ProcessEnv;
}

const readText = (file: string) =>
  readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));

export function createAuditAnchoring(opts: AnchoringOptions): AuditAnchoring {
  const clock = opts.clock ?? (() => new Date());
  const file = path.join(opts.dataDir, ANCHOR_FILE);
  const lock = keyedMutex();
  let key: Buffer | null = null;
  let last: Anchor | null | undefined; // undefined: not read from the file yet
  let timer: NodeJS.Timeout | null = null;

  const getKey = async () =>
    (key ??= await loadAnchorKey({ dataDir: opts.dataDir, keyEnv: opts.keyEnv, env: opts.env, create: opts.createKey }));

  async function anchorNow(): Promise<Anchor | null> {
    return lock('anchor', async () => {
      const k = await getKey();
      if (!k) return null;
      if (last === undefined) last = lastAnchor(await readText(file), k);
      const head = await opts.audit.head();
      if (!head) return last;
      if (last && last.seq === head.seq && last.hash === head.hash) return last;
      if (last && head.seq < last.seq) {
        // Anchored all the same: the earlier anchor keeps the evidence, and the log goes on.
        opts.logger.error('the audit log ends before its last anchor: entries were removed from the store', {
          head: head.seq,
          anchored: last.seq,
        });
      }
      const anchor = makeAnchor(k, head, clock(), last?.mac ?? null);
      await appendAnchorLine(file, anchor);
      last = anchor;
      for (const sink of opts.sinks ?? []) {
        try {
          sink.send(anchor);
        } catch (err) {
          opts.logger.warn('audit anchor sink failed', { sink: sink.name, err: err as Error });
        }
      }
      return anchor;
    });
  }

  async function check(): Promise<AnchorCheck> {
    const text = await readText(file);
    const k = await getKey();
    const lines = text.split('\n').filter((l) => l.trim()).length;
    if (!k) {
      const note = `no anchor key (${opts.keyEnv} unset and no ${path.join(opts.dataDir, ANCHOR_KEY_FILE)})`;
      if (lines === 0)
        return {
          ok: true,
          checked: false,
          anchors: 0,
          last: null,
          problems: [],
          moreProblems: 0,
          note: `${note}: the log has never been anchored`,
        };
      return {
        ok: false,
        checked: false,
        anchors: lines,
        last: null,
        problems: [],
        moreProblems: 0,
        note: `${note}: its ${lines} anchor(s) cannot be checked`,
      };
    }
    const head = await opts.audit.head();
    const stored = await opts.audit.hashesAt(anchoredSeqs(text, k));
    const result = checkAnchors(text, k, stored, head);
    if (lines === 0 && head) result.note = `no anchors in ${file}: the end of the log is vouched for by nothing outside the store`;
    return result;
  }

  return {
    file,
    anchorNow,
    check,
    start(intervalMs) {
      if (timer) return;
      timer = setInterval(
        () => void anchorNow().catch((err: Error) => opts.logger.error('audit anchor failed; will retry', { err })),
        intervalMs,
      );
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await anchorNow().catch((err: Error) => opts.logger.error('last audit anchor failed', { err }));
      for (const sink of opts.sinks ?? []) sink.stop?.();
    },
  };
}

/** The audit log whose verify() also checks the anchors: ok only when the chain and the anchors hold. */
export function withAnchoredVerify(audit: AuditLog, anchoring: Pick<AuditAnchoring, 'check'>): AuditLog {
  return {
    ...audit,
    async verify(): Promise<VerifyResult> {
      const chain = await audit.verify();
      const anchors = await anchoring.check();
      return { ...chain, ok: chain.ok && anchors.ok, anchors };
    },
  };
}
