import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { AUDIT_PAGE, AuditState } from './audit.svelte.ts';
import { setTimeZone } from './format.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  setTimeZone('America/New_York');
});

const entry = (seq: number) => ({
  seq,
  atMs: 0,
  at: '2026-01-01T00:00:00.000Z',
  actor: 'inv',
  action: 'reads.search',
  target: null,
  query: { path: '/api/reads' },
  caseRef: '24-0031',
  purpose: 'locate vehicle',
  outcome: 'ok',
  detail: null,
  ip: null,
  prevHash: '',
  hash: 'h',
});

describe('AuditState', () => {
  it('is loading, not empty, until the first page answers; then pages newest first on the server', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const api = fakeApi({
      'GET /api/audit': async (c) => {
        await gate;
        const offset = Number(c.query.get('offset'));
        return { json: { entries: [entry(120 - offset), entry(119 - offset)], total: 120, offset, limit: AUDIT_PAGE } };
      },
    });
    const a = new AuditState();
    expect(a.loading).toBe(true);
    a.filter.actor = ' inv ';
    a.filter.from = '2026-07-04T12:05';
    const first = a.search();
    expect(a.loading).toBe(true);
    release();
    await first;
    expect(a.loading).toBe(false);
    expect(a.entries.map((e) => e.seq)).toEqual([120, 119]);
    const q = api.last('/api/audit')!.query;
    expect(Object.fromEntries(q)).toEqual({
      actor: 'inv',
      from: '2026-07-04T16:05:00.000Z',
      order: 'desc',
      limit: String(AUDIT_PAGE),
      offset: '0',
    });
    expect(a.pages).toEqual({ current: 1, count: 3, hasPrev: false, hasNext: true });
    // Paging keeps the applied filter, not what is typed since.
    a.filter.actor = 'someone-else';
    await a.next();
    expect(api.last('/api/audit')!.query.get('actor')).toBe('inv');
    expect(api.last('/api/audit')!.query.get('offset')).toBe(String(AUDIT_PAGE));
    expect(a.pages.current).toBe(2);
    await a.prev();
    expect(a.pages.current).toBe(1);
  });

  it('opens one entry at a time, and shows the refusal of a failed page', async () => {
    fakeApi({ 'GET /api/audit': { status: 400, json: { error: 'from must be before to' } } });
    const a = new AuditState();
    await a.search();
    expect(a.error).toMatch(/from must be before to/);
    expect(a.loading).toBe(false);
    a.toggle(5);
    expect(a.open).toBe(5);
    a.toggle(6);
    expect(a.open).toBe(6);
    a.toggle(6);
    expect(a.open).toBeNull();
  });

  it('exports the applied filter as CSV', async () => {
    const clicks: string[] = [];
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined }));
    const api = fakeApi({
      'GET /api/audit': { json: { entries: [], total: 0, offset: 0, limit: AUDIT_PAGE } },
      'GET /api/audit/export.csv': { blob: new Blob(['seq\n']) },
    });
    const a = new AuditState();
    a.filter.action = 'reads.*';
    await a.search();
    const link = { download: '', click: () => clicks.push(link.download), remove: () => undefined };
    vi.spyOn(document, 'createElement').mockReturnValue(link as never);
    await a.exportCsv();
    vi.restoreAllMocks();
    expect(a.error).toBeNull();
    expect(api.last('/api/audit/export.csv')!.query.get('action')).toBe('reads.*');
    expect(clicks).toEqual([expect.stringMatching(/^alpr-audit-\d{4}-\d{2}-\d{2}\.csv$/)]);
  });
});
