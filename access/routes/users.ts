import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, type AccessConfig, type Logger } from '../../contracts/index.ts';
import { newApiToken, type AuthService } from '../auth.ts';
import { parseDisplayName, type Enrolment } from '../enrolment.ts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../errors.ts';
import { unlocked, isLocked, lockedUntilForDisplay } from '../lockout.ts';
import type { AccessEnv } from '../principal.ts';
import { permissionsOf, validRoleSet } from '../roles.ts';
import type { SessionStore } from '../sessions.ts';
import { listTraining, putTraining, trainingStatus } from '../training.ts';
import {
  getAuthState,
  getUser,
  listUsers,
  publicUser,
  putAuthState,
  putUser,
  resetsOf,
  roleSchema,
  userHistory,
  usernameSchema,
  ENROLMENT_RESET_CHANGE,
  type User,
} from '../users.ts';
import { listNoncompliance, recordNoncompliance } from '../enforcement.ts';
import { clientIp } from '../guard.ts';
import { accessErrorHandler, smallBodyOn } from './util.ts';
import { textField, valid } from '../../server/index.ts';

const isoDay = z.iso.date();
const reasonBody = z.strictObject({ reason: textField(500) });
const designateBody = z.strictObject({
  username: usernameSchema,
  displayName: textField(120),
  kind: z.enum(['person', 'service']).default('person'),
  roles: z.array(roleSchema).min(1).max(6),
});
const rolesBody = z.strictObject({ roles: z.array(roleSchema).min(1).max(6), reason: textField(500) });
const trainingBody = z
  .strictObject({ course: textField(120), completedOn: isoDay, expiresOn: isoDay, note: z.string().max(500).default('') })
  .refine((t) => t.expiresOn >= t.completedOn, { message: 'expiresOn must not be before completedOn', path: ['expiresOn'] });
const ncBody = z.strictObject({
  finding: textField(1000),
  action: z.enum(['none', 'warning', 'retraining', 'suspension']),
});
const passwordBody = z.strictObject({ currentPassword: z.string().max(256), newPassword: z.string().max(256), code: z.string().max(12) });

export interface UserRoutesOptions {
  client: ClickHouseClient;
  access: AccessConfig;
  sessions: SessionStore;
  enrolment: Enrolment;
  /** Checks the current password and code of a password change, counted toward lockout like a sign-in. */
  auth: AuthService;
  logger: Logger;
  clock?: () => Date;
  /** The appliance's time zone: the dashboard shows every date in it. */
  timeZone?: string;
}

/** Designation, training records, suspension and non-compliance (guidelines 2a, 2f, 5c, 7d). */
export function userRoutes(opts: UserRoutesOptions) {
  const { client, access, sessions, enrolment } = opts;
  const clock = opts.clock ?? (() => new Date());

  async function mustGet(username: string): Promise<User> {
    const u = usernameSchema.safeParse(username).success ? await getUser(client, username) : null;
    if (!u) throw new NotFoundError(`no user "${username.slice(0, 64)}"`);
    return u;
  }

  /** An agency must never lose its last administrator to a suspension or role change. */
  async function keepAnAdmin(target: string) {
    const admins = (await listUsers(client)).filter((u) => u.status === 'active' && u.roles.includes('admin') && u.username !== target);
    if (admins.length === 0) throw new ConflictError('this would leave no active administrator');
  }

  /**
   * Separation of duties: an administrator who grants itself a role, records its own training
   * or resets its own credentials holds every key (it granted itself the investigator role and
   * searched at once). Another administrator does it for them.
   */
  function notForOneself(c: { get(k: 'principal'): { username: string } }, u: User, what: string) {
    if (u.username === c.get('principal').username)
      throw new ForbiddenError(`${what} needs a second administrator: ask another administrator to do it`);
  }

  async function suspend(u: User, by: string, reason: string) {
    if (u.roles.includes('admin')) await keepAnAdmin(u.username);
    await putUser(client, { ...u, status: 'suspended', changedBy: by, change: `suspended: ${reason}` }, clock());
    sessions.destroyUser(u.username);
  }

  const app = new Hono<AccessEnv>()
    .use('*', smallBodyOn('/auth/session', '/auth/password', '/users', '/noncompliance'))
    .get('/auth/session', async (c) => {
      const p = c.get('principal');
      const training = p.kind === 'person' ? trainingStatus(await listTraining(client, p.username), clock(), access.requiredCourses) : null;
      // Every reset of this user's credentials by an administrator, for the account view.
      const enrolmentResets = p.kind === 'person' ? resetsOf(await userHistory(client, p.username)) : [];
      return c.json({
        username: p.username,
        kind: p.kind,
        roles: p.roles,
        permissions: [...p.permissions],
        training,
        enrolmentResets,
        csrfToken: p.session?.csrf ?? null,
        idleMinutes: access.sessionIdleMinutes,
        timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE,
      });
    })
    .post('/auth/password', valid('json', passwordBody), async (c) => {
      const body = c.req.valid('json');
      const { endedSessions } = await opts.auth.changePassword(c.get('principal'), body, clientIp(c));
      c.set('auditDetail', `password changed; ${endedSessions} other session(s) ended`);
      return c.json({ ok: true, endedSessions });
    })
    .get('/users', async (c) => {
      const now = clock();
      const [users, training] = await Promise.all([listUsers(client), listTraining(client)]);
      const rows = await Promise.all(
        users.map(async (u) => {
          const st = await getAuthState(client, u.username);
          return {
            ...publicUser(u),
            locked: isLocked(st, now),
            lastLoginAt: st.lastLoginAt?.toISOString() ?? null,
            training:
              u.kind === 'person'
                ? trainingStatus(
                    training.filter((t) => t.username === u.username),
                    now,
                    access.requiredCourses,
                  )
                : null,
          };
        }),
      );
      return c.json({ users: rows });
    })
    .post('/users', valid('json', designateBody), async (c) => {
      const body = c.req.valid('json');
      c.set('auditBody', body);
      c.set('auditTarget', body.username);
      const roleProblem =
        validRoleSet(body.roles) ??
        (body.kind === 'service' && !body.roles.every((r) => r === 'service') ? 'a service account holds the service role only' : null) ??
        (body.kind === 'person' && body.roles.includes('service') ? 'a person cannot hold the service role' : null);
      if (roleProblem) throw new InvalidInputError('invalid roles', [{ param: 'roles', message: roleProblem }]);
      if (await getUser(client, body.username)) throw new ConflictError(`user "${body.username}" exists`);
      const by = c.get('principal').username;
      const now = clock();
      const base = {
        username: body.username,
        kind: body.kind,
        displayName: parseDisplayName(body.displayName),
        roles: body.roles,
        designatedBy: by,
        designatedAt: now,
        passwordHash: '',
        changedBy: by,
      };
      if (body.kind === 'service') {
        const { token, hash } = newApiToken();
        await putUser(
          client,
          {
            ...base,
            status: 'active',
            totpSecret: '',
            totpEnabled: false,
            tokenHash: hash,
            enrolTokenHash: '',
            enrolExpires: null,
            change: 'service account designated',
          },
          now,
        );
        return c.json(
          { user: publicUser((await getUser(client, body.username))!), apiToken: token, note: 'shown once: store it in the client now' },
          201,
        );
      }
      const e = enrolment.newEnrolment();
      await putUser(
        client,
        {
          ...base,
          status: 'pending',
          totpSecret: e.secret,
          totpEnabled: false,
          tokenHash: '',
          enrolTokenHash: e.hash,
          enrolExpires: e.expires,
          change: 'designated; enrolment link issued',
        },
        now,
      );
      return c.json(
        {
          user: publicUser((await getUser(client, body.username))!),
          enrolment: { token: e.token, path: `/enrol#${e.token}`, expires: e.expires.toISOString() },
        },
        201,
      );
    })
    .get('/users/:username', async (c) => {
      const u = await mustGet(c.req.param('username'));
      c.set('auditTarget', u.username);
      const [history, training, st, nc] = await Promise.all([
        userHistory(client, u.username),
        listTraining(client, u.username),
        getAuthState(client, u.username),
        listNoncompliance(client, u.username),
      ]);
      return c.json({
        user: publicUser(u),
        permissions: [...permissionsOf(u.roles)],
        locked: isLocked(st, clock()),
        lockedUntil: isLocked(st, clock()) ? (lockedUntilForDisplay(st)?.toISOString() ?? 'until an administrator unlocks') : null,
        failedAttempts: st.failedAttempts,
        lastLoginAt: st.lastLoginAt?.toISOString() ?? null,
        training,
        trainingStatus: trainingStatus(training, clock(), access.requiredCourses),
        noncompliance: nc,
        history: history.map(publicUser),
      });
    })
    .post('/users/:username/roles', valid('json', rolesBody), async (c) => {
      const u = await mustGet(c.req.param('username'));
      const body = c.req.valid('json');
      c.set('auditTarget', u.username);
      c.set('auditBody', body);
      notForOneself(c, u, 'changing your own roles');
      const problem =
        validRoleSet(body.roles) ??
        ((u.kind === 'service') !== body.roles.includes('service') ? 'service accounts hold the service role, people never' : null);
      if (problem) throw new InvalidInputError('invalid roles', [{ param: 'roles', message: problem }]);
      if (u.roles.includes('admin') && !body.roles.includes('admin')) await keepAnAdmin(u.username);
      await putUser(
        client,
        {
          ...u,
          roles: body.roles,
          changedBy: c.get('principal').username,
          change: `roles ${u.roles.join(',')} -> ${body.roles.join(',')}: ${body.reason}`,
        },
        clock(),
      );
      sessions.destroyUser(u.username);
      return c.json({ user: publicUser((await getUser(client, u.username))!) });
    })
    .post('/users/:username/suspend', valid('json', reasonBody), async (c) => {
      const u = await mustGet(c.req.param('username'));
      const { reason } = c.req.valid('json');
      c.set('auditTarget', u.username);
      c.set('auditBody', { reason });
      if (u.status === 'suspended') throw new ConflictError('already suspended');
      await suspend(u, c.get('principal').username, reason);
      return c.json({ user: publicUser((await getUser(client, u.username))!) });
    })
    .post('/users/:username/reinstate', valid('json', reasonBody), async (c) => {
      const u = await mustGet(c.req.param('username'));
      const { reason } = c.req.valid('json');
      c.set('auditTarget', u.username);
      c.set('auditBody', { reason });
      if (u.status !== 'suspended') throw new ConflictError('not suspended');
      const status = u.kind === 'service' || u.totpEnabled ? 'active' : 'pending';
      await putUser(client, { ...u, status, changedBy: c.get('principal').username, change: `reinstated: ${reason}` }, clock());
      return c.json({ user: publicUser((await getUser(client, u.username))!) });
    })
    .post('/users/:username/unlock', async (c) => {
      const u = await mustGet(c.req.param('username'));
      c.set('auditTarget', u.username);
      const now = clock();
      await putAuthState(client, u.username, unlocked(await getAuthState(client, u.username)), now);
      return c.json({ ok: true });
    })
    .post('/users/:username/enrolment', async (c) => {
      const u = await mustGet(c.req.param('username'));
      c.set('auditTarget', u.username);
      if (u.kind !== 'person') throw new InvalidInputError('service accounts use API tokens; rotate the token instead');
      if (u.status === 'suspended') throw new ConflictError('reinstate the user first');
      notForOneself(c, u, 'resetting your own credentials');
      const e = enrolment.newEnrolment();
      await putUser(
        client,
        {
          ...u,
          status: 'pending',
          passwordHash: '',
          totpSecret: e.secret,
          totpEnabled: false,
          enrolTokenHash: e.hash,
          enrolExpires: e.expires,
          changedBy: c.get('principal').username,
          change: ENROLMENT_RESET_CHANGE,
        },
        clock(),
      );
      sessions.destroyUser(u.username);
      c.set('auditDetail', 'enrolment reset: password and authenticator cleared, sessions ended, new enrolment link issued');
      return c.json({ enrolment: { token: e.token, path: `/enrol#${e.token}`, expires: e.expires.toISOString() } });
    })
    .post('/users/:username/token', async (c) => {
      const u = await mustGet(c.req.param('username'));
      c.set('auditTarget', u.username);
      if (u.kind !== 'service') throw new InvalidInputError('only service accounts have API tokens');
      const { token, hash } = newApiToken();
      await putUser(client, { ...u, tokenHash: hash, changedBy: c.get('principal').username, change: 'API token rotated' }, clock());
      return c.json({ apiToken: token, note: 'shown once: the previous token no longer works' });
    })
    .post('/users/:username/training', valid('json', trainingBody), async (c) => {
      const u = await mustGet(c.req.param('username'));
      const body = c.req.valid('json');
      c.set('auditTarget', u.username);
      c.set('auditBody', body);
      notForOneself(c, u, 'recording your own training');
      const rec = await putTraining(
        client,
        {
          username: u.username,
          course: body.course,
          completedOn: body.completedOn,
          expiresOn: body.expiresOn,
          recordedBy: c.get('principal').username,
          revoked: false,
          note: body.note,
        },
        clock(),
      );
      return c.json({ training: rec }, 201);
    })
    .post('/users/:username/training/:id/revoke', valid('json', reasonBody), async (c) => {
      const u = await mustGet(c.req.param('username'));
      const { reason } = c.req.valid('json');
      const rec = (await listTraining(client, u.username)).find((t) => t.id === c.req.param('id'));
      if (!rec) throw new NotFoundError('no such training record');
      c.set('auditTarget', `${u.username}/${rec.id}`);
      c.set('auditBody', { reason });
      await putTraining(client, { ...rec, revoked: true, recordedBy: c.get('principal').username, note: `revoked: ${reason}` }, clock());
      return c.json({ ok: true });
    })
    .post('/users/:username/noncompliance', valid('json', ncBody), async (c) => {
      const u = await mustGet(c.req.param('username'));
      const body = c.req.valid('json');
      c.set('auditTarget', u.username);
      c.set('auditBody', body);
      const by = c.get('principal').username;
      if (body.action === 'suspension' && u.status !== 'suspended') await suspend(u, by, `non-compliance: ${body.finding}`);
      const rec = await recordNoncompliance(
        client,
        { id: randomUUID(), username: u.username, recordedBy: by, finding: body.finding, action: body.action },
        clock(),
      );
      return c.json({ noncompliance: rec, user: publicUser((await getUser(client, u.username))!) }, 201);
    })
    .get('/noncompliance', async (c) => c.json({ noncompliance: await listNoncompliance(client) }));
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
