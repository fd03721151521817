/**
 * One error class per way access can fail. Each carries the HTTP status it maps to and a
 * message safe to show the user: routes turn them into responses without leaking internals.
 */
export abstract class AccessError extends Error {
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 423 | 429 | 503;
}

/** No session, an unknown, forged, expired or ended session, or a bad API token. */
export class NotAuthenticatedError extends AccessError {
  override readonly name = 'NotAuthenticatedError';
  readonly status = 401;
}

/** Wrong user name, password or code. Deliberately does not say which. */
export class InvalidCredentialsError extends AccessError {
  override readonly name = 'InvalidCredentialsError';
  readonly status = 401;
  constructor() {
    super('invalid user name, password or code');
  }
}

/** Too many failed sign-ins: the account is locked until a time, or until an administrator unlocks it. */
export class AccountLockedError extends AccessError {
  override readonly name = 'AccountLockedError';
  readonly status = 423;
  constructor(readonly until: Date | null) {
    super(
      until
        ? `account locked after repeated failed sign-ins until ${until.toISOString()}`
        : 'account locked after repeated failed sign-ins; an administrator must unlock it',
    );
  }
}

/** Too many credential attempts from one address or naming one account: try again after `retryAfterSeconds`. */
export class RateLimitedError extends AccessError {
  override readonly name = 'RateLimitedError';
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`too many attempts; try again in ${retryAfterSeconds} s`);
  }
}

/** The session was idle too long: it stays, but needs password and code again. */
export class SessionLockedError extends AccessError {
  override readonly name = 'SessionLockedError';
  readonly status = 401;
  constructor() {
    super('session locked after inactivity; unlock it with your password and code');
  }
}

/** A state-changing request without the session's CSRF token. */
export class CsrfError extends AccessError {
  override readonly name = 'CsrfError';
  readonly status = 403;
  constructor() {
    super('missing or wrong CSRF token');
  }
}

/** The principal's roles do not grant what the route needs, or the account is suspended. */
export class ForbiddenError extends AccessError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
}

/** Designated, but training is missing or has lapsed (guidelines 2f, 5c). */
export class TrainingLapsedError extends AccessError {
  override readonly name = 'TrainingLapsedError';
  readonly status = 403;
}

/** A search or export without an open case and a purpose (guidelines 6e). */
export class CaseRequiredError extends AccessError {
  override readonly name = 'CaseRequiredError';
  readonly status = 403;
}

/** A request body or parameter that does not validate; details in `problems`. */
export class InvalidInputError extends AccessError {
  override readonly name = 'InvalidInputError';
  readonly status = 400;
  constructor(
    message: string,
    readonly problems: { param: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends AccessError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
}

/** The record exists already, or the change conflicts with its state. */
export class ConflictError extends AccessError {
  override readonly name = 'ConflictError';
  readonly status = 409;
}

/** The audit log could not be written: the access it would have recorded is refused. */
export class AuditUnavailableError extends AccessError {
  override readonly name = 'AuditUnavailableError';
  readonly status = 503;
  constructor(cause: unknown) {
    super('the audit log cannot be written; access refused until it can', { cause });
  }
}
