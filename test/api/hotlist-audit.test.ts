import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { designate, type SignedIn } from '../helpers/access.ts';
import { startTestCore, type TestCore } from '../helpers/core.ts';

/**
 * Hand edits of an agency list through the real core and its access guard: each add and
 * removal is in the audit log with who made it, when, the list it changed and the reason given;
 * a refused add is recorded too, with the refusal.
 */
let running: TestCore;
let base: string;
let keeper: SignedIn;
let auditor: SignedIn;

const post = (who: SignedIn, path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: who.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });

beforeAll(async () => {
  running = await startTestCore({ name: 'hotlist-audit', cameras: [] });
  base = running.base;
  const { access } = running;
  // An administrator with current training (the extract is CJI), and an auditor to read the log.
  keeper = (await designate(base, access.admin, 'it-keeper', ['admin'])).session;
  auditor = (await designate(base, access.admin, 'it-auditor', ['auditor'])).session;
}, 120_000);

afterAll(() => running?.stop());

interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail: string | null;
  query: { body?: { plate?: string; recordId?: string; reason?: string } };
}

describe('hotlist edits in the audit log', () => {
  it('records each add and removal with who, when, the list and the reason, and a refused add with its refusal', async () => {
    const before = Date.now();
    const added = await post(keeper, '/api/hotlists/agency/entries', {
      plate: 'AUD 301',
      state: 'FL',
      reason: 'BOLO, case AUD-1',
      expiresAt: '2099-01-01',
    });
    expect(added.status).toBe(200);
    const { entry } = (await added.json()) as { entry: { recordId: string } };
    const dup = await post(keeper, '/api/hotlists/agency/entries', {
      plate: 'AUD301',
      state: 'FL',
      reason: 'again',
      expiresAt: '2099-01-01',
    });
    expect(dup.status).toBe(400);
    const removed = await post(keeper, '/api/hotlists/agency/entries/remove', { recordId: entry.recordId, reason: 'vehicle recovered' });
    expect(removed.status).toBe(200);

    const res = await fetch(`${base}/api/audit?action=hotlist.entry.*&limit=100`, { headers: auditor.headers() });
    expect(res.status).toBe(200);
    const entries = ((await res.json()) as { entries: AuditEntry[] }).entries;
    const mine = entries.filter((e) => e.actor === 'it-keeper').sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    expect(mine.map((e) => [e.action, e.target, e.outcome, e.query.body?.reason])).toEqual([
      ['hotlist.entry.add', 'hotlist:agency', 'ok', 'BOLO, case AUD-1'],
      ['hotlist.entry.add', 'hotlist:agency', 'denied', 'again'],
      ['hotlist.entry.remove', 'hotlist:agency', 'ok', 'vehicle recovered'],
    ]);
    expect(mine[0]!.detail).toMatch(new RegExp(`^done: added AUD301 \\(FL, record ${entry.recordId}\\) in agency-`));
    expect(mine[1]!.detail).toBe('HTTP 400');
    expect(mine[2]!.detail).toMatch(new RegExp(`^done: removed ${entry.recordId} in agency-`));
    for (const e of mine) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(before - 1000);
  });
});
