import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { HotlistsState } from './hotlists.svelte.ts';

afterEach(() => vi.unstubAllGlobals());

const hours = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
const overview = {
  sources: [
    { name: 'ncic', kind: 'extract', staleAfterHours: 24 },
    { name: 'fcic', kind: 'extract', staleAfterHours: 24 },
    { name: 'agency', kind: 'agency', staleAfterHours: 8760 },
  ],
  versions: [
    { source: 'ncic', status: 'active', extractedAt: hours(2) },
    { source: 'ncic', status: 'superseded', extractedAt: hours(30) },
    { source: 'fcic', status: 'active', extractedAt: hours(30) },
  ],
};

describe('HotlistsState', () => {
  it("tells each source's active extract and whether it is too old to vouch for a record", async () => {
    fakeApi({ 'GET /api/hotlists': { json: overview } });
    const s = new HotlistsState();
    await s.load();
    expect(s.sources.map((x) => [x.name, x.active?.status ?? null, x.stale])).toEqual([
      ['ncic', 'active', false],
      ['fcic', 'active', true],
      ['agency', null, true],
    ]);
    expect(s.sources[0]!.ageHours).toBeCloseTo(2, 1);
  });

  it('shows the lines an import refused and why, and reloads the overview', async () => {
    const api = fakeApi({
      'GET /api/hotlists': { json: overview },
      'POST /api/hotlists': {
        status: 422,
        json: {
          state: 'refused',
          records: 0,
          error: 'too many bad lines',
          summary: {
            bad: 2,
            problems: [
              { line: 3, reason: 'no plate' },
              { line: 9, reason: 'bad state XX' },
            ],
          },
        },
      },
    });
    const s = new HotlistsState();
    await s.upload('ncic', new File(['plate,state\n'], 'ncic-2026-01-01.csv'));
    // The file itself is the body, streamed to the server's parser.
    expect(api.last('/api/hotlists', 'POST')!.body).toBe('plate,state\n');
    expect(Object.fromEntries(api.last('/api/hotlists', 'POST')!.query)).toEqual({ source: 'ncic', filename: 'ncic-2026-01-01.csv' });
    expect(s.lastImport).toEqual({
      state: 'refused',
      records: 0,
      badLines: 2,
      error: 'too many bad lines',
      problems: [
        { line: 3, reason: 'no plate' },
        { line: 9, reason: 'bad state XX' },
      ],
    });
    expect(s.overview).not.toBeNull();
  });

  it('adds an agency entry with its state in upper case, or says why not', async () => {
    let refuse = false;
    const api = fakeApi({
      'GET /api/hotlists': { json: overview },
      'POST /api/hotlists/agency/entries': () =>
        refuse ? { status: 400, json: { error: 'invalid entry', problems: [{ param: 'plate', message: 'too long' }] } } : { json: {} },
    });
    const s = new HotlistsState();
    const entry = { plate: 'abc123', state: ' fl ', category: 'stolen', reason: 'case 42', expiresAt: '' };
    expect(await s.addEntry('agency', entry)).toBe(true);
    expect(api.last('/api/hotlists/agency/entries')!.body).toMatchObject({ plate: 'abc123', state: 'FL' });
    expect(s.message).toBe('ABC123 added to agency.');
    refuse = true;
    expect(await s.addEntry('agency', { ...entry, plate: 'X'.repeat(20) })).toBe(false);
    expect(s.error).toBe('invalid entry — plate: too long');
  });

  it('pages through a list and searches it by plate, starting each search on the first page', async () => {
    const all = Array.from({ length: 30 }, (_, i) => ({ recordId: `AG-${i}`, plate: `ABC${100 + i}`, createdBy: 'admin' }));
    const api = fakeApi({
      'GET /api/hotlists/agency/entries': (call) => {
        const plate = call.query.get('plate') ?? '';
        const hits = all.filter((e) => e.plate.includes(plate.replace(/[^A-Z0-9]/gi, '').toUpperCase()));
        const offset = Number(call.query.get('offset'));
        return { json: { total: hits.length, entries: hits.slice(offset, offset + Number(call.query.get('limit'))) } };
      },
    });
    const s = new HotlistsState();
    await s.entries.show('agency');
    expect([s.entries.range, s.entries.hasNext, s.entries.page!.entries.length]).toEqual(['1–25 of 30', true, 25]);
    await s.entries.next();
    expect([s.entries.range, s.entries.hasNext]).toEqual(['26–30 of 30', false]);
    await s.entries.next(); // past the end: stays
    expect(s.entries.offset).toBe(25);
    await s.entries.find('abc 12');
    expect(Object.fromEntries(api.last('/api/hotlists/agency/entries')!.query)).toEqual({ plate: 'abc 12', offset: '0', limit: '25' });
    expect(s.entries.page!.entries.map((e) => e.plate)).toEqual([
      'ABC120',
      'ABC121',
      'ABC122',
      'ABC123',
      'ABC124',
      'ABC125',
      'ABC126',
      'ABC127',
      'ABC128',
      'ABC129',
    ]);
    await s.entries.find('none');
    expect(s.entries.range).toBe('no entries');
  });

  it('shows why an add was refused (a duplicate), and removes an entry with its reason, reloading the page', async () => {
    let entries = [{ recordId: 'AG-1', plate: 'ABC123', state: 'FL', createdBy: 'admin' }];
    const api = fakeApi({
      'GET /api/hotlists': { json: overview },
      'GET /api/hotlists/agency/entries': () => ({ json: { total: entries.length, entries } }),
      'POST /api/hotlists/agency/entries': {
        status: 400,
        json: { error: 'ABC123 (FL) is already on "agency": record AG-1, added by admin on 2026-12-06' },
      },
      'POST /api/hotlists/agency/entries/remove': () => {
        entries = [];
        return { json: { state: 'done' } };
      },
    });
    const s = new HotlistsState();
    await s.entries.show('agency');
    const entry = { plate: 'abc 123', state: 'fl', category: 'stolen', reason: 'case 42', expiresAt: '2099-01-01' };
    expect(await s.addEntry('agency', entry)).toBe(false);
    expect(s.error).toBe('ABC123 (FL) is already on "agency": record AG-1, added by admin on 2026-12-06');
    expect(await s.removeEntry('agency', { recordId: 'AG-1', plate: 'ABC123' }, 'vehicle recovered')).toBe(true);
    expect(api.last('/api/hotlists/agency/entries/remove')!.body).toEqual({ recordId: 'AG-1', reason: 'vehicle recovered' });
    expect(s.message).toBe('ABC123 (record AG-1) removed from agency.');
    expect(s.entries.range).toBe('no entries');
  });
});
