/**
 * Web Mercator, as slippy-map tile servers cut their tiles: the world is TILE world units wide
 * at zoom 0 and 2^z times that in pixels at zoom z. The offline boundaries are drawn in the same
 * units, so that an agency's tiles, where configured, fall exactly under them.
 */
export const TILE = 256;
/** Web Mercator is cut off where it would run to infinity; tiles stop here too. */
export const MAX_LAT = 85.05112878;
const EARTH_KM = 6371.0088;

export interface LatLon {
  lat: number;
  lon: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface GeoBox {
  south: number;
  west: number;
  north: number;
  east: number;
}
/** What the map shows: the world point at the centre of the view and the zoom (2^zoom pixels a world unit). */
export interface View {
  cx: number;
  cy: number;
  zoom: number;
}

const rad = Math.PI / 180;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function project(lon: number, lat: number): Point {
  const s = Math.sin(clamp(lat, -MAX_LAT, MAX_LAT) * rad);
  return { x: ((lon + 180) / 360) * TILE, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE };
}

export function unproject(x: number, y: number): LatLon {
  const n = Math.PI - (2 * Math.PI * y) / TILE;
  return { lat: Math.atan(Math.sinh(n)) / rad, lon: (x / TILE) * 360 - 180 };
}

/** Great-circle distance in km (haversine), as ClickHouse's greatCircleDistance measures it within a fraction of a percent. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The box two corners span, whichever way they were dragged. */
export function boxOf(a: LatLon, b: LatLon): GeoBox {
  return { south: Math.min(a.lat, b.lat), west: Math.min(a.lon, b.lon), north: Math.max(a.lat, b.lat), east: Math.max(a.lon, b.lon) };
}

export function boundsOf(points: LatLon[]): GeoBox | null {
  if (!points.length) return null;
  return points.reduce<GeoBox>(
    (b, p) => ({
      south: Math.min(b.south, p.lat),
      west: Math.min(b.west, p.lon),
      north: Math.max(b.north, p.lat),
      east: Math.max(b.east, p.lon),
    }),
    { south: 90, west: 180, north: -90, east: -180 },
  );
}

/** The contiguous United States, shown when there is nothing to fit (no camera located yet). */
export const CONUS: GeoBox = { south: 24.4, west: -125, north: 49.5, east: -66.9 };

/**
 * The view that shows the whole box in a width x height viewport with `pad` pixels to spare on
 * each side, no closer than maxZoom: one camera alone is shown at street level, not at the
 * zoom where its point would fill the screen.
 */
export function fitView(box: GeoBox, width: number, height: number, pad = 32, maxZoom = 14): View {
  const a = project(box.west, box.north);
  const b = project(box.east, box.south);
  const w = Math.max(b.x - a.x, 1e-9);
  const h = Math.max(b.y - a.y, 1e-9);
  const zoom = Math.log2(Math.min(Math.max(width - 2 * pad, 1) / w, Math.max(height - 2 * pad, 1) / h));
  return { cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2, zoom: clamp(zoom, 0, maxZoom) };
}

export interface Tile {
  key: string;
  url: string;
  /** Where the tile lies, in world units. */
  x: number;
  y: number;
  size: number;
}

/** `{z}/{x}/{y}` filled in (a tile server's usual template). */
export const tileUrl = (template: string, z: number, x: number, y: number) =>
  template.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(y));

/**
 * The tiles that cover a view: at the integer zoom nearest the view's (at most maxZoom; beyond
 * it the last tiles are scaled up), wrapped round the antimeridian in x and cut at the poles in y.
 */
export function tilesFor(view: View, width: number, height: number, template: string, maxZoom = 18): Tile[] {
  const z = clamp(Math.round(view.zoom), 0, maxZoom);
  const n = 2 ** z;
  const size = TILE / n;
  const scale = 2 ** view.zoom;
  const x0 = Math.floor((view.cx - width / 2 / scale) / size);
  // A tile that starts exactly at the right or bottom edge is not in view.
  const x1 = Math.ceil((view.cx + width / 2 / scale) / size) - 1;
  const y0 = Math.max(0, Math.floor((view.cy - height / 2 / scale) / size));
  const y1 = Math.min(n - 1, Math.ceil((view.cy + height / 2 / scale) / size) - 1);
  const tiles: Tile[] = [];
  // A view wider than the world at zoom 0 would list the same tile over and over.
  if (x1 - x0 > 64 || y1 - y0 > 64) return tiles;
  for (let ty = y0; ty <= y1; ty++) {
    for (let tx = x0; tx <= x1; tx++) {
      const wx = ((tx % n) + n) % n;
      tiles.push({ key: `${z}/${tx}/${ty}`, url: tileUrl(template, z, wx, ty), x: tx * size, y: ty * size, size });
    }
  }
  return tiles;
}

/** Query values of the search API: bbox=south,west,north,east and near=lat,lon,metres (6 decimals: about 10 cm). */
export const bboxParam = (b: GeoBox) => [b.south, b.west, b.north, b.east].map((v) => v.toFixed(6)).join(',');
export const nearParam = (c: LatLon, km: number) => `${c.lat.toFixed(6)},${c.lon.toFixed(6)},${Math.max(1, Math.round(km * 1000))}`;
