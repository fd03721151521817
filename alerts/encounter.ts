import type { Alert, HotlistsConfig } from '../contracts/index.ts';

/**
 * One alert per vehicle encounter, as pure functions. A car parked in view of a camera, or
 * driving past three cameras, hits the same list record again and again; each repeat within
 * the suppression window of the last sighting joins the alert already raised (a sighting) rather
 * than raising another. A hit on a read captured long before it was raised (a plate listed
 * after the car passed, an import, a late delivery) is historical: it is not live traffic.
 */
export type SuppressionPolicy = Pick<HotlistsConfig, 'suppressionMinutes' | 'suppressionByCategory' | 'liveMaxAgeMinutes'>;

/** The suppression window of a record category, in ms (0: every hit is its own alert). */
export function suppressionWindowMs(policy: SuppressionPolicy, category: string): number {
  return (policy.suppressionByCategory[category] ?? policy.suppressionMinutes) * 60_000;
}

/** Whether a hit is historical: flagged so by whoever raised it, or raised on a read older than the live limit. */
export function isHistorical(alert: Pick<Alert, 'historical' | 'raisedAt' | 'read'>, policy: SuppressionPolicy): boolean {
  if (alert.historical) return true;
  return Date.parse(alert.raisedAt) - Date.parse(alert.read.capturedAt) > policy.liveMaxAgeMinutes * 60_000;
}

/**
 * Same list record, same kind of queue: a live hit never joins a historical alert (it would
 * be hidden from the live queue), nor the reverse.
 */
export function encounterKey(alert: Pick<Alert, 'historical' | 'record'>): string {
  return `${alert.historical ? 'h' : 'l'}\u0000${alert.record.source}\u0000${alert.record.recordId}\u0000${alert.record.plate}`;
}

/** An open alert a new hit may join: its key and the span of its sightings. */
export interface OpenEncounter {
  alertId: string;
  key: string;
  firstSeenMs: number;
  lastSeenMs: number;
}

export type EncounterDecision = { kind: 'raise'; alert: Alert } | { kind: 'sighting'; alertId: string; alert: Alert };

/**
 * What each hit does: join the open alert of its key whose sightings lie within the window of
 * its capture time (before or after: deliveries come out of order), or raise a new alert that
 * later hits of the batch may join. Hits are taken in capture order; `open` is not changed.
 */
export function planEncounters(
  hits: readonly Alert[],
  open: readonly OpenEncounter[],
  windowMs: (category: string) => number,
): EncounterDecision[] {
  const byKey = new Map<string, OpenEncounter[]>();
  for (const e of open) {
    const list = byKey.get(e.key) ?? [];
    list.push({ ...e });
    byKey.set(e.key, list);
  }
  const ordered = [...hits].sort((a, b) => Date.parse(a.read.capturedAt) - Date.parse(b.read.capturedAt) || a.id.localeCompare(b.id));
  const out: EncounterDecision[] = [];
  for (const alert of ordered) {
    const key = encounterKey(alert);
    const at = Date.parse(alert.read.capturedAt);
    const w = windowMs(alert.record.category);
    const list = byKey.get(key) ?? [];
    const join = w > 0 ? list.find((e) => at >= e.firstSeenMs - w && at <= e.lastSeenMs + w) : undefined;
    if (join) {
      join.firstSeenMs = Math.min(join.firstSeenMs, at);
      join.lastSeenMs = Math.max(join.lastSeenMs, at);
      out.push({ kind: 'sighting', alertId: join.alertId, alert });
    } else {
      list.push({ alertId: alert.id, key, firstSeenMs: at, lastSeenMs: at });
      byKey.set(key, list);
      out.push({ kind: 'raise', alert });
    }
  }
  return out;
}
