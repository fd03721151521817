import {
  api,
  ApiError,
  blob,
  caseHeaders,
  messageOf,
  ok,
  type AlertNotice,
  type CaseContext,
  type HealthReport,
  type StoredAlert,
} from './api.ts';
import { whileBusy } from './busy.ts';
// The one definition of the workflow's state; this file imports nothing, so the bundle takes no schema or bus code with it.
import { INITIAL_ALERT_STATE } from '../../../contracts/browser.ts';

/** A read this recent may not be stored yet: its image is asked for again, every second for 20 s. */
const IMAGE_FRESH_MS = 60_000;
const IMAGE_RETRIES = 20;
const IMAGE_RETRY_MS = 1000;

/** What an operator may do to an alert: the body the actions route validates. */
export type OperatorAction = Parameters<(typeof api.api.alerts)[':id']['actions']['$post']>[0]['json'];

export type LiveAlert = StoredAlert & { fresh: boolean };
export type AlertSighting = StoredAlert['sightings'][number];

/** A page of the queue: the server sorts (priority, then the latest sighting) and counts. */
export const QUEUE_PAGE = 100;

/** The queue's order, kept as sightings move an alert: the record's priority (1 first), then the latest sighting. */
export function queueOrder(a: StoredAlert, b: StoredAlert): number {
  return a.alert.record.priority - b.alert.record.priority || Date.parse(b.encounter.lastSeenAt) - Date.parse(a.encounter.lastSeenAt);
}

/** A freshly raised alert as the store lists it: its own read is its one sighting, its workflow not begun. */
export function raisedAlert(alert: StoredAlert['alert'], reminder: string): LiveAlert {
  const r = alert.read;
  const place = r.location.description ?? null;
  return {
    alert,
    reminder,
    events: [],
    state: { ...INITIAL_ALERT_STATE },
    encounter: { hits: 1, firstSeenAt: r.capturedAt, lastSeenAt: r.capturedAt, lastCameraId: r.cameraId, lastPlace: place },
    sightings: [{ readId: r.id, cameraId: r.cameraId, seenAt: r.capturedAt, plate: r.plate, place }],
    fresh: true,
  };
}

/** The alert after one more sighting: counted once, its trail most recent first. */
export function withSighting(a: LiveAlert, s: AlertSighting): LiveAlert {
  if (a.sightings.some((x) => x.readId === s.readId)) return a;
  const latest = Date.parse(s.seenAt) >= Date.parse(a.encounter.lastSeenAt);
  return {
    ...a,
    fresh: true,
    encounter: {
      ...a.encounter,
      hits: a.encounter.hits + 1,
      ...(latest ? { lastSeenAt: s.seenAt, lastCameraId: s.cameraId, lastPlace: s.place } : {}),
    },
    sightings: [s, ...a.sightings].sort((x, y) => Date.parse(y.seenAt) - Date.parse(x.seenAt)),
  };
}
export type Series = Awaited<ReturnType<typeof loadSeries>>;
const loadSeries = (range: '1h' | '6h' | '24h' | '7d' | '30d' | '1y') => ok(api.api.metrics.series.$get({ query: { range } }));

/**
 * The command centre: alerts as they are raised (server-sent events, so a hit shows within a
 * second), the verification workflow of the selected one, camera health and a ticker of reads
 * per camera. The page polls health and counts; polling does not keep a session unlocked.
 */
export class LiveState {
  alerts = $state<LiveAlert[]>([]);
  /** Open alerts of the shift, all of them, not only the pages loaded: how many wait. */
  waiting = $state(0);
  /** Open alerts the server holds beyond the pages loaded. */
  more = $state(0);
  /** Alerts marked for a supervisor's bulk close as duplicates. */
  marked = $state<string[]>([]);
  /** Now, every 15 s: "seen 3 min ago" moves on by itself. */
  now = $state(Date.now());
  /** false when this appliance has no alerts API (or this role may not see alerts). */
  alertsAvailable = $state(true);
  /** The first list of alerts has not answered yet: the page says "Loading…", not "No alerts." */
  alertsLoading = $state(true);
  streamUp = $state(false);
  selectedId = $state<string | null>(null);
  health = $state<HealthReport | null>(null);
  series = $state<Series | null>(null);
  sound = $state(localStorage.getItem('alpr.sound') === 'on');
  error = $state<string | null>(null);
  busy = $state(false);
  /** Plate crops by read id; the image route needs a case, given once per shift here. */
  images = $state<Record<string, string | 'error'>>({});
  imageContext = $state<CaseContext | null>(null);
  #source: EventSource | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #timers: ReturnType<typeof setInterval>[] = [];
  #audio: AudioContext | null = null;

  get selected(): LiveAlert | null {
    return this.alerts.find((a) => a.alert.id === this.selectedId) ?? null;
  }

  get open(): LiveAlert[] {
    return this.alerts.filter((a) => a.state.status !== 'closed');
  }

  /** The alerts as the queue shows them. */
  get queue(): LiveAlert[] {
    return [...this.alerts].sort(queueOrder);
  }

  start(withAlerts: boolean): void {
    void this.refreshHealth();
    void this.refreshSeries();
    this.#timers.push(
      setInterval(() => void this.refreshHealth(), 3000),
      setInterval(() => void this.refreshSeries(), 15_000),
      setInterval(() => (this.now = Date.now()), 15_000),
    );
    if (withAlerts) void this.loadAlerts().then(() => this.alertsAvailable && this.#connect());
    else this.alertsAvailable = false;
  }

  stop(): void {
    this.#timers.forEach(clearInterval);
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.#source?.close();
    this.#source = null;
    for (const url of Object.values(this.images)) if (url !== 'error') URL.revokeObjectURL(url);
  }

  async refreshHealth(): Promise<void> {
    try {
      this.health = (await (await api.api.health.report.$get()).json()) as HealthReport;
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  async refreshSeries(): Promise<void> {
    try {
      this.series = await loadSeries('1h');
    } catch {
      /* the ticker waits for the next round */
    }
  }

  async loadAlerts(): Promise<void> {
    try {
      const r = await ok(api.api.alerts.$get({ query: { status: 'open', limit: String(QUEUE_PAGE) } }));
      this.alerts = r.alerts.map((a) => ({ ...a, fresh: false }));
      this.waiting = r.waiting;
      this.more = Math.max(0, r.total - r.alerts.length);
      this.marked = [];
    } catch (err) {
      this.alertsAvailable = false;
      this.error = `Alerts unavailable: ${messageOf(err)}`;
    } finally {
      this.alertsLoading = false;
    }
  }

  /** The next page of the queue (the server's order); alerts already listed are not listed twice. */
  async loadMore(): Promise<void> {
    const loaded = this.alerts.filter((a) => a.state.status !== 'closed').length;
    await whileBusy(this, async () => {
      const r = await ok(api.api.alerts.$get({ query: { status: 'open', limit: String(QUEUE_PAGE), offset: String(loaded) } }));
      const have = new Set(this.alerts.map((a) => a.alert.id));
      this.alerts = [...this.alerts, ...r.alerts.filter((a) => !have.has(a.alert.id)).map((a) => ({ ...a, fresh: false }))];
      this.waiting = r.waiting;
      this.more = Math.max(0, r.total - loaded - r.alerts.length);
    });
  }

  mark(id: string, on: boolean): void {
    this.marked = on ? [...new Set([...this.marked, id])] : this.marked.filter((x) => x !== id);
  }

  /** A supervisor closes the marked alerts as duplicates, with one reason for all (one audited call). */
  async closeDuplicates(reason: string): Promise<boolean> {
    const ids = this.marked;
    if (!ids.length) return false;
    return whileBusy(this, async () => {
      const r = await ok(api.api.alerts['close-duplicates'].$post({ json: { ids, reason } }));
      if (r.skipped.length) this.error = `${r.skipped.length} not closed: ${r.skipped.map((s) => s.reason).join('; ')}`;
      await this.loadAlerts();
    });
  }

  #connect(): void {
    // Same origin: the session cookie goes along; EventSource reconnects by itself after a
    // network break. The server ends the stream when the session locks or ends ('end'), and
    // refuses a reconnection until it is unlocked: the page then asks again now and then, so
    // that alerts come back after an unlock without a reload.
    this.#retry = null;
    const es = new EventSource('/api/alerts/stream');
    this.#source = es;
    const later = () => {
      es.close();
      this.streamUp = false;
      if (this.#source === es && !this.#retry) this.#retry = setTimeout(() => this.#source === es && this.#connect(), 10_000);
    };
    es.addEventListener('ready', () => (this.streamUp = true));
    es.addEventListener('end', later);
    es.addEventListener('error', () => (es.readyState === EventSource.CLOSED ? later() : (this.streamUp = false)));
    es.addEventListener('alert', (e) => this.#notice(JSON.parse((e as MessageEvent<string>).data) as AlertNotice));
  }

  #notice(n: AlertNotice): void {
    if (n.type === 'alert.raised') {
      // Hits on past reads belong to the historical view; the server does not stream them either.
      if (n.alert.historical || this.alerts.some((a) => a.alert.id === n.alert.id)) return;
      this.alerts = [raisedAlert(n.alert, n.reminder), ...this.alerts];
      this.waiting++;
      this.#cue();
    } else if (n.type === 'alert.sighting') {
      // The same vehicle again: the card counts it and moves up, no new card, no new sound.
      if (n.historical) return;
      this.alerts = this.alerts.map((a) => (a.alert.id === n.alertId ? withSighting(a, n.sighting) : a));
    } else {
      // An action by anyone (or an escalation): reload that alert so every console agrees.
      void this.reload(n.alertId);
    }
  }

  #cue(): void {
    if (!this.sound) return;
    try {
      this.#audio ??= new AudioContext();
      const o = this.#audio.createOscillator();
      const g = this.#audio.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.15;
      o.connect(g).connect(this.#audio.destination);
      o.start();
      o.stop(this.#audio.currentTime + 0.35);
    } catch {
      /* no audio device: the visual cue remains */
    }
  }

  toggleSound(): void {
    this.sound = !this.sound;
    localStorage.setItem('alpr.sound', this.sound ? 'on' : 'off');
    // Browsers allow audio only after a user gesture: this click is one.
    if (this.sound) this.#audio ??= new AudioContext();
  }

  select(id: string): void {
    this.selectedId = id;
    this.alerts = this.alerts.map((a) => (a.alert.id === id ? { ...a, fresh: false } : a));
  }

  async reload(id: string): Promise<void> {
    try {
      const a = await ok(api.api.alerts[':id'].$get({ param: { id } }));
      if ('alert' in a) this.#replace({ ...a, fresh: this.alerts.find((x) => x.alert.id === id)?.fresh ?? false });
    } catch {
      /* shown on the next action */
    }
  }

  /** One step of the verification workflow; the server checks the order and records it. */
  async act(action: OperatorAction): Promise<boolean> {
    const a = this.selected;
    if (!a) return false;
    return whileBusy(this, async () => {
      const r = await ok(api.api.alerts[':id'].actions.$post({ param: { id: a.alert.id }, json: action }));
      if ('alert' in r) this.#replace({ ...r, fresh: false });
    });
  }

  /** Puts an alert's new state in place; one that closes no longer waits. */
  #replace(next: LiveAlert): void {
    const prior = this.alerts.find((x) => x.alert.id === next.alert.id);
    if (!prior) return;
    if (prior.state.status !== 'closed' && next.state.status === 'closed') this.waiting = Math.max(0, this.waiting - 1);
    this.alerts = this.alerts.map((x) => (x.alert.id === next.alert.id ? next : x));
  }

  async image(readId: string): Promise<void> {
    if (!this.imageContext || this.images[readId]) return;
    // An alert comes from the matcher, which sees a read as soon as it is published; its image is
    // served from the store, which writes reads in batches and under load a few seconds later.
    // A fresh alert's image that is not there yet is asked for again, not reported missing.
    const read = this.alerts.find((x) => x.alert.read.id === readId)?.alert.read;
    const fresh = !!read && Date.now() - Date.parse(read.capturedAt) < IMAGE_FRESH_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        const b = await blob(api.api.reads[':id'].image.$get({ param: { id: readId } }, { headers: caseHeaders(this.imageContext) }));
        this.images = { ...this.images, [readId]: URL.createObjectURL(b) };
        return;
      } catch (err) {
        if (fresh && err instanceof ApiError && err.status === 404 && attempt < IMAGE_RETRIES) {
          await new Promise((r) => setTimeout(r, IMAGE_RETRY_MS));
          continue;
        }
        this.images = { ...this.images, [readId]: 'error' };
        this.error = messageOf(err);
        return;
      }
    }
  }

  /** Reads per minute per camera: the latest complete minute and the hour's total. */
  get ticker(): { cameraId: string; lastMinute: number; hour: number; recent: number[] }[] {
    const s = this.series;
    if (!s) return [];
    const ids = new Set([...Object.keys(s.reads), ...(this.health?.cameras.map((c) => c.cameraId) ?? [])]);
    return [...ids].sort().map((id) => {
      const per = s.reads[id] ?? new Array<number>(s.t.length).fill(0);
      // The minute still filling is a rate over the part that has passed: it adds that part's reads.
      const last = s.partial?.elapsedShare ?? 1;
      const hour = Math.round(per.reduce((a, b, i) => a + (i === per.length - 1 ? b * last : b), 0));
      return { cameraId: id, lastMinute: per.at(-2) ?? 0, hour, recent: per.slice(-30) };
    });
  }
}
