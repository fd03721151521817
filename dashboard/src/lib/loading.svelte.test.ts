import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { LiveState } from './live.svelte.ts';

afterEach(() => vi.unstubAllGlobals());

/** A page must not say "No alerts." while it is still asking: loading and empty are two states. */
describe('loading is not empty', () => {
  it('keeps the live queue loading until the first list answers, empty or not, and after a refusal', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fakeApi({
      'GET /api/alerts': async () => {
        await gate;
        return { json: { alerts: [] } };
      },
    });
    const live = new LiveState();
    expect(live.alertsLoading).toBe(true);
    const loading = live.loadAlerts();
    expect(live.alertsLoading).toBe(true);
    release();
    await loading;
    expect(live.alertsLoading).toBe(false);
    expect(live.alerts).toEqual([]);

    fakeApi({ 'GET /api/alerts': { status: 403, json: { error: 'forbidden' } } });
    const refused = new LiveState();
    await refused.loadAlerts();
    expect([refused.alertsLoading, refused.alertsAvailable]).toEqual([false, false]);
  });
});
