import type { ClickHouseClient } from '@clickhouse/client';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import type { AccessConfig, AuditEventInput, AuditSink, Logger } from '../contracts/index.ts';
import type { AuditNoise } from './audit-noise.ts';
import { hashToken, type AuthService } from './auth.ts';
import { caseRefSchema, getCase } from './cases.ts';
import {
  AccessError,
  CaseRequiredError,
  ForbiddenError,
  NotAuthenticatedError,
  RateLimitedError,
  SessionLockedError,
  TrainingLapsedError,
} from './errors.ts';
import type { AccessEnv, CaseContext, Principal } from './principal.ts';
import { DATA_PERMISSIONS, permissionsOf } from './roles.ts';
import { accessRules, PUBLIC_ROUTES, type AccessRule } from './rules.ts';
import { SESSION_COOKIE, type SessionStore } from './sessions.ts';
import { listTraining, trainingStatus } from './training.ts';
import { getUser } from './users.ts';

export const CASE_HEADER = 'x-alpr-case';
export const PURPOSE_HEADER = 'x-alpr-purpose';
export const CSRF_HEADER = 'x-csrf-token';

const purposePattern = /^[^\p{Cc}]{3,200}$/u;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardOptions {
  client: ClickHouseClient;
  access: AccessConfig;
  tacticalDays: number;
  sessions: SessionStore;
  auth: AuthService;
  audit: AuditSink;
  /** Where refusals of requests without identity go, summarised per address. */
  noise: AuditNoise;
  logger: Logger;
  /** Rules for routes added by other parts (alerts, hotlists, exports), merged over the built-in ones. */
  extraRules?: Record<string, AccessRule>;
  clock?: () => Date;
}

/** The client address from the Node adapter, or null (tests calling app.request()). */
export function clientIp(c: Context): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

/** The JSON body of a small request (Hono caches it for the route), or a note why not. */
async function bodyForAudit(c: Context): Promise<unknown> {
  if (Number(c.req.header('content-length') ?? 'NaN') > 64 * 1024) return '[body over 64 KiB not recorded]';
  try {
    return await c.req.json();
  } catch {
    return '[not JSON]';
  }
}

/**
 * "METHOD /path" of the API route that will answer, as registered (params unexpanded), or null.
 * Handlers run in registration order, so the first match answers. A match outside /api is a
 * catch-all of the dashboard's static files, which answers API paths with a 404: no route.
 */
export function routeKey(c: Context): string | null {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const route = matchedRoutes(c).find((r) => r.method === method);
  return route && route.path.startsWith('/api/') ? `${method} ${route.path}` : null;
}

const sameRoles = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export function errorBody(err: AccessError) {
  return {
    error: err.message,
    ...('problems' in err && Array.isArray(err.problems) && err.problems.length ? { problems: err.problems } : {}),
    ...(err.name === 'SessionLockedError' ? { locked: true } : {}),
  };
}

/**
 * The one gate in front of every route that reveals stored data or changes access: it
 * authenticates (session cookie + CSRF, or a service token), re-reads the user so that a
 * suspension bites at once, checks the route's permission, current training for data, the
 * case gate, then lets the route run and appends the outcome to the audit log. If that append
 * fails the response is replaced: no access goes unrecorded.
 */
export function createAccessGuard(opts: GuardOptions): MiddlewareHandler<AccessEnv> {
  const { client, access, sessions, auth, audit, noise, logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  const rules = { ...accessRules, ...opts.extraRules };

  async function authenticate(c: Context, ip: string | null, passive: boolean): Promise<Principal> {
    const bearer = c.req.header('authorization');
    if (bearer !== undefined) {
      const m = /^Bearer (\S{1,200})$/.exec(bearer);
      if (!m) throw new NotAuthenticatedError('malformed Authorization header');
      const user = await auth.authenticateToken(m[1]!, ip);
      if (user.status !== 'active') throw new ForbiddenError(`service account ${user.status}`);
      const recheck = async () => {
        const now = await getUser(client, user.username);
        return now?.status === 'active' && now.tokenHash === hashToken(m[1]!) && sameRoles(now.roles, user.roles)
          ? null
          : 'service account or its token changed';
      };
      return {
        username: user.username,
        kind: 'service',
        roles: user.roles,
        permissions: permissionsOf(user.roles),
        via: 'token',
        session: null,
        recheck,
      };
    }
    const session = sessions.resolve(getCookie(c, SESSION_COOKIE), !passive);
    if (!SAFE_METHODS.has(c.req.method)) sessions.checkCsrf(session, c.req.header(CSRF_HEADER));
    const user = await getUser(client, session.username);
    if (!user || user.kind !== 'person' || user.status !== 'active' || !user.totpEnabled) {
      sessions.destroy(session);
      throw new ForbiddenError(
        user?.status === 'suspended' ? 'account suspended; contact the ALPR administrator' : 'account no longer active',
      );
    }
    const recheck = async () => {
      const state = sessions.state(session);
      if (state !== 'live') return state === 'locked' ? 'session locked after inactivity' : 'session ended';
      const now = await getUser(client, session.username);
      return now?.status === 'active' && now.totpEnabled && sameRoles(now.roles, user.roles) ? null : 'account suspended or changed';
    };
    return {
      username: user.username,
      kind: 'person',
      roles: user.roles,
      permissions: permissionsOf(user.roles),
      via: 'session',
      session,
      recheck,
    };
  }

  async function caseGate(c: Context): Promise<CaseContext> {
    const rawCase = c.req.header(CASE_HEADER);
    const rawPurpose = c.req.header(PURPOSE_HEADER)?.trim();
    if (!rawCase || !rawPurpose) {
      throw new CaseRequiredError(
        `a case number or case name (${CASE_HEADER}) and a purpose (${PURPOSE_HEADER}) are required for every search and export`,
      );
    }
    const ref = caseRefSchema.safeParse(rawCase);
    if (!ref.success) throw new CaseRequiredError(`${CASE_HEADER}: ${ref.error.issues[0]?.message}`);
    if (!purposePattern.test(rawPurpose)) throw new CaseRequiredError(`${PURPOSE_HEADER}: 3-200 characters, no control characters`);
    const record = await getCase(client, ref.data);
    if (!record) throw new CaseRequiredError(`case "${ref.data}" is not in the case registry`);
    if (record.status !== 'open') throw new CaseRequiredError(`case "${record.caseRef}" is closed`);
    return { caseRef: record.caseRef, purpose: rawPurpose, record };
  }

  return async (c, next) => {
    const key = routeKey(c);
    // Sign-in and enrolment answer for themselves, wherever the app mounted them.
    if (key && PUBLIC_ROUTES.has(key)) return next();
    const ip = clientIp(c);
    const rule = key ? rules[key] : undefined;
    const action = rule?.action ?? 'access';
    const query = () => ({
      method: c.req.method,
      path: c.req.path,
      params: c.req.query(),
      ...(c.get('auditBody') !== undefined ? { body: c.get('auditBody') } : {}),
    });
    let principal: Principal | null = null;

    const record = async (e: Omit<AuditEventInput, 'actor' | 'action' | 'ip' | 'query'>) =>
      audit.append({ actor: principal?.username ?? 'anonymous', action, query: query(), ip, ...e });

    try {
      principal = await authenticate(c, ip, rule?.passive === true);
      if (!key) return next(); // no such route: the 404 reveals nothing once signed in
      if (!rule) {
        logger.error('route has no access rule; refused', { route: key });
        throw new ForbiddenError('this route has no access rule and stays closed');
      }
      const admitted = rule.anyOf.find((p) => principal!.permissions.has(p));
      if (!admitted) throw new ForbiddenError(`your role (${principal.roles.join(', ')}) does not permit ${rule.action}`);
      if (principal.kind === 'person' && DATA_PERMISSIONS.has(admitted)) {
        const status = trainingStatus(await listTraining(client, principal.username), clock(), access.requiredCourses);
        if (!status.current)
          throw new TrainingLapsedError(`data access blocked: ${status.reason}; see the ALPR administrator to record current training`);
      }
      const ruleCtx = { client, now: clock(), tacticalDays: opts.tacticalDays };
      if (rule.caseGate === true || (typeof rule.caseGate === 'function' && (await rule.caseGate(c, ruleCtx))))
        c.set('caseContext', await caseGate(c));
      if (rule.auditBody) c.set('auditBody', await bodyForAudit(c));
      const refusal = await rule.check?.(c, principal, ruleCtx);
      if (refusal) throw new ForbiddenError(refusal);
    } catch (err) {
      if (!(err instanceof AccessError)) throw err;
      const raw = {
        caseRef: c.req.header(CASE_HEADER)?.slice(0, 80) ?? null,
        purpose: c.req.header(PURPOSE_HEADER)?.slice(0, 200) ?? null,
      };
      if (principal === null && (err instanceof NotAuthenticatedError || err instanceof SessionLockedError)) {
        // No identity: an outsider can send these at will, so they are summarised per address
        // (audit-noise.ts). Token failures were noted by the auth service already.
        if (err.message !== 'unknown API token')
          await noise.record({
            actor: 'anonymous',
            action,
            query: query(),
            ip,
            outcome: 'denied',
            detail: err.message,
            target: c.req.path,
            ...raw,
          });
      } else {
        await record({ outcome: 'denied', detail: err.message, target: c.req.path, ...raw }).catch((e) =>
          logger.error('audit append failed', { err: e }),
        );
      }
      if (err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json(errorBody(err), err.status);
    }

    c.set('principal', principal);
    await next();
    if (rule.audit === false) return;
    const status = c.res.status;
    const cc = c.get('caseContext');
    try {
      await record({
        target: c.get('auditTarget') ?? c.req.path,
        caseRef: cc?.caseRef ?? null,
        purpose: cc?.purpose ?? c.get('auditPurpose') ?? null,
        outcome: status < 400 || status === 404 ? 'ok' : status >= 500 ? 'error' : 'denied',
        detail: c.get('auditDetail') ?? (status === 404 ? 'not found' : status >= 400 ? `HTTP ${status}` : null),
      });
    } catch (err) {
      logger.error('audit append failed; response withheld', { err: err as Error, route: key });
      c.res = undefined;
      c.res = c.json({ error: 'the audit log cannot be written; access refused until it can' }, 503);
    }
  };
}
