import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AnchorCheck } from '../contracts/index.ts';

/**
 * Anchors of the audit log's hash chain, kept outside the store. The chain alone proves that no
 * entry was changed or removed *between* two entries, but whoever can write the store can cut
 * its end (or cut and re-append) and leave a chain that verifies. An anchor is a keyed MAC
 * (HMAC-SHA256) over the head (seq, hash) at a moment, with a key that is never in the store;
 * anchors are appended to a file beside it, each covering the one before, and copies go to the
 * webhook and syslog. Verification then needs every anchored entry to be in the log unchanged.
 */
export const ANCHOR_FILE = 'audit-anchors.jsonl';
export const ANCHOR_KEY_FILE = path.join('keys', 'audit-anchor.key');
const FIRST_PREV = '0'.repeat(64);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const anchorSchema = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().min(1),
  hash: hex64,
  at: z.iso.datetime(),
  /** The MAC of the anchor before this one in the file: dropping or inserting a line shows. */
  prev: hex64,
  mac: hex64,
});
export type Anchor = z.infer<typeof anchorSchema>;

export function anchorMac(key: Buffer, a: Omit<Anchor, 'mac'>): string {
  // A JSON array: one fixed field order, no key-ordering ambiguity.
  return createHmac('sha256', key)
    .update(JSON.stringify(['alpr-audit-anchor', a.v, a.seq, a.hash, a.at, a.prev]))
    .digest('hex');
}

export function makeAnchor(key: Buffer, head: { seq: number; hash: string }, at: Date, prev: string | null): Anchor {
  const body = { v: 1 as const, seq: head.seq, hash: head.hash, at: at.toISOString(), prev: prev ?? FIRST_PREV };
  return { ...body, mac: anchorMac(key, body) };
}

function macMatches(key: Buffer, a: Anchor): boolean {
  return timingSafeEqual(Buffer.from(anchorMac(key, a), 'hex'), Buffer.from(a.mac, 'hex'));
}

export interface AnchorProblem {
  /** 1-based line of the anchors file. */
  line: number;
  seq: number | null;
  kind: 'unreadable' | 'bad-mac' | 'out-of-order' | 'cut' | 'replaced';
  reason: string;
}

const MAX_LISTED = 20;

/** Parses the anchors file's lines and checks each MAC and each link to the line before. */
export function parseAnchors(
  text: string,
  key: Buffer,
): { anchors: { line: number; anchor: Anchor }[]; problems: AnchorProblem[]; lines: number } {
  const anchors: { line: number; anchor: Anchor }[] = [];
  const problems: AnchorProblem[] = [];
  let prevMac: string = FIRST_PREV;
  let lines = 0;
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    lines++;
    const line = i + 1;
    let parsed: Anchor;
    try {
      parsed = anchorSchema.parse(JSON.parse(raw));
    } catch {
      problems.push({ line, seq: null, kind: 'unreadable', reason: `line ${line} of the anchors file is not an anchor` });
      return;
    }
    if (!macMatches(key, parsed)) {
      // Not linked to: the writer links each anchor to the last genuine one.
      problems.push({
        line,
        seq: parsed.seq,
        kind: 'bad-mac',
        reason: `the anchor on line ${line} (entry ${parsed.seq}) has a MAC that does not match: it was forged or altered`,
      });
      return;
    }
    if (parsed.prev !== prevMac) {
      problems.push({
        line,
        seq: parsed.seq,
        kind: 'out-of-order',
        reason: `the anchor on line ${line} (entry ${parsed.seq}) does not follow the genuine anchor before it: anchors were removed, reordered or copied in`,
      });
    }
    // Still checked against the log: a genuine anchor vouches for its entry wherever it sits.
    anchors.push({ line, anchor: parsed });
    prevMac = parsed.mac;
  });
  return { anchors, problems, lines };
}

/**
 * Checks genuine anchors against the log: each anchored entry must still be there with the hash
 * it had. `stored` maps a seq to the hashes the store holds for it (two when a fork duplicated
 * it); `head` is the log's last entry now.
 */
export function checkAnchors(
  text: string,
  key: Buffer,
  stored: ReadonlyMap<number, readonly string[]>,
  head: { seq: number } | null,
): AnchorCheck {
  const { anchors, problems, lines } = parseAnchors(text, key);
  const end = head?.seq ?? 0;
  for (const { line, anchor: a } of anchors) {
    const hashes = stored.get(a.seq) ?? [];
    if (hashes.includes(a.hash)) continue;
    if (a.seq > end) {
      problems.push({
        line,
        seq: a.seq,
        kind: 'cut',
        reason: `the log's end was cut: it ends at entry ${end}, but entry ${a.seq} was anchored at ${a.at}`,
      });
    } else if (hashes.length === 0) {
      problems.push({ line, seq: a.seq, kind: 'cut', reason: `entry ${a.seq}, anchored at ${a.at}, is missing from the log` });
    } else {
      problems.push({
        line,
        seq: a.seq,
        kind: 'replaced',
        reason: `entry ${a.seq} is not the entry anchored at ${a.at} (its hash differs): it was rewritten, or the log was cut and written again`,
      });
    }
  }
  problems.sort((x, y) => x.line - y.line);
  const last = anchors.at(-1)?.anchor;
  return {
    ok: problems.length === 0,
    checked: true,
    anchors: lines,
    last: last ? { seq: last.seq, hash: last.hash, at: last.at } : null,
    problems: problems.slice(0, MAX_LISTED),
    moreProblems: Math.max(0, problems.length - MAX_LISTED),
    note: null,
  };
}

/** The seqs that the genuine anchors of a file name: what the store must be asked about. */
export function anchoredSeqs(text: string, key: Buffer): number[] {
  return [...new Set(parseAnchors(text, key).anchors.map((a) => a.anchor.seq))];
}

export class AnchorKeyError extends Error {
  override readonly name = 'AnchorKeyError';
}

/**
 * The anchor key: from the environment variable when set (64+ hex digits), else the key file
 * under the data directory, generated with mode 0600 when `create` (the core's first start).
 * Null when there is none and none may be created (the CLI checking a store it did not anchor).
 */
export async function loadAnchorKey(opts: {
  dataDir: string;
  keyEnv: string;
  env?: NodeJS.ProcessEnv;
  create: boolean;
}): Promise<Buffer | null> {
  const fromEnv = (opts.env ?? process.env)[opts.keyEnv];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^([0-9a-fA-F]{2}){32,}$/.test(fromEnv.trim()))
      throw new AnchorKeyError(`${opts.keyEnv} must hold at least 64 hex digits (32 bytes), e.g. from "openssl rand -hex 32"`);
    return Buffer.from(fromEnv.trim(), 'hex');
  }
  const file = path.join(opts.dataDir, ANCHOR_KEY_FILE);
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
  if (st) {
    // Anyone else who can read the key can forge anchors.
    if ((st.mode & 0o077) !== 0)
      throw new AnchorKeyError(`${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
    const text = (await readFile(file, 'utf8')).trim();
    if (!/^([0-9a-f]{2}){32,}$/.test(text)) throw new AnchorKeyError(`${file} does not hold a key (64+ hex digits)`);
    return Buffer.from(text, 'hex');
  }
  if (!opts.create) return null;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // wx: two processes starting at once never overwrite each other's key.
  const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600).catch((err: NodeJS.ErrnoException) =>
    err.code === 'EEXIST' ? null : Promise.reject(err),
  );
  if (!fh) return loadAnchorKey({ ...opts, create: false });
  try {
    await fh.writeFile(`${key.toString('hex')}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(path.dirname(file));
  return key;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => null);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the file itself is synced
  } finally {
    await fh.close();
  }
}

/** Appends one anchor line and fsyncs it before returning: an anchor the caller reports exists. */
export async function appendAnchorLine(file: string, a: Anchor): Promise<void> {
  const fresh = await stat(file).then(
    () => false,
    () => true,
  );
  const fh = await open(file, 'a+', 0o600);
  try {
    // A line torn by a power cut stays its own (unreadable) line instead of swallowing this one.
    const size = (await fh.stat()).size;
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    await fh.appendFile(`${lead}${JSON.stringify(a)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (fresh) await fsyncDir(path.dirname(file));
}

/** The last genuine anchor of a file's text (the next one links to it), or null. */
export function lastAnchor(text: string, key: Buffer): Anchor | null {
  let last: Anchor | null = null;
  for (const raw of text.split('\n')) {
    try {
      const a = anchorSchema.parse(JSON.parse(raw));
      if (macMatches(key, a)) last = a;
    } catch {
      // not an anchor: verification reports it
    }
  }
  return last;
}
