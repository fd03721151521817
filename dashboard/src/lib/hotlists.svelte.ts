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

  /** Adds an entry; a refusal (a duplicate, an unknown state) shows the appliance's reason. */
  addEntry(source: string, e: { plate: string; state: string; category: string; reason: string; expiresAt: string }): Promise<boolean> {
    this.message = null;
    return whileBusy(this, async () => {
      await ok(
        api.api.hotlists[':source'].entries.$post({ param: { source }, json: { ...e, state: e.state.trim().toUpperCase() || null } }),
      );
      this.message = `${e.plate.toUpperCase()} added to ${source}.`;
      await this.load();
      if (this.entries.source === source) await this.entries.load();
    });
  }

  /** Removes an entry (the reason is recorded with the new version and in the audit log). */
  removeEntry(source: string, entry: { recordId: string; plate: string }, reason: string): Promise<boolean> {
    this.message = null;
    return whileBusy(this, async () => {
      await ok(api.api.hotlists[':source'].entries.remove.$post({ param: { source }, json: { recordId: entry.recordId, reason } }));
      this.message = `${entry.plate} (record ${entry.recordId}) removed from ${source}.`;
      await this.load();
      if (this.entries.source === source) await this.entries.load();
    });
  }

  /** The entries of one list, a page at a time. */
  readonly entries = new HotlistEntries();
}

type EntriesPage = Awaited<ReturnType<typeof entriesPage>>;
export type HotlistEntry = EntriesPage['entries'][number];
const entriesPage = (source: string, plate: string, offset: number, limit: number) =>
  ok(
    api.api.hotlists[':source'].entries.$get({
      param: { source },
      query: { ...(plate.trim() ? { plate: plate.trim() } : {}), offset: String(offset), limit: String(limit) },
    }),
  );

/**
 * One list's entries as the management view pages through them: searched by part of a plate
 * (spaces and dashes ignored, as the server normalises it), each with who added it and when.
 */
export class HotlistEntries {
  source = $state('');
  search = $state('');
  offset = $state(0);
  readonly limit = 25;
  page = $state<EntriesPage | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  async show(source: string): Promise<void> {
    if (source !== this.source) {
      this.source = source;
      this.search = '';
      this.offset = 0;
      this.page = null;
    }
    await this.load();
  }

  /** A new search starts at the first page. */
  async find(text: string): Promise<void> {
    this.search = text;
    await this.load(0);
  }

  async next(): Promise<void> {
    if (this.hasNext) await this.load(this.offset + this.limit);
  }

  async previous(): Promise<void> {
    await this.load(Math.max(0, this.offset - this.limit));
  }

  get hasNext(): boolean {
    return this.page !== null && this.offset + this.limit < this.page.total;
  }

  /** "26–50 of 112", or null before anything is loaded. */
  get range(): string | null {
    const p = this.page;
    if (!p) return null;
    if (p.total === 0) return 'no entries';
    return `${this.offset + 1}–${Math.min(this.offset + p.entries.length, p.total)} of ${p.total}`;
  }

  /** Loads the page at `offset` (the current one by default); offset and page change together, once it has come. */
  async load(offset = this.offset): Promise<void> {
    if (!this.source) return;
    this.loading = true;
    this.error = null;
    try {
      let p = await entriesPage(this.source, this.search, offset, this.limit);
      // A page past the end (the last entry of the last page removed): the last page instead.
      if (p.entries.length === 0 && offset > 0 && p.total > 0) {
        offset = Math.floor((p.total - 1) / this.limit) * this.limit;
        p = await entriesPage(this.source, this.search, offset, this.limit);
      }
      this.offset = offset;
      this.page = p;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.loading = false;
    }
  }
}
