import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ROLES, type Role } from './roles.ts';
import { nextVersion } from './versions.ts';

/**
 * Designated users (guidelines 2a, 2e, 2f) as append-only versions: every designation, role
 * change, suspension or reinstatement is a new row, so who designated whom and when stays on
 * record. Sign-in counters live in auth_state so that logins do not bury that history.
 */
export const usernameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, '2-64 lower-case letters, digits, ".", "_" or "-"');
export const roleSchema = z.enum(ROLES);

export type UserStatus = 'pending' | 'active' | 'suspended';

export interface User {
  username: string;
  version: string;
  kind: 'person' | 'service';
  displayName: string;
  roles: Role[];
  status: UserStatus;
  designatedBy: string;
  designatedAt: Date;
  passwordHash: string;
  totpSecret: string;
  totpEnabled: boolean;
  tokenHash: string;
  enrolTokenHash: string;
  enrolExpires: Date | null;
  changedBy: string;
  changedAt: Date;
  change: string;
}

interface UserRow {
  username: string;
  version: string;
  kind: string;
  display_name: string;
  roles: string[];
  status: string;
  designated_by: string;
  designated_at: string;
  password_hash: string;
  totp_secret: string;
  totp_enabled: number;
  token_hash: string;
  enrol_token_hash: string;
  enrol_expires: string;
  changed_by: string;
  changed_at: string;
  change: string;
}

const SELECT = `SELECT username, toString(version) AS version, kind, display_name, roles, status, designated_by,
  toUnixTimestamp64Milli(designated_at) AS designated_at, password_hash, totp_secret, totp_enabled, token_hash,
  enrol_token_hash, toUnixTimestamp64Milli(enrol_expires) AS enrol_expires, changed_by,
  toUnixTimestamp64Milli(changed_at) AS changed_at, change FROM users`;

const fromRow = (r: UserRow): User => ({
  username: r.username,
  version: r.version,
  kind: r.kind === 'service' ? 'service' : 'person',
  displayName: r.display_name,
  roles: r.roles.filter((x): x is Role => (ROLES as readonly string[]).includes(x)),
  status: (['pending', 'active', 'suspended'].includes(r.status) ? r.status : 'suspended') as UserStatus,
  designatedBy: r.designated_by,
  designatedAt: new Date(Number(r.designated_at)),
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpEnabled: r.totp_enabled === 1,
  tokenHash: r.token_hash,
  enrolTokenHash: r.enrol_token_hash,
  enrolExpires: Number(r.enrol_expires) > 0 ? new Date(Number(r.enrol_expires)) : null,
  changedBy: r.changed_by,
  changedAt: new Date(Number(r.changed_at)),
  change: r.change,
});

async function select(client: ClickHouseClient, where: string, params: Record<string, unknown>, final = true): Promise<User[]> {
  const rs = await client.query({
    query: `${SELECT} ${final ? 'FINAL' : ''} WHERE ${where} ORDER BY username, version`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return (await rs.json<UserRow>()).map(fromRow);
}

export async function getUser(client: ClickHouseClient, username: string): Promise<User | null> {
  return (await select(client, 'username = {u:String}', { u: username }))[0] ?? null;
}

export async function listUsers(client: ClickHouseClient): Promise<User[]> {
  return select(client, '1', {});
}

/** Every version of a user, oldest first: the designation history. */
export async function userHistory(client: ClickHouseClient, username: string): Promise<User[]> {
  return select(client, 'username = {u:String}', { u: username }, false);
}

export async function countUsers(client: ClickHouseClient): Promise<number> {
  const rs = await client.query({ query: 'SELECT count() AS n FROM users FINAL', format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

export async function findUserBy(client: ClickHouseClient, column: 'token_hash' | 'enrol_token_hash', hash: string): Promise<User | null> {
  if (!hash) return null;
  const col = column === 'token_hash' ? 'token_hash' : 'enrol_token_hash';
  return (await select(client, `${col} = {h:String}`, { h: hash }))[0] ?? null;
}

/** Writes the next version of a user; `change` says what it changed and why. */
export async function putUser(client: ClickHouseClient, u: Omit<User, 'version' | 'changedAt'>, now: Date): Promise<void> {
  await client.insert({
    table: 'users',
    format: 'JSONEachRow',
    values: [
      {
        username: u.username,
        version: nextVersion(now.getTime()).toString(),
        kind: u.kind,
        display_name: u.displayName,
        roles: u.roles,
        status: u.status,
        designated_by: u.designatedBy,
        designated_at: u.designatedAt.getTime(),
        password_hash: u.passwordHash,
        totp_secret: u.totpSecret,
        totp_enabled: u.totpEnabled ? 1 : 0,
        token_hash: u.tokenHash,
        enrol_token_hash: u.enrolTokenHash,
        enrol_expires: u.enrolExpires?.getTime() ?? 0,
        changed_by: u.changedBy,
        changed_at: now.getTime(),
        change: u.change,
      },
    ],
  });
}

/**
 * The change an administrator's reset of a user's credentials writes. Whoever resets someone
 * holds their enrolment link, so the reset must show where that user looks: on the enrolment
 * page (who reset and when) and in their account view for good (resetsOf).
 */
export const ENROLMENT_RESET_CHANGE = 'credentials reset; new enrolment link issued';

/** The resets of one user's credentials, oldest first, from their version history. */
export function resetsOf(history: readonly User[]): { at: string; by: string }[] {
  return history.filter((v) => v.change === ENROLMENT_RESET_CHANGE).map((v) => ({ at: v.changedAt.toISOString(), by: v.changedBy }));
}

/** What a user looks like to the API: never a hash or a secret. */
export function publicUser(u: User) {
  return {
    username: u.username,
    kind: u.kind,
    displayName: u.displayName,
    roles: u.roles,
    status: u.status,
    designatedBy: u.designatedBy,
    designatedAt: u.designatedAt.toISOString(),
    mfaEnrolled: u.totpEnabled,
    changedBy: u.changedBy,
    changedAt: u.changedAt.toISOString(),
    change: u.change,
  };
}

export interface AuthState {
  failedAttempts: number;
  lockedUntil: Date | null;
  totpLastStep: number;
  lastLoginAt: Date | null;
}

export const FRESH_AUTH_STATE: AuthState = { failedAttempts: 0, lockedUntil: null, totpLastStep: -1, lastLoginAt: null };

export async function getAuthState(client: ClickHouseClient, username: string): Promise<AuthState> {
  const rs = await client.query({
    query: `SELECT failed_attempts, toUnixTimestamp64Milli(locked_until) AS locked_until, totp_last_step,
            toUnixTimestamp64Milli(last_login_at) AS last_login_at FROM auth_state FINAL WHERE username = {u:String}`,
    query_params: { u: username },
    format: 'JSONEachRow',
  });
  const r = (await rs.json<{ failed_attempts: number; locked_until: string; totp_last_step: string; last_login_at: string }>())[0];
  if (!r) return { ...FRESH_AUTH_STATE };
  return {
    failedAttempts: Number(r.failed_attempts),
    lockedUntil: Number(r.locked_until) > 0 ? new Date(Number(r.locked_until)) : null,
    totpLastStep: Number(r.totp_last_step),
    lastLoginAt: Number(r.last_login_at) > 0 ? new Date(Number(r.last_login_at)) : null,
  };
}

export async function putAuthState(client: ClickHouseClient, username: string, s: AuthState, now: Date): Promise<void> {
  await client.insert({
    table: 'auth_state',
    format: 'JSONEachRow',
    values: [
      {
        username,
        version: nextVersion(now.getTime()).toString(),
        failed_attempts: s.failedAttempts,
        locked_until: s.lockedUntil?.getTime() ?? 0,
        totp_last_step: s.totpLastStep,
        last_login_at: s.lastLoginAt?.getTime() ?? 0,
      },
    ],
  });
}
