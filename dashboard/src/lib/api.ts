import { hc, type ClientResponse, type InferRequestType, type InferResponseType } from 'hono/client';
import type { SuccessStatusCode } from 'hono/utils/http-status';
import type { AppType } from '../../../server/index.ts';

/**
 * The one typed client: every route, its parameters, body and answer come from the API's type
 * (AppType, the server's), not hand-written fetches; a route the server changes fails the build here.
 */
const csrf = { token: null as string | null };

/** The double-submit token of the session: every state-changing request must carry it. */
export function setCsrfToken(token: string | null): void {
  csrf.token = token;
}

/** Options every typed client shares: same-origin cookies and the CSRF header. */
export const clientOptions = {
  init: { credentials: 'same-origin' as const },
  headers: (): Record<string, string> => (csrf.token ? { 'x-csrf-token': csrf.token } : {}),
};
const origin = location.origin;

export const api = hc<AppType>(origin, clientOptions);

export interface Problem {
  param: string;
  message: string;
}

/** A refusal or failure as the API words it: the message is meant for the user. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: Problem[] = [],
    /** The session is locked by inactivity: password and code unlock it. */
    readonly locked = false,
  ) {
    super(message);
  }
  /** The message with each problem, for an inline error. */
  get detail(): string {
    return [this.message, ...this.problems.map((p) => `${p.param}: ${p.message}`)].join(' — ');
  }
}

/** Called on every 401: the session state locks or signs out (set by SessionState). */
let onUnauthorised: ((e: ApiError) => void) | null = null;
export function onAuthFailure(fn: (e: ApiError) => void): void {
  onUnauthorised = fn;
}

async function toError(res: Response | ClientResponse<unknown>, ownAuth = false): Promise<ApiError> {
  let body: { error?: string; problems?: Problem[]; locked?: boolean } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    /* not JSON: the status says enough */
  }
  const e = new ApiError(res.status, body.error ?? `HTTP ${res.status}`, body.problems ?? [], body.locked === true);
  if (res.status === 401 && !ownAuth) onUnauthorised?.(e);
  return e;
}

/** The JSON body type of a response's success statuses (a route that can also answer HTML, like the reports, keeps its JSON shape). */
type OkBody<R> =
  R extends ClientResponse<infer T, infer S, infer F> ? (S extends SuccessStatusCode ? (F extends 'json' ? T : never) : never) : never;

/**
 * Awaits a typed call: its success body, or an ApiError with the API's own words. `ownAuth`
 * marks a call that handles its own 401 (sign-in, unlock: a wrong code is not a lost session).
 */
export async function ok<R extends ClientResponse<unknown, number, 'json' | 'text' | string>>(
  call: Promise<R>,
  ownAuth = false,
): Promise<OkBody<R>> {
  const res = await call;
  if (!res.ok) throw await toError(res, ownAuth);
  return (await res.json()) as OkBody<R>;
}

/** Awaits a typed call whose body is binary (an image, a CSV): a Blob, or an ApiError. */
export async function blob(call: Promise<ClientResponse<unknown, number, string>>): Promise<Blob> {
  const res = await call;
  if (!res.ok) throw await toError(res);
  return (res as unknown as Response).blob();
}

/** The case and purpose every search, export and image view must name (guidelines 6e). */
export interface CaseContext {
  caseRef: string;
  purpose: string;
}
export const caseHeaders = (c: CaseContext) => ({ 'x-alpr-case': c.caseRef, 'x-alpr-purpose': c.purpose });

/** A message for any failure: the API's words when it answered, else the network's. */
export const messageOf = (err: unknown) =>
  err instanceof ApiError ? err.detail : `the appliance did not answer (${(err as Error).message})`;

type Api = typeof api.api;
/** The JSON a call answers on success (a report route also answers HTML, by ?format=). */
type Ok<Call extends (...args: never[]) => Promise<unknown>> = OkBody<Awaited<ReturnType<Call>>>;

/*
 * The API's shapes the pages show, inferred from its answers and requests: the dashboard imports
 * no backend file, and a field the server renames fails the dashboard's build.
 */
export type HealthReport = InferResponseType<Api['health']['report']['$get']>;
export type StoredRead = Ok<Api['reads']['$get']>['reads'][number];
export type StoredAlert = Ok<Api['alerts']['$get']>['alerts'][number];
export type Role = InferRequestType<Api['users']['$post']>['json']['roles'][number];
export type SeriesRange = InferRequestType<Api['metrics']['series']['$get']>['query']['range'];
export type VerifyResult = Ok<Api['audit']['verify']['$get']>;
export type AuditReport = Ok<Api['reports']['audit']['$get']>;
export type Evaluation = Ok<Api['reports']['evaluation']['$get']>;
export type MapInfo = Ok<Api['map']['$get']>;

/** What the alert stream (server-sent events, outside the route types) delivers, in the API's own shapes. */
export type AlertNotice =
  | { type: 'alert.raised'; alert: StoredAlert['alert']; reminder: string }
  | { type: 'alert.event'; alertId: string; event: StoredAlert['events'][number]; state: StoredAlert['state'] }
  | {
      type: 'alert.escalated';
      alertId: string;
      event: StoredAlert['events'][number];
      alert: StoredAlert['alert'] | null;
      reminder: string;
    }
  /** A repeat hit of the same plate and record: the alert's card counts it, no new card. */
  | { type: 'alert.sighting'; alertId: string; sighting: StoredAlert['sightings'][number]; historical: boolean };
