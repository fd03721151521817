import type { ClickHouseClient } from '@clickhouse/client';
import { auditEventSchema, type AuditEventInput, type AuditSink } from '../contracts/index.ts';
import type { AnchorCheck } from '../contracts/index.ts';
import { seal, verifyRun, type ChainBreak, type ChainEntry } from './chain.ts';
import { AuditUnavailableError } from './errors.ts';
import { keyedMutex } from './versions.ts';

/** Longest stored text per field: a hostile query string must not balloon the log. */
const MAX_FIELD = 512;
const MAX_QUERY = 8192;

const clip = (s: string | null, n = MAX_FIELD) => (s === null ? null : s.length > n ? `${s.slice(0, n)}…[truncated]` : s);

interface AuditRow {
  seq: string;
  at_ms: string;
  actor: string;
  action: string;
  target: string | null;
  query: string;
  case_ref: string | null;
  purpose: string | null;
  outcome: string;
  detail: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
}

const fromRow = (r: AuditRow): ChainEntry => ({
  seq: Number(r.seq),
  atMs: Number(r.at_ms),
  actor: r.actor,
  action: r.action,
  target: r.target,
  query: r.query,
  caseRef: r.case_ref,
  purpose: r.purpose,
  outcome: r.outcome,
  detail: r.detail,
  ip: r.ip,
  prevHash: r.prev_hash,
  hash: r.hash,
});

const COLUMNS =
  'seq, toUnixTimestamp64Milli(at) AS at_ms, actor, action, target, query, case_ref, purpose, outcome, detail, ip, prev_hash, hash';

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  action?: string;
  caseRef?: string;
  outcome?: 'ok' | 'denied' | 'error';
  limit?: number;
  afterSeq?: number;
  /** Below this seq: the next page of a newest-first listing. */
  beforeSeq?: number;
  /** Entries skipped (after the order): a page of a listing. */
  offset?: number;
  /** Oldest first (the chain's order) unless 'desc'. */
  order?: 'asc' | 'desc';
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string } | null;
  firstBreak: ChainBreak | null;
  /** The anchors kept outside the store (access/anchoring.ts), where the log has them; ok covers them too. */
  anchors?: AnchorCheck;
}

export interface AuditLog extends AuditSink {
  list(filter: AuditFilter): Promise<ChainEntry[]>;
  /** How many entries the filter matches (limit, offset and order aside): the pages of a listing. */
  count(filter: AuditFilter): Promise<number>;
  verify(): Promise<VerifyResult>;
  head(): Promise<{ seq: number; hash: string } | null>;
  /** The hashes stored for each of these seqs (two for a seq a fork duplicated); absent seqs are missing. */
  hashesAt(seqs: readonly number[]): Promise<Map<number, string[]>>;
}

/**
 * The append-only, hash-chained audit log in ClickHouse. Appends are serialised in this
 * process and each re-reads the chain's head from the table, so a second writer (the CLI on a
 * remote store) extends the chain instead of forking it; a fork that happens anyway shows up
 * in verify() as two entries with one seq.
 */
export function createAuditLog(opts: { client: ClickHouseClient; clock?: () => Date }): AuditLog {
  const { client } = opts;
  const clock = opts.clock ?? (() => new Date());
  const lock = keyedMutex();

  async function head() {
    const rs = await client.query({ query: 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1', format: 'JSONEachRow' });
    const row = (await rs.json<{ seq: string; hash: string }>())[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  }

  async function append(input: AuditEventInput): Promise<void> {
    const e = auditEventSchema.parse(input);
    let query = '';
    if (e.query !== undefined) {
      try {
        query = clip(JSON.stringify(e.query) ?? '', MAX_QUERY)!;
      } catch {
        query = '"[unserialisable query]"';
      }
    }
    try {
      await lock('chain', async () => {
        const entry = seal(
          {
            atMs: clock().getTime(),
            actor: clip(e.actor)!,
            action: clip(e.action, 64)!,
            target: clip(e.target),
            query,
            caseRef: clip(e.caseRef),
            purpose: clip(e.purpose),
            outcome: e.outcome,
            detail: clip(e.detail),
            ip: clip(e.ip, 64),
          },
          await head(),
        );
        await client.insert({
          table: 'audit_log',
          format: 'JSONEachRow',
          values: [
            {
              seq: entry.seq,
              at: entry.atMs,
              actor: entry.actor,
              action: entry.action,
              target: entry.target,
              query: entry.query,
              case_ref: entry.caseRef,
              purpose: entry.purpose,
              outcome: entry.outcome,
              detail: entry.detail,
              ip: entry.ip,
              prev_hash: entry.prevHash,
              hash: entry.hash,
            },
          ],
        });
      });
    } catch (err) {
      throw new AuditUnavailableError(err);
    }
  }

  function where(f: AuditFilter): { sql: string; params: Record<string, unknown> } {
    const where = ['1'];
    const params: Record<string, unknown> = {};
    if (f.from) where.push('at >= fromUnixTimestamp64Milli({from:Int64})'), (params.from = f.from.getTime());
    if (f.to) where.push('at < fromUnixTimestamp64Milli({to:Int64})'), (params.to = f.to.getTime());
    if (f.actor) where.push('actor = {actor:String}'), (params.actor = f.actor);
    // "reads.*" lists every action of a kind.
    if (f.action?.endsWith('*')) where.push('startsWith(action, {action:String})'), (params.action = f.action.slice(0, -1));
    else if (f.action) where.push('action = {action:String}'), (params.action = f.action);
    if (f.caseRef) where.push('case_ref = {caseRef:String}'), (params.caseRef = f.caseRef);
    if (f.outcome) where.push('outcome = {outcome:String}'), (params.outcome = f.outcome);
    if (f.afterSeq !== undefined) where.push('seq > {afterSeq:UInt64}'), (params.afterSeq = f.afterSeq);
    if (f.beforeSeq !== undefined) where.push('seq < {beforeSeq:UInt64}'), (params.beforeSeq = f.beforeSeq);
    return { sql: where.join(' AND '), params };
  }

  async function list(f: AuditFilter): Promise<ChainEntry[]> {
    const w = where(f);
    const order = f.order === 'desc' ? 'DESC' : 'ASC';
    const rs = await client.query({
      query: `SELECT ${COLUMNS} FROM audit_log WHERE ${w.sql} ORDER BY seq ${order} LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
      query_params: { ...w.params, limit: Math.min(f.limit ?? 500, 10_000), offset: f.offset ?? 0 },
      format: 'JSONEachRow',
    });
    return (await rs.json<AuditRow>()).map(fromRow);
  }

  async function count(f: AuditFilter): Promise<number> {
    const w = where(f);
    const rs = await client.query({
      query: `SELECT count() AS n FROM audit_log WHERE ${w.sql}`,
      query_params: w.params,
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
  }

  async function verify(): Promise<VerifyResult> {
    let prev: { seq: number; hash: string } | null = null;
    let count = 0;
    const page = 5000;
    for (;;) {
      // Paged on seq (the sorting key) so the whole log never sits in memory.
      const rs = await client.query({
        query: `SELECT ${COLUMNS} FROM audit_log WHERE seq > {after:UInt64} ORDER BY seq, hash LIMIT {page:UInt32}`,
        query_params: { after: prev?.seq ?? 0, page },
        format: 'JSONEachRow',
      });
      const rows: ChainEntry[] = (await rs.json<AuditRow>()).map(fromRow);
      const brk = verifyRun(rows, prev);
      if (brk) return { ok: false, entries: count, head: prev, firstBreak: brk };
      if (rows.length === 0) break;
      count += rows.length;
      const last: ChainEntry = rows[rows.length - 1]!;
      // A second entry with the last seq of a page would start the next page unseen.
      const dup = await client.query({
        query: 'SELECT count() AS n FROM audit_log WHERE seq = {seq:UInt64}',
        query_params: { seq: last.seq },
        format: 'JSONEachRow',
      });
      if (Number((await dup.json<{ n: string }>())[0]?.n ?? 1) > 1) {
        return {
          ok: false,
          entries: count,
          head: prev,
          firstBreak: { seq: last.seq, reason: `entry ${last.seq} appears twice (a second entry claims the same place in the chain)` },
        };
      }
      prev = { seq: last.seq, hash: last.hash };
      if (rows.length < page) break;
    }
    return { ok: true, entries: count, head: prev, firstBreak: null };
  }

  async function hashesAt(seqs: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    for (let i = 0; i < seqs.length; i += 5000) {
      const rs = await client.query({
        query: 'SELECT seq, groupArray(hash) AS hashes FROM audit_log WHERE seq IN {seqs:Array(UInt64)} GROUP BY seq',
        query_params: { seqs: seqs.slice(i, i + 5000) },
        format: 'JSONEachRow',
      });
      for (const r of await rs.json<{ seq: string; hashes: string[] }>()) out.set(Number(r.seq), r.hashes);
    }
    return out;
  }

  return { append, list, count, verify, head, hashesAt };
}
