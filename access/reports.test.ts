import { describe, expect, it } from 'vitest';
import { seal, type ChainEntry } from './chain.ts';
import { auditReport, onDuty, verificationFigures } from './reports.ts';

const duty = { start: '07:00', end: '19:00', days: [1, 2, 3, 4, 5], timeZone: 'America/New_York' };

function entries(
  list: { actor: string; at: string; action?: string; outcome?: string; caseRef?: string | null; query?: string; target?: string }[],
): ChainEntry[] {
  const out: ChainEntry[] = [];
  for (const e of list) {
    const head = out.at(-1);
    out.push(
      seal(
        {
          atMs: Date.parse(e.at),
          actor: e.actor,
          action: e.action ?? 'reads.search',
          target: e.target ?? null,
          query: e.query ?? '',
          caseRef: e.caseRef === undefined ? 'C-1' : e.caseRef,
          purpose: 'p',
          outcome: e.outcome ?? 'ok',
          detail: null,
          ip: null,
        },
        head ? { seq: head.seq, hash: head.hash } : null,
      ),
    );
  }
  return out;
}

describe('duty hours', () => {
  it('reads the time in the agency time zone, including daylight saving', () => {
    expect(onDuty(Date.parse('2025-07-02T12:00:00Z'), duty)).toBe(true); // Wed 08:00 EDT
    expect(onDuty(Date.parse('2025-07-02T10:30:00Z'), duty)).toBe(false); // Wed 06:30 EDT
    expect(onDuty(Date.parse('2025-01-08T11:30:00Z'), duty)).toBe(false); // Wed 06:30 EST
    expect(onDuty(Date.parse('2025-07-05T16:00:00Z'), duty)).toBe(false); // Saturday
  });
  it('handles a night shift across midnight', () => {
    const night = { ...duty, start: '22:00', end: '06:00', days: [1, 2, 3, 4, 5] };
    expect(onDuty(Date.parse('2025-07-08T03:00:00Z'), night)).toBe(true); // Mon 23:00 EDT
    expect(onDuty(Date.parse('2025-07-08T08:00:00Z'), night)).toBe(true); // Tue 04:00, shift began Mon
    expect(onDuty(Date.parse('2025-07-06T08:00:00Z'), night)).toBe(false); // Sun 04:00, shift would have begun Sat
    expect(onDuty(Date.parse('2025-07-08T15:00:00Z'), night)).toBe(false); // Tue 11:00
  });
});

describe('audit report', () => {
  it('groups by user and by case and flags off-duty searches, volume and denials', () => {
    const list = [
      { actor: 'ana', at: '2025-07-02T14:00:00Z' },
      { actor: 'ana', at: '2025-07-02T14:05:00Z', caseRef: 'C-2' },
      { actor: 'bob', at: '2025-07-02T06:00:00Z' }, // 02:00 EDT
      ...Array.from({ length: 4 }, (_, i) => ({ actor: 'cy', at: `2025-07-02T15:0${i}:00Z` })),
      ...Array.from({ length: 5 }, (_, i) => ({ actor: 'dee', at: `2025-07-02T15:1${i}:00Z`, outcome: 'denied', caseRef: null })),
    ];
    const r = auditReport(entries(list), { dutyHours: duty, searchesPerDay: 3 });
    expect(r.byUser.ana).toMatchObject({ total: 2, dataAccesses: 2, cases: ['C-1', 'C-2'] });
    expect(r.byCase['C-1']).toMatchObject({ accesses: 6, users: ['ana', 'bob', 'cy'] });
    expect(r.anomalies.map((a) => `${a.kind}:${a.actor}:${a.count}`)).toEqual([
      'outside-duty-hours:bob:1',
      'unusual-volume:cy:4',
      'repeated-denials:dee:5',
    ]);
    expect(r.anomalies[0]!.day).toBe('2025-07-02');
  });

  it('flags a change an administrator may not make for itself, made by an account it designated or reset', () => {
    const e = (actor: string, at: string, action: string, target: string, outcome = 'ok') => ({
      actor,
      at,
      action,
      target,
      outcome,
      caseRef: null,
    });
    const list = [
      e('chief', '2025-07-02T14:00:00Z', 'user.designate', 'alt'),
      e('chief', '2025-07-02T14:01:00Z', 'user.designate', 'deputy'),
      e('alt', '2025-07-02T14:05:00Z', 'training.record', 'chief'),
      e('alt', '2025-07-02T14:06:00Z', 'user.roles', 'chief'),
      e('alt', '2025-07-02T14:07:00Z', 'user.roles', 'deputy'), // deputy did not designate alt
      e('deputy', '2025-07-02T14:08:00Z', 'user.roles', 'chief', 'denied'),
      e('bob', '2025-07-02T14:09:00Z', 'user.enrolment.reset', 'eve'),
      e('eve', '2025-07-03T14:10:00Z', 'training.record', 'bob'),
    ];
    const r = auditReport(entries(list), { dutyHours: duty, searchesPerDay: 100 });
    const flagged = r.anomalies.filter((a) => a.kind === 'approved-by-own-designee');
    expect(flagged.map((a) => `${a.actor}:${a.day}:${a.count}`)).toEqual(['alt:2025-07-02:2', 'eve:2025-07-03:1']);
    expect(flagged[0]!.detail).toContain('to chief');
  });

  it('derives misread rate from operators verdicts', () => {
    const e = entries([
      {
        actor: 'op',
        at: '2025-07-02T14:00:00Z',
        action: 'alert.action',
        query: '{"body":{"action":"dispose","disposition":"confirmed_hit"}}',
      },
      { actor: 'op', at: '2025-07-02T14:01:00Z', action: 'alert.action', query: '{"body":{"action":"dispose","disposition":"misread"}}' },
      { actor: 'op', at: '2025-07-02T14:01:30Z', action: 'alert.action', query: '{"body":{"action":"verify_read","correct":false}}' },
      {
        actor: 'op',
        at: '2025-07-02T14:02:00Z',
        action: 'alert.action',
        query: '{"body":{"action":"dispose","disposition":"confirmed_hit"}}',
      },
      { actor: 'op', at: '2025-07-02T14:03:00Z', action: 'alert.action', query: '{"body":{"action":"dispose","disposition":"misread"}}' },
    ]);
    expect(verificationFigures(e)).toEqual({
      verifications: 4,
      verdicts: { confirmed_hit: 2, misread: 2 },
      verifiedHits: 2,
      misreadRate: 0.5,
    });
  });
});
