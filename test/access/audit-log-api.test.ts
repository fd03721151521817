import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, buildApp, signIn, type Signed, type TestApp } from './helpers.ts';
import { startTestStore } from '../helpers/store.ts';

let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
let auditor: Signed;
let start: Date;

type Listing = {
  entries: { seq: number; actor: string; action: string; at: string; caseRef: string | null }[];
  total: number;
  offset: number;
};

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
  start = t.clock.now();
  auditor = await signIn(t, await addUser(store.client, start, { username: 'aud', roles: ['auditor'] }));
  // 30 entries of one user, some under a case, and a purpose a spreadsheet would run as a formula.
  for (let i = 0; i < 30; i++) {
    await t.access.audit.append({
      actor: i % 3 === 0 ? 'inv' : 'op',
      action: i % 2 ? 'reads.search' : 'reads.export',
      outcome: 'ok',
      caseRef: i % 5 === 0 ? '24-0031' : undefined,
      purpose: i === 5 ? '=HYPERLINK("http://evil")' : undefined,
      detail: i === 10 ? '-84.2807' : undefined,
    });
  }
});
afterAll(() => store.stop());

const get = async (path: string) => {
  const res = await t.app.request(path, { headers: auditor.headers() });
  return { status: res.status, res };
};
const list = async (query: string) => {
  const { status, res } = await get(`/api/audit?${query}`);
  expect(status).toBe(200);
  return (await res.json()) as Listing;
};

describe('audit log API: paged, filtered, exported', () => {
  it('pages newest first on the server, with the total the filter matches', async () => {
    const first = await list('actor=op&order=desc&limit=7');
    expect(first.total).toBe(20);
    expect(first.entries).toHaveLength(7);
    const seqs = first.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const second = await list('actor=op&order=desc&limit=7&offset=7');
    expect(second.entries).toHaveLength(7);
    expect(second.entries[0]!.seq).toBeLessThan(seqs.at(-1)!);
    const last = await list('actor=op&order=desc&limit=7&offset=14');
    expect(last.entries).toHaveLength(6);
    expect(new Set([...first.entries, ...second.entries, ...last.entries].map((e) => e.seq)).size).toBe(20);
  });

  it('filters by user, action (or a kind of action), case and time range', async () => {
    expect((await list('actor=inv&action=reads.export')).total).toBe(5);
    expect((await list('action=reads.*&actor=inv')).total).toBe(10);
    expect((await list('caseRef=24-0031')).entries.map((e) => e.caseRef)).toEqual(Array(6).fill('24-0031'));
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await list(`from=${encodeURIComponent(future)}`)).total).toBe(0);
    const bad = await get(`/api/audit?from=${encodeURIComponent(future)}&to=${encodeURIComponent(start.toISOString())}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.res.json())).toMatch(/from must be before to/);
    expect((await get('/api/audit?limit=0')).status).toBe(400);
  });

  it('exports the filtered log as CSV, formulas defused in text only, and audits the export', async () => {
    const { status, res } = await get('/api/audit/export.csv?action=reads.*');
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="alpr-audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('seq,at_utc,at_local,actor,action,outcome,case_ref,purpose,target,detail,ip,query,hash');
    expect(lines).toHaveLength(31);
    const row5 = lines.find((l) => l.includes('HYPERLINK'))!;
    expect(row5).toContain(`"'=HYPERLINK(""http://evil"")"`);
    // The seq is a bare number; a text that looks like a negative number is defused as text.
    expect(row5).toMatch(/^\d+,/);
    expect(lines.find((l) => l.includes('84.2807'))).toContain(`"'-84.2807"`);
    // The local time is in the appliance's zone, named.
    expect(lines[1]).toMatch(/,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} E[SD]T,/);
    const audited = await t.access.audit.list({ actor: 'aud', action: 'audit.export' });
    expect(audited).toHaveLength(1);
    expect(JSON.parse(audited[0]!.query)).toMatchObject({ path: '/api/audit/export.csv', params: { action: 'reads.*' } });
  });

  it("gives the appliance's time zone with the banner and the session, and writes the export's local times in it", async () => {
    const zoned = buildApp(store.client, {}, undefined, { timeZone: 'America/Chicago' });
    const banner = (await (await zoned.app.request('/api/auth/banner')).json()) as { timeZone: string };
    expect(banner.timeZone).toBe('America/Chicago');
    const aud = await signIn(zoned, await addUser(store.client, zoned.clock.now(), { username: 'aud-central', roles: ['auditor'] }));
    const session = (await (await zoned.app.request('/api/auth/session', { headers: aud.headers() })).json()) as { timeZone: string };
    expect(session.timeZone).toBe('America/Chicago');
    const csv = await (await zoned.app.request('/api/audit/export.csv?actor=aud-central', { headers: aud.headers() })).text();
    expect(csv.trim().split('\n')[1]).toMatch(/,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} C[SD]T,aud-central,/);
  });

  it('keeps the log and its export from those without audit access', async () => {
    const op = await signIn(t, await addUser(store.client, t.clock.now(), { username: 'op2', roles: ['operator'] }));
    expect((await t.app.request('/api/audit/export.csv', { headers: op.headers() })).status).toBe(403);
    expect((await t.app.request('/api/audit?order=desc', { headers: op.headers() })).status).toBe(403);
  });
});
