import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { HISTORICAL_PAGE, HistoricalState } from './historical.svelte.ts';

afterEach(() => vi.unstubAllGlobals());

const hit = (id: string) => ({
  alert: { id, historical: true },
  encounter: { hits: 1 },
  sightings: [],
  events: [],
  state: { status: 'new' },
});

describe('HistoricalState', () => {
  it('pages the historical hits with their total', async () => {
    const api = fakeApi({
      'GET /api/alerts/historical': (call) => ({
        json: { alerts: call.query.get('offset') === '0' ? [hit('h1'), hit('h2')] : [hit('h3')], total: HISTORICAL_PAGE + 1, waiting: 3 },
      }),
    });
    const h = new HistoricalState();
    expect(h.loading).toBe(true);
    await h.load(0);
    expect([h.loading, h.total, h.hits.map((x) => x.alert.id), h.hasNext]).toEqual([false, HISTORICAL_PAGE + 1, ['h1', 'h2'], true]);
    await h.next();
    expect(api.last('/api/alerts/historical')!.query.get('offset')).toBe(String(HISTORICAL_PAGE));
    expect([h.offset, h.hits.map((x) => x.alert.id), h.hasNext]).toEqual([HISTORICAL_PAGE, ['h3'], false]);
    await h.previous();
    expect(h.offset).toBe(0);
  });

  it('says why when the role may not see them', async () => {
    fakeApi({ 'GET /api/alerts/historical': { status: 403, json: { error: 'your role (operator) does not permit alerts.historical' } } });
    const h = new HistoricalState();
    await h.load(0);
    expect(h.error).toMatch(/does not permit/);
    expect(h.loading).toBe(false);
  });
});
