import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, type AccessConfig, type AuditSink, type Logger } from '../../contracts/index.ts';
import type { AuthService } from '../auth.ts';
import type { Enrolment } from '../enrolment.ts';
import { clientIp, CSRF_HEADER } from '../guard.ts';
import { SESSION_COOKIE, type SessionStore } from '../sessions.ts';
import { accessErrorHandler, smallBodyOn } from './util.ts';
import { valid } from '../../server/index.ts';

const loginBody = z.strictObject({
  username: z.string().max(64),
  password: z.string().max(256),
  code: z.string().max(12),
  bannerAccepted: z.boolean().optional(),
});
const unlockBody = z.strictObject({ password: z.string().max(256), code: z.string().max(12) });
const tokenBody = z.strictObject({ token: z.string().max(100) });
const setupBody = z.strictObject({
  token: z.string().max(100),
  username: z.string().max(64),
  displayName: z.string().max(120),
  password: z.string().max(256),
  code: z.string().max(12),
});
const enrolBody = z.strictObject({ token: z.string().max(100), password: z.string().max(256), code: z.string().max(12) });

export interface AuthRoutesOptions {
  access: AccessConfig;
  auth: AuthService;
  enrolment: Enrolment;
  sessions: SessionStore;
  audit: AuditSink;
  logger: Logger;
  /** The appliance's time zone, given with the banner so that pages before sign-in show dates in it too. */
  timeZone?: string;
}

/**
 * Sign-in, sign-out, unlock, first-start setup and enrolment: the routes reachable without a
 * session. None reveals stored data; each checks its own token or credentials, behind the
 * credential throttle (429 with Retry-After, see throttle.ts).
 */
export function authPublicRoutes(opts: AuthRoutesOptions) {
  const { access, auth, enrolment, sessions, audit } = opts;
  const cookieOpts = {
    httpOnly: true,
    secure: access.cookieSecure,
    sameSite: 'Strict' as const,
    path: '/api',
    maxAge: access.sessionMaxHours * 3600,
  };

  const app = new Hono()
    .use('*', smallBodyOn('/auth', '/setup', '/enrol'))
    .get('/auth/banner', (c) => c.json({ banner: access.banner, timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE }))
    .post('/auth/login', valid('json', loginBody), async (c) => {
      const body = c.req.valid('json');
      const { token, session, user } = await auth.login(body, clientIp(c));
      setCookie(c, SESSION_COOKIE, token, cookieOpts);
      return c.json({
        user: { username: user.username, displayName: user.displayName, roles: user.roles },
        csrfToken: session.csrf,
        idleMinutes: access.sessionIdleMinutes,
      });
    })
    .post('/auth/logout', async (c) => {
      const session = sessions.peek(getCookie(c, SESSION_COOKIE));
      sessions.checkCsrf(session, c.req.header(CSRF_HEADER));
      sessions.destroy(session);
      deleteCookie(c, SESSION_COOKIE, { path: '/api', secure: access.cookieSecure });
      await audit.append({ actor: session.username, action: 'logout', outcome: 'ok', ip: clientIp(c) });
      return c.json({ ok: true });
    })
    .post('/auth/unlock', valid('json', unlockBody), async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      sessions.checkCsrf(sessions.peek(token), c.req.header(CSRF_HEADER));
      const body = c.req.valid('json');
      const session = await auth.unlock(token, body, clientIp(c));
      return c.json({ ok: true, csrfToken: session.csrf });
    })
    .post('/setup/begin', valid('json', tokenBody), async (c) => {
      const { token } = c.req.valid('json');
      return c.json(await enrolment.beginSetup(token, clientIp(c)));
    })
    .post('/setup/complete', valid('json', setupBody), async (c) => {
      const body = c.req.valid('json');
      return c.json(await enrolment.completeSetup(body, clientIp(c)), 201);
    })
    .post('/enrol/begin', valid('json', tokenBody), async (c) => {
      const { token } = c.req.valid('json');
      return c.json(await enrolment.beginEnrolment(token, clientIp(c)));
    })
    .post('/enrol/complete', valid('json', enrolBody), async (c) => {
      const body = c.req.valid('json');
      return c.json(await enrolment.completeEnrolment(body, clientIp(c)));
    });
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
