import { createHash } from 'node:crypto';
import * as contracts from '../contracts/index.ts';
import type { Alert, HotlistSourceConfig, PlateRead } from '../contracts/index.ts';
import * as stalenessModule from './staleness.ts';
import type { CompiledList, RawHit } from './list.ts';
import * as score from './score.ts';
import type { StateMatch } from './score.ts';

// Module-local copies: tsx turns imported bindings into getter calls, which matchRead would
// pay on every read and every hit (as in list.ts).
const normalizePlate = contracts.normalizePlate;
const staleness = stalenessModule.staleness;
const scoreHit = score.scoreHit;
const stateMatch = score.stateMatch;

/**
 * Matching one read against every active list, as a pure function of the read, the lists,
 * their policies and the clock. The matcher service wraps it with NATS; the bench calls it.
 */
export type MatchPolicy = Pick<
  HotlistSourceConfig,
  'maxEdits' | 'confusion' | 'candidates' | 'wildcards' | 'minScore' | 'staleAfterHours' | 'staleAction'
>;

export interface ActiveList {
  list: CompiledList;
  policy: MatchPolicy;
}

export interface Hit {
  source: string;
  versionId: string;
  entry: number;
  text: string;
  kind: Alert['matchKind'];
  distance: number;
  confusion: boolean;
  stateMatch: StateMatch;
  score: number;
  stale: boolean;
}

// One row of the edit-distance table, reused: plates are at most MAX_KEY_LENGTH characters.
const row = new Int32Array(64);

function editDistanceSmall(a: string, b: string): number {
  if (a === b) return 0;
  if (b.length >= row.length) throw new RangeError('plate too long');
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const t = row[j]!;
      row[j] = Math.min(t + 1, row[j - 1]! + 1, diag + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      diag = t;
    }
  }
  return row[b.length]!;
}

export interface MatchStats {
  suppressedStale: number;
  expired: number;
  belowScore: number;
}

// Scratch for the one synchronous call in progress: the hot path allocates nothing per read.
const raw: RawHit[] = [];

/** Every hit of the read (best text, then candidates) on every list, best per record, best first. */
export function matchRead(
  read: Pick<PlateRead, 'plate' | 'candidates' | 'state'>,
  lists: readonly ActiveList[],
  nowMs: number,
  stats?: MatchStats,
): Hit[] {
  const plate = normalizePlate(read.plate);
  // Candidates are normalised only when a list wants them: the exact-only path stays lean.
  let candidateTexts: string[] | null = null;
  let best: Map<number, Hit> | null = null;
  let listNo = 0;
  for (const { list, policy } of lists) {
    listNo++;
    const stale = staleness(list.meta.extractedAt, policy, nowMs);
    const texts = policy.candidates ? 1 + read.candidates.length : 1;
    if (texts > 1 && !candidateTexts) candidateTexts = read.candidates.map((c) => normalizePlate(c.text));
    for (let ti = 0; ti < texts; ti++) {
      const text = ti === 0 ? plate : candidateTexts![ti - 1]!;
      const candidate = ti === 0 ? null : read.candidates[ti - 1]!;
      if (!text) continue;
      raw.length = 0;
      // A runner-up candidate is already the pipeline's second guess at the characters; an edit
      // on top of it would alert on plates two guesses away from what was read, so candidates
      // match through the confusion classes only.
      const maxEdits = candidate ? 0 : policy.maxEdits;
      if (maxEdits === 0 && !policy.confusion) list.exactEntries(text, raw);
      else list.fuzzyEntries(text, maxEdits, policy.confusion, raw);
      if (policy.wildcards && list.wildcardCount) list.wildcardEntries(text, raw);
      for (const h of raw) {
        if (stale === 'suppress') {
          if (stats) stats.suppressedStale++;
          continue;
        }
        const sm = stateMatch(read.state, list.stateName(h.state));
        // The best this hit can score is with no confusion on top of its edits (the true
        // distance is never below the distance in confusion space). An edit on another state's
        // plate falls below minScore already here, before the entry's expiry and text are read
        // (each a cache miss on a large list): that is most of the raw hits of a fuzzy text.
        if (
          !h.wildcard &&
          scoreHit({ wildcard: false, distance: h.distance, confusion: false, candidate, stateMatch: sm }) < policy.minScore
        ) {
          if (stats) stats.belowScore++;
          continue;
        }
        if (list.expired(h.entry, nowMs)) {
          if (stats) stats.expired++;
          continue;
        }
        // Only the plate and state are needed to score; the full record is read for alerts.
        const entryPlate = list.plateOf(h.entry);
        const trueDistance = h.wildcard ? 0 : editDistanceSmall(text, entryPlate);
        const distance = h.wildcard ? 0 : Math.min(h.distance, trueDistance);
        const score = scoreHit({ wildcard: h.wildcard, distance, confusion: trueDistance > distance, candidate, stateMatch: sm });
        if (score < policy.minScore) {
          if (stats) stats.belowScore++;
          continue;
        }
        const kind: Alert['matchKind'] = h.wildcard ? 'wildcard' : candidate ? 'candidate' : trueDistance === 0 ? 'exact' : 'fuzzy';
        const key = listNo * 4294967296 + h.entry;
        best ??= new Map();
        const prior = best.get(key);
        if (!prior || prior.score < score) {
          best.set(key, {
            source: list.meta.source,
            versionId: list.meta.versionId,
            entry: h.entry,
            text,
            kind,
            distance,
            confusion: trueDistance > distance,
            stateMatch: sm,
            score,
            stale: stale === 'stale',
          });
        }
      }
    }
  }
  if (!best) return [];
  if (best.size === 1) return [...best.values()];
  // One hit per record: a record listed under two plates is still one record.
  const byRecord = new Map<string, Hit>();
  for (const h of best.values()) {
    const list = lists.find((l) => l.list.meta.versionId === h.versionId)!.list;
    const key = `${h.source}\u0000${list.recordKeyOf(h.entry)}`;
    const prior = byRecord.get(key);
    if (!prior || prior.score < h.score) byRecord.set(key, h);
  }
  return [...byRecord.values()].sort((a, b) => b.score - a.score);
}

/** Alert id from read and record: a redelivered read, or a historical search of the same read, gives the same id. */
export function alertId(readId: string, source: string, recordId: string): string {
  const h = createHash('sha1').update(`${readId}\u0000${source}\u0000${recordId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The alert for one hit. */
export function toAlert(read: PlateRead, hit: Hit, list: CompiledList, raisedAt: Date, historical = false): Alert {
  const v = list.entry(hit.entry);
  const { cropJpeg: _crop, vehicleJpeg: _vehicle, ...bare } = read;
  return {
    id: alertId(read.id, hit.source, v.recordId),
    raisedAt: raisedAt.toISOString(),
    read: bare,
    record: {
      source: hit.source,
      recordId: v.recordId,
      plate: v.plate,
      state: v.state,
      category: v.category,
      extractVersion: hit.versionId,
      plateType: v.plateType,
      ori: v.ori,
      priority: v.priority,
      expiresAt: v.expiresAt === null ? null : new Date(v.expiresAt).toISOString(),
      vehicle: v.vehicle ?? null,
    },
    matchKind: hit.kind,
    score: hit.score,
    match: { text: hit.text, distance: hit.distance, confusion: hit.confusion, stateMatch: hit.stateMatch },
    stale: hit.stale,
    historical,
  };
}
