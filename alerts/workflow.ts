/**
 * The verification workflow of an alert (guidelines 5d) as a pure function: the state is the
 * fold of the alert's events, and `applyAction` says whether an action is allowed in a state
 * and what event it appends. The operator must acknowledge, verify the characters against the
 * plate image, verify the state of issue, and confirm the record with the entering agency
 * before an alert can be closed as a confirmed hit. Every event is kept: the timeline.
 */
import { INITIAL_ALERT_STATE, type AlertState, type Disposition } from '../contracts/index.ts';

export { DISPOSITIONS, type AlertState, type AlertStatus, type Disposition } from '../contracts/index.ts';
export const INITIAL_STATE: Readonly<AlertState> = INITIAL_ALERT_STATE;

export type WorkflowAction =
  | { action: 'acknowledge'; note?: string }
  | { action: 'verify_read'; correct: boolean; note?: string }
  | { action: 'verify_state'; correct: boolean; note?: string }
  | {
      action: 'confirm_record';
      active: boolean;
      agency: string;
      contact: string;
      method: 'teletype' | 'phone' | 'radio' | 'ncic_query' | 'in_person' | 'other';
      confirmedAt: string;
      note?: string;
    }
  | { action: 'dispose'; disposition: Disposition; note: string; bulk?: true }
  | { action: 'note'; note: string }
  | { action: 'escalate'; reason: string };

export interface WorkflowEvent {
  seq: number;
  at: string;
  actor: string;
  action: WorkflowAction['action'];
  data: Omit<WorkflowAction, 'action'>;
}

export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
}

/** The state after one event (events are trusted: they passed applyAction when appended). */
export function reduce(state: AlertState, e: Pick<WorkflowEvent, 'action' | 'actor' | 'data'>): AlertState {
  const d = e.data as Record<string, unknown>;
  switch (e.action) {
    case 'acknowledge':
      return { ...state, status: 'acknowledged', acknowledgedBy: e.actor };
    case 'verify_read':
      return { ...state, readVerified: d.correct as boolean };
    case 'verify_state':
      return { ...state, stateVerified: d.correct as boolean };
    case 'confirm_record':
      return { ...state, recordActive: d.active as boolean };
    case 'dispose':
      return { ...state, status: 'closed', disposition: d.disposition as Disposition };
    case 'escalate':
      return { ...state, escalated: true };
    case 'note':
      return state;
  }
}

export function fold(events: readonly Pick<WorkflowEvent, 'action' | 'actor' | 'data'>[]): AlertState {
  return events.reduce(reduce, INITIAL_STATE);
}

/** Checks `a` against the state and returns the event data to append, or throws WorkflowError. */
export function applyAction(state: AlertState, a: WorkflowAction): Omit<WorkflowAction, 'action'> {
  const { action, ...data } = a;
  const need = (ok: boolean, why: string) => {
    if (!ok) throw new WorkflowError(why);
  };
  switch (action) {
    case 'acknowledge':
      need(state.status === 'new', state.status === 'closed' ? 'the alert is closed' : 'the alert is already acknowledged');
      break;
    case 'verify_read':
    case 'verify_state':
      need(state.status === 'acknowledged', state.status === 'new' ? 'acknowledge the alert first' : 'the alert is closed');
      break;
    case 'confirm_record':
      need(state.status === 'acknowledged', state.status === 'new' ? 'acknowledge the alert first' : 'the alert is closed');
      // Calling the entering agency about a plate that was misread wastes their time and ours.
      need(
        state.readVerified === true && state.stateVerified === true,
        'verify the read and the state of issue before confirming the record with the entering agency',
      );
      break;
    case 'dispose': {
      need(state.status === 'acknowledged', state.status === 'new' ? 'acknowledge the alert first' : 'the alert is closed');
      const d = a.disposition;
      if (d === 'confirmed_hit')
        need(
          state.readVerified === true && state.stateVerified === true && state.recordActive === true,
          'a confirmed hit needs the read verified, the state verified and the record confirmed active with the entering agency',
        );
      if (d === 'misread')
        need(state.readVerified === false, 'record the read verification (characters wrong) before closing as a misread');
      if (d === 'wrong_state')
        need(state.stateVerified === false, 'record the state verification (state differs) before closing as wrong state');
      if (d === 'record_inactive')
        need(state.recordActive === false, 'record the agency confirmation (record inactive) before closing as record inactive');
      break;
    }
    case 'escalate':
      need(state.status === 'new' && !state.escalated, 'only an unacknowledged alert is escalated, once');
      break;
    case 'note':
      break; // a note is welcome at any time, even after closing
  }
  return data;
}

/**
 * A supervisor's bulk close of duplicates: an open alert (new or acknowledged, escalated or not)
 * is disposed as a duplicate with the supervisor's reason, without the operator's steps, since
 * the vehicle is verified on the alert it duplicates. A closed alert is left as it was.
 */
export function closeAsDuplicate(state: AlertState, reason: string): Omit<WorkflowAction, 'action'> {
  if (state.status === 'closed') throw new WorkflowError('the alert is closed');
  return { disposition: 'duplicate', note: reason, bulk: true };
}
