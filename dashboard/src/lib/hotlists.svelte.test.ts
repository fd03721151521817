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
});
