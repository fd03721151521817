import { describe, expect, it } from 'vitest';
import type { Alert } from '../contracts/index.ts';
import { encounterKey, isHistorical, planEncounters, suppressionWindowMs, type SuppressionPolicy } from './encounter.ts';
import { closeAsDuplicate, fold, INITIAL_STATE, reduce, WorkflowError } from './workflow.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const min = 60_000;
const policy: SuppressionPolicy = { suppressionMinutes: 20, suppressionByCategory: { amber: 5, expired_tag: 0 }, liveMaxAgeMinutes: 5 };
const windowOf = (c: string) => suppressionWindowMs(policy, c);

function hit(id: string, at: number, opts: { record?: string; category?: string; historical?: boolean; raisedAt?: number } = {}): Alert {
  return {
    id,
    raisedAt: new Date(opts.raisedAt ?? at + 500).toISOString(),
    read: { id: `read-${id}`, capturedAt: new Date(at).toISOString(), cameraId: 'cam-1' },
    record: { source: 'ncic', recordId: opts.record ?? 'V1', plate: 'ABC1234', category: opts.category ?? 'stolen_vehicle' },
    historical: opts.historical ?? false,
  } as unknown as Alert;
}

describe('one alert per vehicle encounter', () => {
  it('raises the first hit of a record and makes the repeats within the window its sightings', () => {
    const plan = planEncounters([hit('b', T0 + 5 * min), hit('a', T0), hit('c', T0 + 24 * min)], [], windowOf);
    expect(plan.map((d) => [d.kind, d.alert.id, d.kind === 'sighting' ? d.alertId : null])).toEqual([
      ['raise', 'a', null],
      ['sighting', 'b', 'a'],
      // 19 minutes after the last sighting, not the first: the encounter goes on.
      ['sighting', 'c', 'a'],
    ]);
  });

  it('raises again once the window since the last sighting has passed, and per record', () => {
    const plan = planEncounters([hit('a', T0), hit('b', T0 + 21 * min), hit('x', T0 + min, { record: 'V2' })], [], windowOf);
    expect(plan.map((d) => d.kind)).toEqual(['raise', 'raise', 'raise']);
  });

  it('joins an open alert already stored, before or after its sightings (out-of-order deliveries)', () => {
    const open = [{ alertId: 'stored', key: encounterKey(hit('s', T0)), firstSeenMs: T0, lastSeenMs: T0 + 10 * min }];
    const plan = planEncounters([hit('late', T0 - 15 * min), hit('next', T0 + 29 * min), hit('gone', T0 + 60 * min)], open, windowOf);
    expect(plan.map((d) => (d.kind === 'sighting' ? d.alertId : d.kind))).toEqual(['stored', 'stored', 'raise']);
    // The stored encounter was not changed by the plan.
    expect(open[0]!.lastSeenMs).toBe(T0 + 10 * min);
  });

  it('takes the window of the record category, and 0 raises every hit', () => {
    expect(windowOf('amber')).toBe(5 * min);
    expect(windowOf('stolen_vehicle')).toBe(20 * min);
    const amber = planEncounters([hit('a', T0, { category: 'amber' }), hit('b', T0 + 6 * min, { category: 'amber' })], [], windowOf);
    expect(amber.map((d) => d.kind)).toEqual(['raise', 'raise']);
    const tags = planEncounters(
      [hit('a', T0, { category: 'expired_tag' }), hit('b', T0 + 1000, { category: 'expired_tag' })],
      [],
      windowOf,
    );
    expect(tags.map((d) => d.kind)).toEqual(['raise', 'raise']);
  });

  it('never mixes live and historical hits in one alert', () => {
    const plan = planEncounters([hit('live', T0), hit('past', T0 + min, { historical: true })], [], windowOf);
    expect(plan.map((d) => d.kind)).toEqual(['raise', 'raise']);
  });
});

describe('live is live', () => {
  it('calls a hit historical when flagged so, or raised on a read older than the live limit', () => {
    expect(isHistorical(hit('a', T0, { raisedAt: T0 + 4 * min }), policy)).toBe(false);
    expect(isHistorical(hit('a', T0, { raisedAt: T0 + 6 * min }), policy)).toBe(true);
    expect(isHistorical(hit('a', T0, { historical: true }), policy)).toBe(true);
  });
});

describe('bulk close as duplicate', () => {
  it('closes a new or acknowledged alert with the reason, and refuses a closed one', () => {
    const data = closeAsDuplicate(INITIAL_STATE, 'same car as the 12:01 alert');
    expect(data).toEqual({ disposition: 'duplicate', note: 'same car as the 12:01 alert', bulk: true });
    const closed = reduce(INITIAL_STATE, { action: 'dispose', actor: 'sup1', data });
    expect(closed).toMatchObject({ status: 'closed', disposition: 'duplicate' });
    const acked = fold([{ action: 'acknowledge', actor: 'op1', data: {} }]);
    expect(closeAsDuplicate(acked, 'r')).toMatchObject({ disposition: 'duplicate' });
    expect(() => closeAsDuplicate(closed, 'r')).toThrow(WorkflowError);
  });
});
