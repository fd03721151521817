import { OWNER_REMINDER, startSignedPoster, type Alert, type AlertSighting, type WebhookOptions } from '../contracts/index.ts';
import type { AlertState, WorkflowEvent } from './workflow.ts';

/**
 * Alert events for people: a live feed (the SSE route subscribes here) and an optional signed
 * webhook. Neither can hold up the store consumer or the matcher: publishing only queues, the
 * webhook drains its queue on its own with retries and backoff, and a slow SSE client loses
 * its own messages past a bound, never anyone else's.
 */
export type AlertNotice =
  | { type: 'alert.raised'; alert: Alert; reminder: string }
  | { type: 'alert.event'; alertId: string; event: WorkflowEvent; state: AlertState }
  | { type: 'alert.escalated'; alertId: string; event: WorkflowEvent; alert: Alert | null; reminder: string }
  /** A repeat hit joined the alert (one alert per encounter): the card updates in place. */
  | { type: 'alert.sighting'; alertId: string; sighting: AlertSighting; historical: boolean };

export class AlertHub {
  private readonly subscribers = new Set<(n: AlertNotice) => void>();
  subscribe(fn: (n: AlertNotice) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
  publish(n: AlertNotice): void {
    for (const fn of this.subscribers) {
      try {
        fn(n);
      } catch {
        // one broken subscriber must not silence the others
      }
    }
  }
  raised(alert: Alert): void {
    this.publish({ type: 'alert.raised', alert, reminder: OWNER_REMINDER });
  }
}

export function startWebhook(hub: AlertHub, opts: WebhookOptions) {
  const poster = startSignedPoster(opts);
  const unsubscribe = hub.subscribe((n) => poster.send(JSON.stringify(n), n.type));
  return {
    get stats() {
      return poster.stats;
    },
    stop() {
      unsubscribe();
      poster.stop();
    },
  };
}
