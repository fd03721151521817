import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULT_TIME_ZONE, type AccessConfig, type RetentionConfig } from '../contracts/index.ts';
import { retentionReport } from '../store/index.ts';
import type { AuditLog, VerifyResult } from './audit-log.ts';
import type { ChainEntry } from './chain.ts';
import { listDeploymentEvents, listDeployments } from './deployments.ts';
import { listDisseminations } from './disseminations.ts';

/**
 * The reports the guidelines ask for: the audit report (7a, 7c: who accessed what, under
 * which case, and what looks wrong) and the annual evaluation (7b). The anomaly rules are pure
 * functions over audit entries so that they can be tested on their own.
 */
export const DATA_ACTIONS = new Set(['reads.search', 'reads.export', 'image.view', 'dissemination.agency', 'dissemination.owner']);

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
  return { verifications: total, verdicts, verifiedHits: verdicts.confirmed_hit ?? 0, misreadRate: total ? misread / total : null };
}

export interface EvaluationInput {
  client: ClickHouseClient;
  audit: AuditLog;
  retention: RetentionConfig;
  from: Date;
  to: Date;
}

/** The annual evaluation (guidelines 7b): performance, data quality, purge compliance, deployments. */
export async function evaluationReport(i: EvaluationInput) {
  const { client } = i;
  const hours = Math.max(1, Math.round((i.to.getTime() - i.from.getTime()) / 3_600_000));
  const rs = await client.query({
    // Aliases differ from the column names: ClickHouse would substitute an alias into the other aggregates.
    query: `SELECT camera_id, sum(reads) AS n_reads, sum(low_confidence) AS n_low, sum(no_state) AS n_no_state, uniqExactIf(hour, reads > 0) AS n_hours
            FROM reads_hourly WHERE hour >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64})) AND hour < fromUnixTimestamp64Milli({to:Int64})
            GROUP BY camera_id ORDER BY camera_id`,
    query_params: { from: i.from.getTime(), to: i.to.getTime() },
    format: 'JSONEachRow',
  });
  const cams = (await rs.json<{ camera_id: string; n_reads: string; n_low: string; n_no_state: string; n_hours: string }>()).map((r) => {
    const [n, h] = [Number(r.n_reads), Number(r.n_hours)];
    return {
      cameraId: r.camera_id,
      reads: n,
      hoursWithReads: h,
      // Hours in which the camera produced at least one read: the uptime the store can vouch for.
      uptimeShare: h / hours,
      readsPerHour: h ? n / h : 0,
      lowConfidenceShare: n ? Number(r.n_low) / n : null,
      noStateShare: n ? Number(r.n_no_state) / n : null,
    };
  });
  const reads = cams.reduce((a, c) => a + c.reads, 0);
  const hits = await countHits(client, i.from, i.to);
  const entries = await i.audit.list({ from: i.from, to: i.to, action: ALERT_ACTION, limit: 10_000 });
  const ver = verificationFigures(entries);
  const [deployments, events, dissem] = await Promise.all([
    listDeployments(client),
    listDeploymentEvents(client),
    listDisseminations(client, { from: i.from, to: i.to }),
  ]);
  const retention = await retentionReport(client, i.retention, 400).catch(() => null);
  const runs = retention?.runs.filter((r) => Date.parse(r.runAt) >= i.from.getTime() && Date.parse(r.runAt) < i.to.getTime()) ?? [];
  return {
    period: { from: i.from.toISOString(), to: i.to.toISOString(), hours },
    reads,
    hits,
    hitRate: hits !== null && reads ? hits / reads : null,
    ...ver,
    cameras: cams,
    dataQuality: {
      lowConfidenceShare: reads ? cams.reduce((a, c) => a + (c.lowConfidenceShare ?? 0) * c.reads, 0) / reads : null,
      noStateShare: reads ? cams.reduce((a, c) => a + (c.noStateShare ?? 0) * c.reads, 0) / reads : null,
      note: 'low confidence: below 0.8; counts come from hourly aggregates, which count a read redelivered after a crash twice',
    },
    purge: {
      settings: i.retention,
      runs: runs.length,
      runsLeavingExpiredRows: runs.filter((r) => r.remainingExpired > 0).length,
      heldReads: retention?.heldReads ?? null,
      compliant: retention ? runs.length > 0 && runs.every((r) => r.remainingExpired === 0) : null,
    },
    deployments: deployments.map((d) => ({
      id: d.id,
      cameraId: d.cameraId,
      status: d.status,
      mode: d.mode,
      authorizedBy: d.authorizedBy,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
      results: events.filter((e) => e.deploymentId === d.id && e.kind === 'result').length,
      exceptions: events.filter((e) => e.deploymentId === d.id && e.kind === 'exception').length,
    })),
    disseminations: {
      sent: dissem.filter((d) => d.outcome === 'sent').length,
      refused: dissem.filter((d) => d.outcome === 'refused').length,
    },
  };
}

/** Hits from the alerts table when the matcher's store has one; null when it cannot be told. */
async function countHits(client: ClickHouseClient, from: Date, to: Date): Promise<number | null> {
  try {
    const rs = await client.query({
      query:
        'SELECT count() AS n FROM alerts WHERE raised_at >= fromUnixTimestamp64Milli({from:Int64}) AND raised_at < fromUnixTimestamp64Milli({to:Int64})',
      query_params: { from: from.getTime(), to: to.getTime() },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
  } catch {
    return null;
  }
}

export type { VerifyResult };
