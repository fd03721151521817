import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { distanceKm, project } from './geo.ts';
import { COUNTY_ZOOM, MapView, MAX_RADIUS_KM } from './map.svelte.ts';
import { SearchState } from './search.svelte.ts';

afterEach(() => vi.unstubAllGlobals());

const tallahassee = { lat: 30.4383, lon: -84.2807 };
const miami = { lat: 25.7617, lon: -80.1918 };

function view(w = 800, h = 400) {
  const m = new MapView();
  m.resize(w, h);
  return m;
}

describe('MapView', () => {
  it('fits the cameras into the viewport, and the contiguous US when there are none', () => {
    const m = view();
    m.fit([tallahassee, miami], 40);
    for (const p of [tallahassee, miami]) {
      const s = m.toScreen(p);
      expect(s.x).toBeGreaterThanOrEqual(39.9);
      expect(s.x).toBeLessThanOrEqual(760.1);
      expect(s.y).toBeGreaterThanOrEqual(39.9);
      expect(s.y).toBeLessThanOrEqual(360.1);
    }
    m.fit([]);
    const sf = m.toGeo(400, 200);
    expect(sf.lat).toBeGreaterThan(30);
    expect(sf.lat).toBeLessThan(45);
    expect(m.showCounties).toBe(false);
  });

  it('maps screen and geographic positions both ways, and its SVG transform agrees', () => {
    const m = view();
    m.focus(tallahassee, 9);
    const s = m.toScreen(tallahassee);
    expect(s.x).toBeCloseTo(400, 6);
    expect(s.y).toBeCloseTo(200, 6);
    const g = m.toGeo(123, 321);
    const back = m.toScreen(g);
    expect(back.x).toBeCloseTo(123, 6);
    expect(back.y).toBeCloseTo(321, 6);
    const [tx, ty, k] = /translate\((\S+) (\S+)\) scale\((\S+)\)/.exec(m.transform)!.slice(1).map(Number) as [number, number, number];
    const w = project(tallahassee.lon, tallahassee.lat);
    expect(tx + w.x * k).toBeCloseTo(400, 6);
    expect(ty + w.y * k).toBeCloseTo(200, 6);
    expect(m.showCounties).toBe(9 >= COUNTY_ZOOM);
  });

  it('zooms about the pointer: the place under it stays put', () => {
    const m = view();
    m.focus(tallahassee, 8);
    const before = m.toGeo(600, 100);
    m.zoomAt(600, 100, 2);
    expect(m.view.zoom).toBeCloseTo(9, 9);
    const after = m.toScreen(before);
    expect(after.x).toBeCloseTo(600, 6);
    expect(after.y).toBeCloseTo(100, 6);
    for (let i = 0; i < 40; i++) m.zoomAt(0, 0, 2);
    expect(m.view.zoom).toBe(18);
  });

  it('pans by dragging with the pan tool, and draws nothing', () => {
    const m = view();
    m.focus(tallahassee, 10);
    const start = m.toScreen(tallahassee);
    m.pointerDown(400, 200);
    m.pointerMove(450, 230);
    expect(m.pointerUp(500, 260)).toBe(false);
    const moved = m.toScreen(tallahassee);
    expect(moved.x - start.x).toBeCloseTo(100, 6);
    expect(moved.y - start.y).toBeCloseTo(60, 6);
    expect(m.shape).toBeNull();
    expect(m.query).toEqual({});
  });

  it('draws a box that becomes the bbox filter, whichever way it is dragged', () => {
    const m = view();
    m.focus(tallahassee, 10);
    m.tool = 'box';
    m.pointerDown(500, 300);
    expect(m.pointerUp(300, 100)).toBe(true);
    const nw = m.toGeo(300, 100);
    const se = m.toGeo(500, 300);
    expect(m.shape).toEqual({ kind: 'box', box: { south: se.lat, west: nw.lon, north: nw.lat, east: se.lon } });
    expect(m.query.bbox!.split(',').map(Number)).toEqual([se.lat, nw.lon, nw.lat, se.lon].map((v) => Number(v.toFixed(6))));
    const on = m.shapeOnScreen;
    expect(on).toMatchObject({ kind: 'box' });
    if (on?.kind === 'box') {
      expect(on.x).toBeCloseTo(300, 6);
      expect(on.w).toBeCloseTo(200, 6);
      expect(on.h).toBeCloseTo(200, 6);
    }
    expect(m.shapeLabel).toMatch(/^box 30\.\d{4}, -84\.\d{4} to 30\.\d{4}, -84\.\d{4}$/);
  });

  it('tells which places the drawn area holds, as the search API will', () => {
    const m = view();
    expect(m.contains(tallahassee)).toBe(false);
    m.shape = { kind: 'box', box: { south: 30, west: -85, north: 31, east: -84 } };
    expect([m.contains(tallahassee), m.contains(miami), m.contains({ lat: 30, lon: -85 })]).toEqual([true, false, true]);
    m.shape = { kind: 'radius', center: miami, km: 700 };
    expect([m.contains(tallahassee), m.contains(miami)]).toEqual([true, true]);
    m.shape = { kind: 'radius', center: miami, km: 600 };
    expect(m.contains(tallahassee)).toBe(false); // 657 km apart
  });

  it('takes a click for a click, not a shape', () => {
    const m = view();
    m.tool = 'box';
    m.pointerDown(100, 100);
    expect(m.pointerUp(102, 101)).toBe(false);
    expect(m.shape).toBeNull();
  });

  it('draws a radius from the press to the release, capped at the API limit, drawn as a circle of that many km', () => {
    const m = view();
    m.focus(tallahassee, 10);
    m.tool = 'radius';
    m.pointerDown(400, 200);
    expect(m.pointerUp(460, 200)).toBe(true);
    const s = m.shape;
    expect(s?.kind).toBe('radius');
    if (s?.kind !== 'radius') return;
    expect(s.center.lat).toBeCloseTo(tallahassee.lat, 9);
    expect(s.km).toBeCloseTo(distanceKm(tallahassee, m.toGeo(460, 200)), 9);
    const [lat, lon, metres] = m.query.near!.split(',').map(Number);
    expect([lat, lon]).toEqual([Number(tallahassee.lat.toFixed(6)), Number(tallahassee.lon.toFixed(6))]);
    expect(metres).toBe(Math.round(s.km * 1000));
    // At this zoom, 60 px east along the parallel is the circle's radius on screen.
    const on = m.shapeOnScreen;
    if (on?.kind === 'radius') expect(on.r).toBeCloseTo(60, 0);
    m.focus(tallahassee, 4);
    m.view = { ...m.view, zoom: 4 };
    m.pointerDown(400, 200);
    m.pointerUp(790, 200);
    expect(m.shape?.kind === 'radius' && m.shape.km).toBe(MAX_RADIUS_KM);
    m.clearShape();
    expect(m.query).toEqual({});
  });
});

describe('a drawn area in the search', () => {
  it("sends the map's box or radius with the search, and nothing once it is cleared", async () => {
    const api = fakeApi({ 'GET /api/reads': { json: { reads: [] } } });
    const s = new SearchState(false);
    s.setContext({ caseRef: 'MAP-1', purpose: 'where the vehicle was seen' });
    Object.assign(s.form, { from: '', text: '' });
    const m = view();
    m.focus(tallahassee, 10);
    m.tool = 'box';
    m.pointerDown(300, 100);
    m.pointerUp(500, 300);
    s.area = { ...m.query, label: m.shapeLabel };
    await s.search();
    expect(Object.fromEntries(api.last('/api/reads')!.query)).toEqual({ order: 'newest', limit: '51', offset: '0', bbox: m.query.bbox });
    m.tool = 'radius';
    m.pointerDown(400, 200);
    m.pointerUp(450, 200);
    s.area = { ...m.query, label: m.shapeLabel };
    await s.search();
    expect(api.last('/api/reads')!.query.get('near')).toBe(m.query.near);
    expect(api.last('/api/reads')!.query.has('bbox')).toBe(false);
    s.area = null;
    await s.search();
    expect([...api.last('/api/reads')!.query.keys()].sort()).toEqual(['limit', 'offset', 'order']);
  });
});
