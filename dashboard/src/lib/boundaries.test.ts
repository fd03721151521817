import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { boundaryPaths } from './boundaries.ts';
import { project } from './geo.ts';

/** The atlas the dashboard bundles, read as the page fetches it. */
const atlas = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('us-atlas/counties-10m.json'), 'utf8'));

/** The points of a path, in world units. */
const points = (d: string) => [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));

describe('bundled US boundaries', () => {
  const paths = boundaryPaths(atlas);

  it('draws land, state lines and county lines in Web Mercator world units', () => {
    for (const d of [paths.land, paths.states, paths.counties]) expect(d).toMatch(/^M-?\d/);
    // Florida's panhandle state line with Alabama runs along 31°N near 86°W: a state line passes there.
    const alabama = project(-86.5, 31.0);
    const near = points(paths.states).filter((p) => Math.abs(p.x - alabama.x) < 0.2 && Math.abs(p.y - alabama.y) < 0.05);
    expect(near.length).toBeGreaterThan(0);
    // Every point lies in the world, with the US west of Greenwich and north of the equator (the Aleutians past 180° aside).
    const all = points(paths.counties);
    expect(all.length).toBeGreaterThan(10_000);
    expect(all.filter((p) => p.x < 128 && p.y < 128).length / all.length).toBeGreaterThan(0.99);
  });

  it('draws a state line once, as a state line, not again as a county line', () => {
    const key = (p: { x: number; y: number }) => `${p.x} ${p.y}`;
    const state = new Set(points(paths.states).map(key));
    const county = points(paths.counties).map(key);
    // Shared end points where county lines meet a state line are expected; whole shared runs are not.
    const shared = county.filter((k) => state.has(k)).length;
    expect(shared / county.length).toBeLessThan(0.05);
  });
});
