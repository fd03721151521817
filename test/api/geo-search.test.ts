import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapSchema, plateReadSchema, validateConfig, type PlateRead } from '../../contracts/index.ts';
import { insertReads } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { addCase, addUser, buildApp, caseHeaders, signIn, type Signed, type TestApp } from '../access/helpers.ts';

/**
 * The map's API against the real engine (chDB) behind the real access guard: geographic search
 * by box (bbox) and radius (near) under a case, refused without one and audited with its area;
 * clear 400s for a bad area; the cameras and tile server the dashboard map draws, with the tile
 * host, and only it, let into the content policy.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
let investigator: Signed;
let operator: Signed;

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const tallahassee = { lat: 30.4383, lon: -84.2807, description: 'US-27 at Capital Circle' };
const tallahasseeSouth = { lat: 30.3935, lon: -84.2649, description: 'Crawfordville Rd at Capital Circle' };
const miami = { lat: 25.7617, lon: -80.1918, description: 'Biscayne Blvd' };
const read = (over: Parameters<typeof makeRead>[0]): PlateRead => plateReadSchema.parse(makeRead(over));
const reads = {
  north: read({ plate: 'GEO1001', cameraId: 'cam-north', location: tallahassee, capturedAt: ago(30) }),
  south: read({ plate: 'GEO1002', cameraId: 'cam-south', location: tallahasseeSouth, capturedAt: ago(20) }),
  miami: read({ plate: 'GEO1003', cameraId: 'cam-miami', location: miami, capturedAt: ago(10) }),
};
const TILES = 'https://tiles.county.example.gov/osm/{z}/{x}/{y}.png';

beforeAll(async () => {
  store = await startTestStore();
  await insertReads(store.client, Object.values(reads));
  t = buildApp(store.client, {}, undefined, {
    map: {
      cameras: [
        {
          id: 'cam-north',
          name: 'Capital Circle north',
          location: { lat: 30.44, lon: -84.28, description: 'configured place' },
          direction: 'N',
        },
        { id: 'cam-idle', name: 'Not yet reading', location: { lat: 30.5, lon: -84.3, description: 'new pole' }, direction: 'S' },
      ],
      map: mapSchema.parse({ tileUrl: TILES, tileAttribution: '© County GIS' }),
    },
  });
  const now = t.clock.now();
  await addCase(store.client, now, 'GEO-1');
  investigator = await signIn(t, await addUser(store.client, now, { username: 'geo-investigator', roles: ['investigator'] }));
  operator = await signIn(t, await addUser(store.client, now, { username: 'geo-operator', roles: ['operator'] }));
});
afterAll(() => store?.stop());

const search = async (q: string, headers: Record<string, string> = caseHeaders('GEO-1', 'stolen vehicle seen near Tallahassee')) =>
  t.app.request(`/api/reads?${q}`, { headers: investigator.headers(headers) });
const plates = async (q: string) => {
  const res = await search(q);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { reads: { plate: string }[] }).reads.map((r) => r.plate).sort();
};

describe('geographic search', () => {
  it('finds only the reads inside a box (bbox=south,west,north,east)', async () => {
    expect(await plates('bbox=30.42,-84.30,30.46,-84.26')).toEqual(['GEO1001']);
    expect(await plates('bbox=30.3,-84.4,30.5,-84.2')).toEqual(['GEO1001', 'GEO1002']);
    expect(await plates('bbox=24,-82,27,-79')).toEqual(['GEO1003']);
    expect(await plates('bbox=40,-100,41,-99')).toEqual([]);
  });

  it('finds only the reads within a radius (near=lat,lon,metres), measured on the globe', async () => {
    // The two Tallahassee cameras are 5.2 km apart.
    expect(await plates(`near=${tallahassee.lat},${tallahassee.lon},2000`)).toEqual(['GEO1001']);
    expect(await plates(`near=${tallahassee.lat},${tallahassee.lon},6000`)).toEqual(['GEO1001', 'GEO1002']);
    expect(await plates(`near=${miami.lat},${miami.lon},100000`)).toEqual(['GEO1003']);
  });

  it('combines an area with the other filters', async () => {
    expect(await plates('bbox=30.3,-84.4,30.5,-84.2&plate=GEO1002')).toEqual(['GEO1002']);
    expect(await plates('bbox=30.3,-84.4,30.5,-84.2&camera=cam-miami')).toEqual([]);
    expect(await plates(`near=${tallahassee.lat},${tallahassee.lon},6000&from=${encodeURIComponent(ago(25))}`)).toEqual(['GEO1002']);
  });

  it('answers a bad area with a 400 that names the parameter and the reason', async () => {
    const bad: [string, RegExp][] = [
      ['bbox=30.5,-84.4,30.3,-84.2', /south ≤ north/],
      ['bbox=30,-84', /4 comma-separated numbers/],
      ['bbox=30,-84,x,-83', /4 comma-separated numbers/],
      ['bbox=30,-190,31,-84', /-180\.\.180/],
      ['near=30.4,-84.3,0', /radius 1\.\.100000 m/],
      ['near=30.4,-84.3,250000', /radius 1\.\.100000 m/],
      ['near=95,-84.3,1000', /lat -90\.\.90/],
      ['near=30.4,-84.3', /3 comma-separated numbers/],
    ];
    for (const [q, reason] of bad) {
      const res = await search(q);
      expect(res.status, q).toBe(400);
      const body = (await res.json()) as { problems: { param: string; message: string }[] };
      const param = q.split('=')[0]!;
      expect(body.problems.find((p) => p.param === param)?.message, q).toMatch(reason);
    }
  });

  it('keeps the case gate: an area search without a case and purpose is refused', async () => {
    const res = await t.app.request('/api/reads?bbox=30.3,-84.4,30.5,-84.2', { headers: investigator.headers() });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/case/);
  });

  it('records the area with the case in the audit entry of the search', async () => {
    await plates('bbox=30.41,-84.31,30.47,-84.25');
    await plates('near=30.4383,-84.2807,1500');
    const rs = await store.client.query({
      query: "SELECT query, case_ref, purpose FROM audit_log WHERE action = 'reads.search' ORDER BY seq DESC LIMIT 2",
      format: 'JSONEachRow',
    });
    const [near, box] = await rs.json<{ query: string; case_ref: string; purpose: string }>();
    expect(JSON.parse(box!.query)).toMatchObject({ params: { bbox: '30.41,-84.31,30.47,-84.25' } });
    expect(JSON.parse(near!.query)).toMatchObject({ params: { near: '30.4383,-84.2807,1500' } });
    expect(box).toMatchObject({ case_ref: 'GEO-1', purpose: 'stolen vehicle seen near Tallahassee' });
  });
});

describe('the map of cameras (GET /api/map)', () => {
  it('lists configured cameras where configured and store-only cameras where they last read, with the tile server', async () => {
    const res = await t.app.request('/api/map', { headers: operator.headers() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { cameras: { id: string; name: string; lat: number; lon: number }[]; tiles: unknown };
    expect(body.cameras.map((c) => c.id)).toEqual(['cam-idle', 'cam-miami', 'cam-north', 'cam-south']);
    expect(body.cameras.find((c) => c.id === 'cam-north')).toMatchObject({ name: 'Capital Circle north', lat: 30.44, lon: -84.28 });
    expect(body.cameras.find((c) => c.id === 'cam-south')).toMatchObject({ name: 'cam-south', ...tallahasseeSouth });
    expect(body.tiles).toEqual({ url: TILES, attribution: '© County GIS', maxZoom: 19 });
  });

  it('is for signed-in users only', async () => {
    expect((await t.app.request('/api/map')).status).toBe(401);
  });

  it("lets the configured tile server's origin, and no other, into the dashboard's img-src", async () => {
    const csp = (await t.app.request('/api/map', { headers: operator.headers() })).headers.get('content-security-policy')!;
    const img = csp.split('; ').find((d) => d.startsWith('img-src'));
    expect(img).toBe("img-src 'self' data: blob: https://tiles.county.example.gov");
    const plain = buildApp(store.client).app;
    const other = (await plain.request('/api/health')).headers.get('content-security-policy')!;
    expect(other).toContain("img-src 'self' data: blob:;");
  });

  it('takes a tile URL template only with {z}, {x} and {y} on http(s)', () => {
    const base = { dataDir: '/tmp/x' };
    const problems = (tileUrl: string) => {
      const r = validateConfig({ ...base, dashboard: { map: { tileUrl } } });
      return r.ok ? [] : r.problems.map((p) => p.message);
    };
    expect(problems('https://tiles.example.gov/{z}/{x}/{y}.png')).toEqual([]);
    expect(problems('https://tiles.example.gov/{z}/{x}.png').join()).toMatch(/\{z\}, \{x\} and \{y\}/);
    expect(problems('javascript:alert(1)//{z}{x}{y}').join()).toMatch(/http\(s\)/);
    expect(problems("https://a.example/{z}/{x}/{y}; script-src 'unsafe-inline'").join()).toMatch(/http\(s\)/);
    const defaults = validateConfig(base);
    expect(defaults.ok && defaults.config.dashboard.map).toEqual({ tileAttribution: '', maxZoom: 19 });
  });
});
