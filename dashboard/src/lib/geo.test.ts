import { describe, expect, it } from 'vitest';
import { bboxParam, boxOf, CONUS, distanceKm, fitView, nearParam, project, TILE, tilesFor, tileUrl, unproject } from './geo.ts';

describe('Web Mercator as tile servers cut it', () => {
  it('puts 0,0 in the middle of the world and the corners at the cut-off latitudes', () => {
    expect(project(0, 0)).toEqual({ x: TILE / 2, y: TILE / 2 });
    expect(project(-180, 85.05112878).x).toBe(0);
    expect(project(-180, 85.05112878).y).toBeCloseTo(0, 6);
    expect(project(180, -85.05112878).y).toBeCloseTo(TILE, 6);
  });

  it('inverts its projection', () => {
    for (const [lon, lat] of [
      [-84.2807, 30.4383],
      [-80.19, 25.76],
      [-155.5, 19.6],
      [12, -40],
    ] as const) {
      const p = project(lon, lat);
      const back = unproject(p.x, p.y);
      expect(back.lat).toBeCloseTo(lat, 9);
      expect(back.lon).toBeCloseTo(lon, 9);
    }
  });

  it('lands Tallahassee on the tile a slippy map serves it from', () => {
    // The slippy-map formula: x = (lon+180)/360 · 2^z, y = (1 − ln(tan φ + sec φ)/π)/2 · 2^z, here at zoom 10.
    const p = project(-84.2807, 30.4383);
    expect(Math.floor((p.x / TILE) * 1024)).toBe(272);
    expect(Math.floor((p.y / TILE) * 1024)).toBe(421);
  });
});

describe('distances and areas', () => {
  it('measures great-circle distances in km', () => {
    // Tallahassee to Miami: about 657 km as the crow flies.
    expect(distanceKm({ lat: 30.4383, lon: -84.2807 }, { lat: 25.7617, lon: -80.1918 })).toBeCloseTo(656.6, 1);
    expect(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 })).toBeCloseTo(111.2, 1);
    expect(distanceKm({ lat: 30, lon: -84 }, { lat: 30, lon: -84 })).toBe(0);
  });

  it('makes a box of two corners dragged either way', () => {
    const b = { south: 30, west: -85, north: 31, east: -84 };
    expect(boxOf({ lat: 31, lon: -85 }, { lat: 30, lon: -84 })).toEqual(b);
    expect(boxOf({ lat: 30, lon: -84 }, { lat: 31, lon: -85 })).toEqual(b);
  });

  it('writes the search API parameters: bbox south,west,north,east and near lat,lon,metres', () => {
    expect(bboxParam({ south: 30.1, west: -84.5, north: 30.6, east: -84 })).toBe('30.100000,-84.500000,30.600000,-84.000000');
    expect(nearParam({ lat: 30.4383, lon: -84.2807 }, 2.5)).toBe('30.438300,-84.280700,2500');
    expect(nearParam({ lat: 0, lon: 0 }, 0)).toBe('0.000000,0.000000,1'); // the API wants at least a metre
  });
});

describe('views and tiles', () => {
  it('fits a box into the viewport, no closer than the zoom cap', () => {
    const v = fitView(CONUS, 1000, 600, 0);
    const a = project(CONUS.west, CONUS.north);
    const b = project(CONUS.east, CONUS.south);
    const s = 2 ** v.zoom;
    expect(Math.max((b.x - a.x) * s, (b.y - a.y) * s)).toBeCloseTo(Math.max(1000, 0), -1);
    expect(v.cx).toBeCloseTo((a.x + b.x) / 2, 9);
    const one = fitView({ south: 30, west: -84, north: 30, east: -84 }, 800, 400, 40, 12);
    expect(one.zoom).toBe(12);
  });

  it('lists the tiles that cover the view at the nearest integer zoom, wrapping in x and stopping at the poles', () => {
    const t = tilesFor({ cx: TILE / 2, cy: TILE / 2, zoom: 1 }, 512, 512, 'https://tiles.example.gov/{z}/{x}/{y}.png');
    expect(t.map((x) => x.key).sort()).toEqual(['1/0/0', '1/0/1', '1/1/0', '1/1/1']);
    expect(t.find((x) => x.key === '1/1/0')).toMatchObject({ url: 'https://tiles.example.gov/1/1/0.png', x: 128, y: 0, size: 128 });
    const wrapped = tilesFor({ cx: 0, cy: TILE / 2, zoom: 2 }, 256, 256, '{z}/{x}/{y}');
    expect(wrapped.map((x) => x.url)).toContain('2/3/1'); // tile x -1 is tile 3 of the next world to the west
    const capped = tilesFor({ cx: TILE / 2, cy: TILE / 2, zoom: 20.4 }, 256, 256, '{z}/{x}/{y}', 18);
    expect(capped.every((x) => x.key.startsWith('18/'))).toBe(true);
    expect(tileUrl('https://t.example/{z}/{y}/{x}?z={z}', 3, 4, 5)).toBe('https://t.example/3/5/4?z=3');
  });
});
