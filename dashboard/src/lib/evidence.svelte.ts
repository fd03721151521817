import { api, ApiError, blob, caseHeaders, messageOf, type CaseContext } from './api.ts';

/** A read this recent may not be stored yet: its image is asked for again, every second for 20 s. */
const FRESH_MS = 60_000;
const RETRIES = 20;
const RETRY_MS = 1000;

/** The enlarged plate image: at least this many times its stored size, and at least this tall. */
export const ZOOM_MIN_SCALE = 3;
export const ZOOM_MIN_HEIGHT_PX = 120;

/**
 * The size to draw an enlarged plate image at: ZOOM_MIN_SCALE times its pixels and at least
 * ZOOM_MIN_HEIGHT_PX tall, within `maxWidth` (a crop already wide enough is not blown up past the
 * screen). Pure.
 */
export function zoomSize(width: number, height: number, maxWidth: number): { width: number; height: number } {
  const want = Math.max(ZOOM_MIN_SCALE, ZOOM_MIN_HEIGHT_PX / Math.max(1, height));
  const scale = Math.min(want, maxWidth / Math.max(1, width));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

type Image = string | 'error' | 'none' | null;

/** A record's vehicle description as one line: "2019 HOND CIV 4D BLU". */
export function vehicleText(
  v: { make: string | null; model: string | null; style: string | null; colour: string | null; year: string | null } | null | undefined,
): string | null {
  if (!v) return null;
  const t = [v.year, v.make, v.model, v.style, v.colour].filter(Boolean).join(' ');
  return t || null;
}

/**
 * The evidence of one live alert, as the operator working it sees it (issue 31, point 3): the
 * plate image and, where the agency stores them, the vehicle image, through the alert's own image
 * routes (no case: the alert is the purpose; the appliance audits each view as such). "Characters
 * match" waits for `readable`: the plate image asked for enlarged (which the appliance records)
 * and drawn on screen at a readable size.
 */
export class AlertEvidence {
  /** Object URLs; 'none' where there is no such image, 'error' where it could not be had. */
  plate = $state<Image>(null);
  vehicle = $state<Image>(null);
  zoomed = $state<Image>(null);
  zoomOpen = $state(false);
  /** The enlarged image was drawn: the operator has seen the plate at a readable size. */
  readable = $state(false);
  error = $state<string | null>(null);
  /**
   * Why the alert's own image route refused (a role that does not work alerts, a historical hit,
   * an alert past the day): its images are then a search of stored reads, under a case.
   */
  refusal = $state<string | null>(null);
  /** The case the images were fetched under instead, when they were. */
  caseContext = $state<CaseContext | null>(null);
  #urls: string[] = [];
  #stopped = false;

  constructor(
    readonly alertId: string,
    /** When the read was captured: a fresh one's image may still be on its way to the store. */
    readonly capturedAt: string,
    /** The read's id, for the read image routes a case opens. */
    readonly readId = '',
  ) {}

  /**
   * Fetches the plate image (asked again while a fresh read is being stored), then the vehicle
   * image: the store writes a read's vehicle image before its crop, so once the crop is there a
   * vehicle image that is not is none. Each is an audited view.
   */
  async load(): Promise<void> {
    this.plate = await this.#fetch(() => api.api.alerts[':id'].image.$get({ param: { id: this.alertId }, query: {} }));
    if (this.plate === 'error') return;
    this.vehicle = await this.#fetch(() => api.api.alerts[':id']['vehicle-image'].$get({ param: { id: this.alertId } }), false);
  }

  /** The images through the read image routes, under a case and purpose (each view audited under them). */
  async withCase(context: CaseContext): Promise<void> {
    this.caseContext = context;
    this.error = null;
    const headers = caseHeaders(context);
    const id = this.readId;
    const [plate, vehicle] = await Promise.all([
      this.#fetch(() => api.api.reads[':id'].image.$get({ param: { id } }, { headers }), false),
      this.#fetch(() => api.api.reads[':id']['vehicle-image'].$get({ param: { id } }, { headers }), false),
    ]);
    [this.plate, this.vehicle, this.zoomed] = [plate, vehicle, plate];
    // Refused (no such case, a closed one): the form stays, with the appliance's reason, to try another.
    if (plate === 'error') this.caseContext = null;
    else this.refusal = null;
  }

  /** Opens the enlarged plate image; the appliance records that it was served to this user. */
  async zoom(): Promise<void> {
    this.zoomOpen = true;
    if (this.zoomed && this.zoomed !== 'error') return;
    if (this.caseContext) return; // under a case the crop is already here; enlarging it is drawing it bigger
    this.zoomed = await this.#fetch(() => api.api.alerts[':id'].image.$get({ param: { id: this.alertId }, query: { view: 'zoom' } }));
  }

  /** The enlarged image has been drawn at `height` px for a stored height of `natural` px. */
  shown(height: number, natural: number): void {
    if (height >= Math.min(ZOOM_MIN_HEIGHT_PX, natural * ZOOM_MIN_SCALE) - 1) this.readable = true;
  }

  closeZoom(): void {
    this.zoomOpen = false;
  }

  dispose(): void {
    this.#stopped = true;
    for (const u of this.#urls) URL.revokeObjectURL(u);
    this.#urls = [];
  }

  /** One image; `plate`: the alert's plate image, asked again while the read is fresh (it may not be stored yet). */
  async #fetch(call: () => Parameters<typeof blob>[0], plate = true): Promise<Image> {
    const fresh = Date.now() - Date.parse(this.capturedAt) < FRESH_MS;
    for (let attempt = 0; !this.#stopped; attempt++) {
      try {
        const url = URL.createObjectURL(await blob(call()));
        this.#urls.push(url);
        return url;
      } catch (err) {
        if (err instanceof ApiError && err.status === 403 && !this.caseContext) {
          // One reason shown: the plate image's (the vehicle image is refused for the same one).
          if (plate) this.refusal = err.detail;
          return 'error';
        }
        if (err instanceof ApiError && err.status === 404) {
          if (plate && fresh && attempt < RETRIES) {
            await new Promise((r) => setTimeout(r, RETRY_MS));
            continue;
          }
          return 'none';
        }
        this.error = messageOf(err);
        return 'error';
      }
    }
    return null;
  }
}
