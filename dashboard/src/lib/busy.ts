import { messageOf } from './api.ts';

/** The part of a page's state that shows an action in progress and what went wrong with it. */
export interface BusyState {
  busy: boolean;
  error: string | null;
}

/**
 * Runs one user action against the appliance: marks the state busy, clears the last error,
 * and on failure shows the appliance's own message instead of throwing into the component.
 * Resolves true when the action succeeded, so a form can close or reset itself.
 */
export async function whileBusy(state: BusyState, fn: () => Promise<void>): Promise<boolean> {
  state.busy = true;
  state.error = null;
  try {
    await fn();
    return true;
  } catch (err) {
    state.error = messageOf(err);
    return false;
  } finally {
    state.busy = false;
  }
}
