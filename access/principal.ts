import type { Permission, Role } from './roles.ts';
import type { Session } from './sessions.ts';
import type { CaseRecord } from './cases.ts';

/** Who is making a request, as the guard established it. */
export interface Principal {
  username: string;
  kind: 'person' | 'service';
  roles: Role[];
  permissions: Set<Permission>;
  via: 'session' | 'token';
  session: Session | null;
  /**
   * For a response that outlives its request (the live alert stream): null while this principal
   * may still be served, else why not (session ended or locked, account suspended, roles or
   * token changed). Reads the store; does not count as activity.
   */
  recheck?: () => Promise<string | null>;
}

/** The case and purpose a gated request was admitted under. */
export interface CaseContext {
  caseRef: string;
  purpose: string;
  record: CaseRecord;
}

/** Hono context variables set by the guard and read by routes and the audit step. */
export type AccessVariables = {
  principal: Principal;
  caseContext: CaseContext | undefined;
  /** What the request acted on, when the path alone does not say it well. */
  auditTarget: string | undefined;
  /** A JSON-safe summary of the request body for the audit entry (never a secret). */
  auditBody: unknown;
  auditDetail: string | undefined;
  /** The purpose of an access that needs no case, in the case's place: an alert being verified. */
  auditPurpose: string | undefined;
};
export type AccessEnv = { Variables: AccessVariables };
