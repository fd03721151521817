import { api, type HealthReport } from './api.ts';

/** Appliance health, polled: services, cameras, store and NATS, for the status panel. */
export class HealthState {
  report = $state<HealthReport | null>(null);
  error = $state<string | null>(null);
  updatedAt = $state<Date | null>(null);
  #timer: ReturnType<typeof setInterval> | null = null;

  async refresh(): Promise<void> {
    try {
      const res = await api.api.health.report.$get();
      this.report = (await res.json()) as HealthReport;
      this.error = null;
      this.updatedAt = new Date();
    } catch (err) {
      this.error = `appliance unreachable: ${(err as Error).message}`;
    }
  }

  start(intervalMs = 2000): void {
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
