import { DEFAULT_TIME_ZONE, type AccessConfig } from '../contracts/index.ts';
import type { VerifyResult } from './audit-log.ts';
import type { ChainEntry } from './chain.ts';

/**
 * The reports the guidelines ask for: the audit report (7a, 7c: who accessed what, under
 * which case, and what looks wrong), and the verification figures the annual evaluation (7b,
 * evaluation.ts) takes from the log. The anomaly rules are pure functions over audit entries so
 * that they can be tested on their own.
 */
// A live alert's images (alert.image, alert.vehicle_image) are not here: they verify a hit the appliance raised, not a
// search an investigator chose, and counting them would flag a busy night shift; the log keeps them all the same.
export const DATA_ACTIONS = new Set([
  'reads.search',
  'reads.export',
  'image.view',
  'image.vehicle_view',
  'dissemination.agency',
  'dissemination.owner',
]);

export interface LocalTime {
  day: string;
  weekday: number;
  minutes: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function localTime(ms: number, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday!] ?? 0,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether a moment falls in the duty hours; a shift ending before it starts runs past midnight. */
export function onDuty(ms: number, duty: AccessConfig['dutyHours']): boolean {
  const t = localTime(ms, duty.timeZone ?? DEFAULT_TIME_ZONE);
  const start = toMinutes(duty.start);
  const end = toMinutes(duty.end);
  if (start < end) return duty.days.includes(t.weekday) && t.minutes >= start && t.minutes < end;
  if (t.minutes >= start) return duty.days.includes(t.weekday);
  return t.minutes < end && duty.days.includes((t.weekday + 6) % 7);
}

export interface Anomaly {
  kind: 'outside-duty-hours' | 'unusual-volume' | 'repeated-denials' | 'approved-by-own-designee';
  actor: string;
  day: string;
  count: number;
  detail: string;
  seqs: number[];
}

export interface AuditReport {
  entries: number;
  byUser: Record<string, { total: number; denied: number; dataAccesses: number; cases: string[]; actions: Record<string, number> }>;
  byCase: Record<string, { accesses: number; users: string[]; actions: Record<string, number> }>;
  anomalies: Anomaly[];
}

/** Changes to an account that only a second administrator may make for it. */
const SECOND_ADMIN_ACTIONS = new Set(['user.roles', 'training.record', 'user.enrolment.reset']);
/** Actions that hand an account's credentials to the administrator who performs them. */
const CONTROLLING_ACTIONS = new Set(['user.designate', 'user.enrolment.reset']);

/**
 * An administrator may not grant itself roles, record its own training or reset itself; a
 * second administrator must. Nothing can stop one person from designating (or resetting) an
 * account, enrolling it with the link they were handed, and approving their own change through
 * it: such an approval is flagged for the auditor, who checks that two people were involved.
 * A new appliance's first grants are flagged too (the first administrator designates the
 * second, who records the first one's training): reviewing them is the point.
 */
function approvedByOwnDesignee(entries: readonly ChainEntry[], timeZone: string): Anomaly[] {
  const controlledBy = new Map<string, Set<string>>();
  const found = new Map<string, Anomaly>();
  for (const e of entries) {
    if (e.outcome !== 'ok' || !e.target) continue;
    if (SECOND_ADMIN_ACTIONS.has(e.action) && controlledBy.get(e.actor)?.has(e.target)) {
      const day = localTime(e.atMs, timeZone).day;
      const key = `${e.actor}\u0000${e.target}\u0000${day}`;
      const a = found.get(key) ?? { kind: 'approved-by-own-designee' as const, actor: e.actor, day, count: 0, detail: '', seqs: [] };
      a.count++;
      a.seqs.push(e.seq);
      a.detail = `${a.count} change(s) to ${e.target} (roles, training or enrolment) by an account ${e.target} designated or reset: check that two people made them`;
      found.set(key, a);
    }
    if (CONTROLLING_ACTIONS.has(e.action)) {
      const set = controlledBy.get(e.target) ?? new Set<string>();
      set.add(e.actor);
      controlledBy.set(e.target, set);
    }
  }
  return [...found.values()];
}

export function auditReport(
  entries: readonly ChainEntry[],
  opts: { dutyHours: AccessConfig['dutyHours']; searchesPerDay: number; deniedPerDay?: number },
): AuditReport {
  const zone = opts.dutyHours.timeZone ?? DEFAULT_TIME_ZONE;
  const byUser: AuditReport['byUser'] = {};
  const byCase: AuditReport['byCase'] = {};
  const offDuty = new Map<string, number[]>();
  const volume = new Map<string, number[]>();
  const denials = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, seq: number) => m.set(k, [...(m.get(k) ?? []), seq]);

  for (const e of entries) {
    const u = (byUser[e.actor] ??= { total: 0, denied: 0, dataAccesses: 0, cases: [], actions: {} });
    u.total++;
    u.actions[e.action] = (u.actions[e.action] ?? 0) + 1;
    const day = localTime(e.atMs, zone).day;
    const key = `${e.actor}\u0000${day}`;
    if (e.outcome === 'denied') {
      u.denied++;
      push(denials, key, e.seq);
    }
    if (e.caseRef) {
      if (!u.cases.includes(e.caseRef)) u.cases.push(e.caseRef);
      const c = (byCase[e.caseRef] ??= { accesses: 0, users: [], actions: {} });
      c.accesses++;
      c.actions[e.action] = (c.actions[e.action] ?? 0) + 1;
      if (!c.users.includes(e.actor)) c.users.push(e.actor);
    }
    if (DATA_ACTIONS.has(e.action) && e.outcome === 'ok') {
      u.dataAccesses++;
      push(volume, key, e.seq);
      if (!onDuty(e.atMs, opts.dutyHours)) push(offDuty, key, e.seq);
    }
  }

  const anomalies: Anomaly[] = [];
  const split = (k: string) => k.split('\u0000') as [string, string];
  for (const [k, seqs] of offDuty) {
    const [actor, day] = split(k);
    anomalies.push({
      kind: 'outside-duty-hours',
      actor,
      day,
      count: seqs.length,
      detail: `${seqs.length} data access(es) outside duty hours (${opts.dutyHours.start}-${opts.dutyHours.end}, ${zone})`,
      seqs,
    });
  }
  for (const [k, seqs] of volume) {
    if (seqs.length <= opts.searchesPerDay) continue;
    const [actor, day] = split(k);
    anomalies.push({
      kind: 'unusual-volume',
      actor,
      day,
      count: seqs.length,
      detail: `${seqs.length} data accesses in one day (threshold ${opts.searchesPerDay})`,
      seqs,
    });
  }
  for (const [k, seqs] of denials) {
    if (seqs.length < (opts.deniedPerDay ?? 5)) continue;
    const [actor, day] = split(k);
    anomalies.push({
      kind: 'repeated-denials',
      actor,
      day,
      count: seqs.length,
      detail: `${seqs.length} refused attempts in one day`,
      seqs,
    });
  }
  anomalies.push(...approvedByOwnDesignee(entries, zone));
  anomalies.sort((a, b) => a.day.localeCompare(b.day) || a.actor.localeCompare(b.actor) || a.kind.localeCompare(b.kind));
  return { entries: entries.length, byUser, byCase, anomalies };
}

/** The audit action of the alert workflow's steps (alerts/routes.ts); a disposition closes the verification. */
export const ALERT_ACTION = 'alert.action';

/**
 * Hit and misread figures from operators' verifications: each alert disposition recorded in the
 * audit log (body { action: 'dispose', disposition }). A confirmed hit is a verified hit; a
 * misread is the operator finding that the system read the plate wrongly (guidelines 5d).
 */
export function verificationFigures(entries: readonly ChainEntry[]) {
  const verdicts: Record<string, number> = {};
  for (const e of entries) {
    if (e.action !== ALERT_ACTION || e.outcome !== 'ok') continue;
    let body: { action?: unknown; disposition?: unknown } | undefined;
    try {
      body = (JSON.parse(e.query) as { body?: typeof body }).body;
    } catch {
      body = { action: 'dispose', disposition: 'unknown' }; // clipped query: counted as unknown
    }
    if (body?.action !== 'dispose') continue; // the other steps are not verdicts
    const verdict = String(body.disposition ?? 'unknown');
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
  }
  const total = Object.values(verdicts).reduce((a, b) => a + b, 0);
  const misread = verdicts.misread ?? 0;
  // Duplicates closed (often in bulk) were never looked at as reads: they do not dilute the misread rate.
  const looked = total - (verdicts.duplicate ?? 0);
  return { verifications: total, verdicts, verifiedHits: verdicts.confirmed_hit ?? 0, misreadRate: looked ? misread / looked : null };
}

export type { VerifyResult };
