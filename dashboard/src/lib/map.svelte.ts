import {
  boundsOf,
  boxOf,
  bboxParam,
  CONUS,
  distanceKm,
  fitView,
  nearParam,
  project,
  TILE,
  tilesFor,
  unproject,
  type GeoBox,
  type LatLon,
  type Point,
  type Tile,
  type View,
} from './geo.ts';

/** A camera as the map shows it (GET /api/map). */
export interface MapCamera {
  id: string;
  name: string;
  lat: number;
  lon: number;
  description: string;
}

/** A place to mark above the cameras: the camera of an alert, where its read was made. */
export interface MapHighlight {
  id: string;
  lat: number;
  lon: number;
  label: string;
}

/** A drawn search area: a box, or a circle of km around a point. */
export type GeoShape = { kind: 'box'; box: GeoBox } | { kind: 'radius'; center: LatLon; km: number };
export type MapTool = 'pan' | 'box' | 'radius';

/** The search API's widest radius (near=…, at most 100 000 m). */
export const MAX_RADIUS_KM = 100;
/** County lines from this zoom on (a state fills the view); below it they would be a grey smear. */
export const COUNTY_ZOOM = 6;
const MIN_ZOOM = 2;
const EARTH_CIRCUMFERENCE_KM = 40_075.017;
/** A press that moves less than this is a click, not a drawn shape. */
const DRAG_PX = 4;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * What a map shows and what is drawn on it: the view (centre and zoom in Web Mercator world
 * units, geo.ts), the viewport's size, panning and zooming about a point, and the box or radius
 * an investigator drags for a geographic search. Pointer positions are in the viewport's pixels.
 */
export class MapView {
  width = $state(640);
  height = $state(400);
  view = $state<View>({ cx: TILE / 2, cy: TILE / 2, zoom: MIN_ZOOM });
  tool = $state<MapTool>('pan');
  shape = $state<GeoShape | null>(null);
  #drag: { tool: MapTool; from: Point; at: LatLon; view: View; moved: boolean } | null = null;

  constructor(readonly maxZoom = 18) {}

  get scale(): number {
    return 2 ** this.view.zoom;
  }

  /** The SVG transform that puts world units where the view wants them. */
  get transform(): string {
    const s = this.scale;
    return `translate(${this.width / 2 - this.view.cx * s} ${this.height / 2 - this.view.cy * s}) scale(${s})`;
  }

  get showCounties(): boolean {
    return this.view.zoom >= COUNTY_ZOOM;
  }

  toScreen(p: LatLon): Point {
    const w = project(p.lon, p.lat);
    return { x: this.width / 2 + (w.x - this.view.cx) * this.scale, y: this.height / 2 + (w.y - this.view.cy) * this.scale };
  }

  toGeo(x: number, y: number, view = this.view): LatLon {
    const s = 2 ** view.zoom;
    return unproject(view.cx + (x - this.width / 2) / s, view.cy + (y - this.height / 2) / s);
  }

  resize(width: number, height: number): void {
    if (width > 0 && height > 0) [this.width, this.height] = [width, height];
  }

  /** Shows every point (the cameras), or the contiguous US when there is none. */
  fit(points: LatLon[], pad = 40): void {
    this.view = fitView(boundsOf(points) ?? CONUS, this.width, this.height, pad, Math.min(14, this.maxZoom));
  }

  /** Centres on a point, at least at `zoom` (an alert's camera: where it is, with its streets). */
  focus(p: LatLon, zoom = 11): void {
    const w = project(p.lon, p.lat);
    this.view = { cx: w.x, cy: w.y, zoom: clamp(Math.max(zoom, this.view.zoom), MIN_ZOOM, this.maxZoom) };
  }

  /** Zooms by `factor` keeping the place under (x, y) where it is: the wheel's and the buttons' zoom. */
  zoomAt(x: number, y: number, factor: number): void {
    const zoom = clamp(this.view.zoom + Math.log2(factor), MIN_ZOOM, this.maxZoom);
    const k = 2 ** zoom;
    const before = { x: this.view.cx + (x - this.width / 2) / this.scale, y: this.view.cy + (y - this.height / 2) / this.scale };
    this.view = { cx: before.x - (x - this.width / 2) / k, cy: before.y - (y - this.height / 2) / k, zoom };
  }

  panBy(dx: number, dy: number): void {
    const s = this.scale;
    this.view = { ...this.view, cx: this.view.cx - dx / s, cy: clamp(this.view.cy - dy / s, 0, TILE) };
  }

  tiles(template: string, maxZoom = this.maxZoom): Tile[] {
    return tilesFor(this.view, this.width, this.height, template, maxZoom);
  }

  pointerDown(x: number, y: number): void {
    this.#drag = { tool: this.tool, from: { x, y }, at: this.toGeo(x, y), view: { ...this.view }, moved: false };
  }

  pointerMove(x: number, y: number): void {
    const d = this.#drag;
    if (!d) return;
    if (!d.moved && Math.hypot(x - d.from.x, y - d.from.y) < DRAG_PX) return;
    d.moved = true;
    if (d.tool === 'pan') {
      const s = 2 ** d.view.zoom;
      this.view = { ...d.view, cx: d.view.cx - (x - d.from.x) / s, cy: clamp(d.view.cy - (y - d.from.y) / s, 0, TILE) };
    } else if (d.tool === 'box') {
      this.shape = { kind: 'box', box: boxOf(d.at, this.toGeo(x, y)) };
    } else {
      this.shape = { kind: 'radius', center: d.at, km: Math.min(MAX_RADIUS_KM, distanceKm(d.at, this.toGeo(x, y))) };
    }
  }

  /** Ends a press: true when it drew a shape (the search's cue). */
  pointerUp(x: number, y: number): boolean {
    const d = this.#drag;
    if (!d) return false;
    this.pointerMove(x, y);
    this.#drag = null;
    return d.moved && d.tool !== 'pan';
  }

  get dragging(): boolean {
    return this.#drag?.moved ?? false;
  }

  clearShape(): void {
    this.shape = null;
  }

  /** The drawn shape as the search API's filter (bbox or near), or nothing. */
  get query(): { bbox?: string; near?: string } {
    const s = this.shape;
    if (!s) return {};
    return s.kind === 'box' ? { bbox: bboxParam(s.box) } : { near: nearParam(s.center, s.km) };
  }

  /** The drawn shape in viewport pixels, for the overlay. */
  get shapeOnScreen():
    | { kind: 'box'; x: number; y: number; w: number; h: number }
    | { kind: 'radius'; x: number; y: number; r: number }
    | null {
    const s = this.shape;
    if (!s) return null;
    if (s.kind === 'box') {
      const a = this.toScreen({ lat: s.box.north, lon: s.box.west });
      const b = this.toScreen({ lat: s.box.south, lon: s.box.east });
      return { kind: 'box', x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
    }
    const c = this.toScreen(s.center);
    // Mercator stretches a ground distance by 1/cos(latitude): a small circle stays a circle.
    const worldPerKm = TILE / (EARTH_CIRCUMFERENCE_KM * Math.cos((s.center.lat * Math.PI) / 180));
    return { kind: 'radius', x: c.x, y: c.y, r: s.km * worldPerKm * this.scale };
  }

  /** Whether a place lies in the drawn area, as the search API decides it (box edges included, radius on the globe). */
  contains(p: LatLon): boolean {
    const s = this.shape;
    if (!s) return false;
    if (s.kind === 'radius') return distanceKm(s.center, p) <= s.km;
    const b = s.box;
    return p.lat >= b.south && p.lat <= b.north && p.lon >= b.west && p.lon <= b.east;
  }

  /** The shape in words, for the search form and the audit's reader. */
  get shapeLabel(): string {
    const s = this.shape;
    if (!s) return '';
    if (s.kind === 'radius')
      return `within ${s.km.toFixed(s.km < 10 ? 2 : 1)} km of ${s.center.lat.toFixed(4)}, ${s.center.lon.toFixed(4)}`;
    const b = s.box;
    return `box ${b.south.toFixed(4)}, ${b.west.toFixed(4)} to ${b.north.toFixed(4)}, ${b.east.toFixed(4)}`;
  }
}
