import { describe, expect, it } from 'vitest';
import { applyAction, fold, INITIAL_STATE, reduce, WorkflowError, type AlertState, type WorkflowAction } from './workflow.ts';

function run(actions: WorkflowAction[]): AlertState {
  let s = INITIAL_STATE;
  for (const a of actions) {
    const data = applyAction(s, a);
    s = reduce(s, { action: a.action, actor: 'op1', data });
  }
  return s;
}

const confirm = {
  action: 'confirm_record',
  active: true,
  agency: 'FL0370000',
  contact: 'Sgt. Records',
  method: 'teletype',
  confirmedAt: '2026-03-01T12:00:00Z',
} as const;

describe('alert workflow', () => {
  it('walks the full verification to a confirmed hit', () => {
    const s = run([
      { action: 'acknowledge' },
      { action: 'verify_read', correct: true },
      { action: 'verify_state', correct: true },
      confirm,
      { action: 'dispose', disposition: 'confirmed_hit', note: 'stop made' },
    ]);
    expect(s).toMatchObject({ status: 'closed', disposition: 'confirmed_hit', acknowledgedBy: 'op1', recordActive: true });
  });

  it('refuses steps out of order', () => {
    expect(() => run([{ action: 'verify_read', correct: true }])).toThrow(/acknowledge the alert first/);
    expect(() => run([{ action: 'acknowledge' }, confirm])).toThrow(/verify the read and the state/);
    expect(() => run([{ action: 'acknowledge' }, { action: 'acknowledge' }])).toThrow(/already acknowledged/);
    expect(() =>
      run([
        { action: 'acknowledge' },
        { action: 'verify_read', correct: true },
        { action: 'dispose', disposition: 'confirmed_hit', note: 'x' },
      ]),
    ).toThrow(WorkflowError);
    expect(() => run([{ action: 'acknowledge' }, { action: 'dispose', disposition: 'misread', note: 'x' }])).toThrow(/read verification/);
  });

  it('closes a misread, a wrong state, an inactive record; nothing after closing but notes', () => {
    expect(
      run([
        { action: 'acknowledge' },
        { action: 'verify_read', correct: false },
        { action: 'dispose', disposition: 'misread', note: '8 read as B' },
      ]).disposition,
    ).toBe('misread');
    expect(
      run([
        { action: 'acknowledge' },
        { action: 'verify_read', correct: true },
        { action: 'verify_state', correct: false },
        { action: 'dispose', disposition: 'wrong_state', note: 'GA plate' },
      ]).disposition,
    ).toBe('wrong_state');
    const inactive = run([
      { action: 'acknowledge' },
      { action: 'verify_read', correct: true },
      { action: 'verify_state', correct: true },
      { ...confirm, active: false },
      { action: 'dispose', disposition: 'record_inactive', note: 'recovered yesterday' },
    ]);
    expect(inactive.disposition).toBe('record_inactive');
    expect(() => applyAction(inactive, { action: 'verify_read', correct: true })).toThrow(/closed/);
    expect(() => applyAction(inactive, { action: 'note', note: 'later' })).not.toThrow();
  });

  it('escalates an unacknowledged alert once, and it can still be acknowledged', () => {
    const s = run([{ action: 'escalate', reason: 'not acknowledged within 5 minutes' }]);
    expect(s.escalated).toBe(true);
    expect(() => applyAction(s, { action: 'escalate', reason: 'again' })).toThrow(WorkflowError);
    expect(run([{ action: 'escalate', reason: 'late' }, { action: 'acknowledge' }]).status).toBe('acknowledged');
    expect(() => run([{ action: 'acknowledge' }, { action: 'escalate', reason: 'late' }])).toThrow(WorkflowError);
  });

  it('fold replays a timeline', () => {
    expect(fold([{ action: 'acknowledge', actor: 'op2', data: {} }]).acknowledgedBy).toBe('op2');
  });
});
