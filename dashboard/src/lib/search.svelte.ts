import { api, blob, caseHeaders, messageOf, ok, type CaseContext, type StoredRead } from './api.ts';
import { whileBusy } from './busy.ts';
import { download } from './download.ts';
import { fromZoneInput, toZoneInput } from './format.ts';

export type Read = StoredRead & { imageUrl: string | null };
export type SearchMode = 'plate' | 'pattern' | 'fuzzy';

export interface SearchForm {
  mode: SearchMode;
  text: string;
  candidates: boolean;
  /** datetime-local values (the appliance's time zone); empty for open-ended. */
  from: string;
  to: string;
  cameras: string;
  state: string;
  order: 'newest' | 'oldest';
}

export interface DisseminationForm {
  recipientAgency: string;
  recipientPerson: string;
  authority: string;
}

const PAGE = 50;
const DAY = 86_400_000;
/** datetime-local wants wall time without a zone: the appliance's, like every time the dashboard shows. */
export const toLocalInput = (d: Date) => toZoneInput(d);
const toIso = (local: string) => fromZoneInput(local);

/**
 * An investigator's search of stored reads. The case and purpose come first: the appliance
 * refuses every search, image and export without an open case (guidelines 6e), and so the
 * page asks for them before it shows a search form at all.
 */
export class SearchState {
  context = $state<CaseContext | null>(null);
  openCases = $state<{ caseRef: string; title: string }[]>([]);
  form = $state<SearchForm>({
    mode: 'plate',
    text: '',
    candidates: false,
    from: toLocalInput(new Date(Date.now() - 7 * DAY)),
    to: '',
    cameras: '',
    state: '',
    order: 'newest',
  });
  reads = $state<Read[]>([]);
  offset = $state(0);
  searched = $state(false);
  more = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  /** Object URLs of fetched plate crops by read id (the image route needs the case headers). */
  images = $state<Record<string, string | 'error'>>({});
  notice = $state<string | null>(null);
  /** The area drawn on the map (bbox or near, in the API's form) and its words; null searches everywhere. */
  area = $state<{ bbox?: string; near?: string; label: string } | null>(null);
  #pending = new Set<string>();

  constructor(readonly tacticalOnly: boolean) {}

  async loadCases(): Promise<void> {
    try {
      const r = await ok(api.api.cases.$get({ query: {} }));
      this.openCases = ('cases' in r ? r.cases : [])
        .filter((c) => c.status === 'open')
        .map((c) => ({ caseRef: c.caseRef, title: c.title }));
    } catch {
      // Listing cases is a convenience: a role without it types the case number.
      this.openCases = [];
    }
  }

  setContext(c: CaseContext): void {
    this.context = { caseRef: c.caseRef.trim(), purpose: c.purpose.trim() };
    this.clear();
  }

  clear(): void {
    for (const url of Object.values(this.images)) if (url !== 'error') URL.revokeObjectURL(url);
    this.images = {};
    this.reads = [];
    this.searched = false;
    this.notice = null;
  }

  #query(limit: number, offset: number) {
    const f = this.form;
    const q: Record<string, string> = { order: f.order, limit: String(limit), offset: String(offset) };
    if (f.text.trim()) q[f.mode] = f.text.trim();
    if (f.mode !== 'pattern' && f.candidates) q.candidates = 'true';
    const from = toIso(f.from);
    const to = toIso(f.to);
    if (from) q.from = from;
    if (to) q.to = to;
    if (f.cameras.trim()) q.camera = f.cameras.replace(/\s+/g, '');
    if (f.state.trim()) q.state = f.state.trim().toUpperCase();
    if (this.area?.bbox) q.bbox = this.area.bbox;
    if (this.area?.near) q.near = this.area.near;
    return q;
  }

  async search(offset = 0): Promise<void> {
    const context = this.context;
    if (!context) return;
    await whileBusy(this, async () => {
      // One more than a page tells whether there is a next page without a count query.
      const r = await ok(api.api.reads.$get({ query: this.#query(PAGE + 1, offset) }, { headers: caseHeaders(context) }));
      this.clear();
      this.more = r.reads.length > PAGE;
      this.reads = r.reads.slice(0, PAGE);
      this.offset = offset;
      this.searched = true;
    });
  }

  /** Fetches a plate crop once, as a blob: each view is an audited access under the case. */
  async image(read: Read): Promise<void> {
    if (!this.context || !read.hasImage || this.images[read.id] || this.#pending.has(read.id)) return;
    this.#pending.add(read.id);
    try {
      const b = await blob(api.api.reads[':id'].image.$get({ param: { id: read.id } }, { headers: caseHeaders(this.context) }));
      this.images = { ...this.images, [read.id]: URL.createObjectURL(b) };
    } catch {
      this.images = { ...this.images, [read.id]: 'error' };
    } finally {
      this.#pending.delete(read.id);
    }
  }

  /** Fetches a read's vehicle image once, where the agency stores them (keyed `v:<id>` in images), under the case. */
  async vehicleImage(read: Read): Promise<void> {
    const key = `v:${read.id}`;
    if (!this.context || !read.vehicleImageUrl || this.images[key] || this.#pending.has(key)) return;
    this.#pending.add(key);
    try {
      const b = await blob(api.api.reads[':id']['vehicle-image'].$get({ param: { id: read.id } }, { headers: caseHeaders(this.context) }));
      this.images = { ...this.images, [key]: URL.createObjectURL(b) };
    } catch {
      this.images = { ...this.images, [key]: 'error' };
    } finally {
      this.#pending.delete(key);
    }
  }

  /** The whole result as CSV for the case file (the export is audited under the case). */
  exportCsv(): Promise<void> {
    return this.#export('csv');
  }

  /**
   * The case file as a zip: manifest.json (case, who exported it and when, each read with its
   * image file and SHA-256), the CSV and the plate images. Audited under the case like the CSV.
   */
  exportCaseFile(): Promise<void> {
    return this.#export('zip');
  }

  async #export(kind: 'csv' | 'zip'): Promise<void> {
    if (!this.context) return;
    this.error = null;
    try {
      const q = this.#query(1, 0);
      delete q.limit;
      delete q.offset;
      const headers = caseHeaders(this.context);
      const day = new Date().toISOString().slice(0, 10);
      if (kind === 'csv') {
        download(await blob(api.api.reads['export.csv'].$get({ query: q }, { headers })), `alpr-${this.context.caseRef}-${day}.csv`);
      } else {
        download(await blob(api.api.reads['export.zip'].$get({ query: q }, { headers })), `alpr-case-${this.context.caseRef}-${day}.zip`);
      }
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  /**
   * Sharing with another agency: recorded in the dissemination log before anything is sent,
   * and the package carries the statutory notice. Disseminations select one plate.
   */
  async disseminate(d: DisseminationForm): Promise<boolean> {
    if (!this.context) return false;
    const plate = this.form.mode === 'plate' ? this.form.text.trim() : '';
    if (!plate) {
      this.error = 'A dissemination covers one plate: search an exact plate first.';
      return false;
    }
    this.error = null;
    try {
      const r = await ok(
        api.api.disseminations.$post(
          { json: { ...d, plate, from: toIso(this.form.from), to: toIso(this.form.to) } },
          { headers: caseHeaders(this.context) },
        ),
      );
      const lines = [
        ...r.notice.split('\n').map((l) => `# ${l}`),
        `# dissemination ${r.dissemination.id} to ${d.recipientAgency} (${d.recipientPerson}), case ${this.context.caseRef}`,
        'id,captured_at,plate,state,confidence,camera_id,lat,lon,location',
        ...r.reads.map((x) =>
          [
            x.id,
            x.capturedAt,
            x.plate,
            x.state ?? '',
            x.confidence,
            x.cameraId,
            x.location?.lat ?? '',
            x.location?.lon ?? '',
            JSON.stringify(x.location?.description ?? ''),
          ].join(','),
        ),
      ];
      download(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), `alpr-dissemination-${r.dissemination.id}.csv`);
      this.notice = `Dissemination ${r.dissemination.id} recorded: ${r.reads.length} read(s) to ${d.recipientAgency}.`;
      return true;
    } catch (err) {
      this.error = messageOf(err);
      return false;
    }
  }

  get tacticalFloor(): string {
    return toLocalInput(new Date(Date.now() - 30 * DAY + 60_000));
  }
}
