import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, publishRead, type NatsConnection } from '../../contracts/index.ts';
import { makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import type { AccessFixture } from '../helpers/access.ts';
import { startTestCore, type TestCore } from '../helpers/core.ts';
import { until } from '../helpers/wait.ts';

let running: TestCore;
let nc: NatsConnection;
let base: string;
// Every data route sits behind access control: an investigator with a case does the searching.
let access: AccessFixture;
const api = (path: string, init?: RequestInit) => access.fetch(base, path, init);

const search = async (q: string) => (await (await api(`/api/reads?${q}`)).json()) as { reads: { id: string; imageUrl: string | null }[] };

beforeAll(async () => {
  running = await startTestCore({ name: 'core', cameras: ['cam-e2e', 'cam-http'] });
  ({ nc, base, access } = running);
});
afterAll(() => running?.stop());

describe('a read published on NATS is stored and served by the API', () => {
  it('returns a read published on alpr.reads.<camera> from GET /api/reads, with its image', async () => {
    const read = makeRead({ cameraId: 'cam-e2e', plate: 'E2E 100', cropJpeg: smallJpegBase64() });
    await publishRead(jetstream(nc), read);
    const found = await until(async () => (await search('plate=E2E100')).reads.find((r) => r.id === read.id));
    expect(found).toMatchObject({
      id: read.id,
      cameraId: 'cam-e2e',
      plate: 'E2E 100',
      state: 'FL',
      imageUrl: `/api/reads/${read.id}/image`,
    });
    const img = await api(found.imageUrl!);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await img.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('refuses a garbage message without blocking the reads behind it', async () => {
    nc.publish('alpr.reads.cam-e2e', new TextEncoder().encode('{"plate": "not a read"}'));
    const read = makeRead({ cameraId: 'cam-e2e', plate: 'AFTER1' });
    await publishRead(jetstream(nc), read);
    await until(async () => (await search('plate=AFTER1')).reads.find((r) => r.id === read.id));
    const metrics = await access.metrics(base);
    expect(metrics).toMatch(/alpr_reads_invalid_total [1-9]/);
    expect(metrics).toMatch(/alpr_reads_stored_total [1-9]/);
  });

  it('answers bad search parameters with a clear 400', async () => {
    const res = await api(`/api/reads?plate=${encodeURIComponent("A' OR 1=1")}&limit=5000&bogus=1`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: { param: string }[] };
    expect(body.problems.map((p) => p.param).sort()).toEqual(['(request)', 'limit', 'plate']);
    expect((await api('/api/reads/not-a-uuid/image')).status).toBe(400);
    const hostile = [
      'pattern=*', // matches everything
      `pattern=${encodeURIComponent("AB%'; DROP TABLE reads")}`,
      'from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', // longer than 3 years
      'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'bbox=1,2,3',
      'near=91,0,10',
      'plate=ABC&pattern=AB*',
      'state=XX',
      'camera=..%2F..',
      'offset=-1',
    ];
    for (const q of hostile) {
      const r = await api(`/api/reads?${q}`);
      const text = await r.text();
      expect(r.status, q).toBe(400);
      expect(text, q).not.toMatch(/DB::|Exception|at .*\.ts/);
    }
  });

  it('searches partial, fuzzy and geographic forms over HTTP, and exports CSV as a stream', async () => {
    const js = jetstream(nc);
    const a = makeRead({ plate: 'HTP1234', cameraId: 'cam-http' });
    const b = makeRead({
      plate: 'HTP1235',
      cameraId: 'cam-http',
      location: { lat: 25.76, lon: -80.19, description: '=HYPERLINK("x"), Miami' },
    });
    await publishRead(js, a);
    await publishRead(js, b);
    await until(async () => ((await search('pattern=HTP123?')).reads.length === 2 ? true : undefined));
    expect((await search('fuzzy=HTP1Z34&maxEdits=0')).reads.map((r) => r.id)).toEqual([a.id]);
    expect((await search('pattern=HTP*&near=25.76,-80.19,1000')).reads.map((r) => r.id)).toEqual([b.id]);
    const csv = await api('/api/reads/export.csv?pattern=HTP123*');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^id,captured_at,plate,/);
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).toContain(`"'=HYPERLINK(""x""), Miami"`); // a formula is defused
  });

  it('serves the built dashboard at / and its assets, but never masks an unknown API route', async () => {
    const page = await fetch(`${base}/`);
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    expect((await fetch(`${base}${asset}`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await api('/api/nope')).status).toBe(404);
    expect((await fetch(`${base}/api/nope`)).status).toBe(401); // without a session, not even that
  });

  it('reports health: store and NATS up, no supervisor in this process; to anonymous callers the status only', async () => {
    const h = await (await access.health(base)).json();
    expect(h).toMatchObject({ status: 'ok', services: null, store: { healthy: true }, nats: { connected: true } });
    expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: 'ok', time: expect.any(String) });
    expect((await fetch(`${base}/api/health/report`)).status).toBe(401);
  });
});
