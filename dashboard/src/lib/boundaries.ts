import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlasUrl from 'us-atlas/counties-10m.json?url';
import { project } from './geo.ts';

/** The bundled US boundaries as SVG path data in Web Mercator world units (geo.ts), ready to scale. */
export interface BoundaryPaths {
  /** The land of the nation, filled. */
  land: string;
  /** Lines between states. */
  states: string;
  /** Lines between counties of one state (a state line is drawn once, as a state line). */
  counties: string;
}

type Atlas = Topology<{ counties: GeometryCollection; states: GeometryCollection; nation: GeometryCollection }>;
type Position = number[];

/** Path data of lines or rings: 3 decimals of a world unit are finer than the atlas's own grid (about 0.004°). */
function pathOf(lines: Position[][], closed: boolean): string {
  const out: string[] = [];
  for (const line of lines) {
    let last = '';
    let d = '';
    for (const [lon, lat] of line) {
      const p = project(lon!, lat!);
      const xy = `${p.x.toFixed(3)} ${p.y.toFixed(3)}`;
      if (xy === last) continue;
      d += (d ? 'L' : 'M') + xy;
      last = xy;
    }
    if (d) out.push(closed ? `${d}Z` : d);
  }
  return out.join('');
}

/**
 * The atlas (us-atlas's counties-10m: counties, states and the nation, from the Census Bureau's
 * cartographic boundaries) as three paths. Counties share a state's five-digit FIPS prefix: two
 * counties whose first two digits differ meet on a state line.
 */
export function boundaryPaths(atlas: Atlas): BoundaryPaths {
  const nation = feature(atlas, atlas.objects.nation);
  const polygons: Position[][] = [];
  for (const f of nation.features) {
    const g = f.geometry;
    if (g.type === 'Polygon') polygons.push(...g.coordinates);
    else if (g.type === 'MultiPolygon') for (const poly of g.coordinates) polygons.push(...poly);
  }
  const stateLines = mesh(atlas, atlas.objects.states, (a, b) => a !== b);
  const countyLines = mesh(atlas, atlas.objects.counties, (a, b) => a !== b && String(a.id).slice(0, 2) === String(b.id).slice(0, 2));
  return { land: pathOf(polygons, true), states: pathOf(stateLines.coordinates, false), counties: pathOf(countyLines.coordinates, false) };
}

let loading: Promise<BoundaryPaths> | null = null;

/**
 * The boundaries, fetched once a page from the dashboard's own assets (the atlas is bundled, so
 * no network beyond the appliance is needed) and decoded once: every map on the page shares them.
 */
export function loadBoundaries(): Promise<BoundaryPaths> {
  loading ??= fetch(atlasUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`map boundaries: HTTP ${r.status}`);
      return r.json() as Promise<Atlas>;
    })
    .then(boundaryPaths)
    .catch((err: unknown) => {
      loading = null;
      throw err;
    });
  return loading;
}
