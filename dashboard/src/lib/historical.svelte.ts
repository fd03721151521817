import { api, messageOf, ok, type StoredAlert } from './api.ts';

export const HISTORICAL_PAGE = 50;

/**
 * Historical hits: alerts on reads that were already past when the hit was raised (a plate
 * listed after the car went by, an import, a late delivery). Investigators and supervisors
 * review them here; they never reach the operator's live queue. Pages of the server's order.
 */
export class HistoricalState {
  hits = $state<StoredAlert[]>([]);
  total = $state(0);
  offset = $state(0);
  /** Until the first page answers: the view says so rather than "none". */
  loading = $state(true);
  error = $state<string | null>(null);
  now = $state(Date.now());

  async load(offset = this.offset): Promise<void> {
    this.loading = true;
    try {
      const r = await ok(api.api.alerts.historical.$get({ query: { limit: String(HISTORICAL_PAGE), offset: String(offset) } }));
      this.hits = r.alerts;
      this.total = r.total;
      this.offset = offset;
      this.now = Date.now();
      this.error = null;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }

  get hasNext(): boolean {
    return this.offset + this.hits.length < this.total;
  }

  next(): Promise<void> {
    return this.load(this.offset + HISTORICAL_PAGE);
  }

  previous(): Promise<void> {
    return this.load(Math.max(0, this.offset - HISTORICAL_PAGE));
  }
}
