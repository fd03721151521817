import { api, messageOf, ok } from './api.ts';
import { whileBusy } from './busy.ts';

export type HotlistOverview = Awaited<ReturnType<typeof load>>;
export type HotlistVersion = HotlistOverview['versions'][number];
const load = () => ok(api.api.hotlists.$get());

/**
 * The extract and agency lists: each source's active version and how old its extract is
 * (a stale extract can no longer vouch that a record is active), imports with the lines
 * they refused and why, and hand-made entries on agency lists.
 */
export class HotlistsState {
  overview = $state<HotlistOverview | null>(null);
  lastImport = $state<{
    state: string;
    records: number;
    badLines: number;
    error: string | null;
    problems: { line: number; reason: string }[];
  } | null>(null);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  async load(): Promise<void> {
    try {
      this.overview = await load();
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  /** Per source: the active version, its extract age and whether that exceeds the source's limit. */
  get sources() {
    const o = this.overview;
    if (!o) return [];
    return o.sources.map((s) => {
      const active = o.versions.find((v) => v.source === s.name && v.status === 'active') ?? null;
      const ageHours = active ? (Date.now() - Date.parse(active.extractedAt)) / 3_600_000 : null;
      return { ...s, active, ageHours, stale: ageHours === null || ageHours > s.staleAfterHours };
    });
  }

  async upload(source: string, file: File): Promise<void> {
    this.message = null;
    this.lastImport = null;
    await whileBusy(this, async () => {
      // The file is the request body, streamed by the server's parser as it arrives.
      const res = await api.api.hotlists.$post({ query: { source, filename: file.name } }, { init: { body: file } });
      // A refused or failed import is still an answer worth showing: which lines, and why.
      const job = (await res.json()) as {
        state?: string;
        records?: number;
        badLines?: number;
        error?: string | null;
        summary?: { bad?: number; problems?: { line: number; reason: string }[] } | null;
      };
      if (!job.state) throw new Error(job.error ?? `HTTP ${res.status}`);
      this.lastImport = {
        state: job.state,
        records: job.records ?? 0,
        badLines: job.summary?.bad ?? job.badLines ?? 0,
        error: job.error ?? null,
        problems: job.summary?.problems ?? [],
      };
      await this.load();
    });
  }

  addEntry(source: string, e: { plate: string; state: string; category: string; reason: string; expiresAt: string }): Promise<boolean> {
    this.message = null;
    return whileBusy(this, async () => {
      await ok(
        api.api.hotlists[':source'].entries.$post({ param: { source }, json: { ...e, state: e.state.trim().toUpperCase() || null } }),
      );
      this.message = `${e.plate.toUpperCase()} added to ${source}.`;
      await this.load();
    });
  }
}
