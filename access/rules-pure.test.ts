import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, isLocked, UNTIL_ADMIN } from './lockout.ts';
import { can, permissionsOf, validRoleSet } from './roles.ts';
import { trainingStatus, type TrainingRecord } from './training.ts';
import { passwordProblem, hashPassword, verifyPassword } from './passwords.ts';
import { coveringAuthorisation, type Deployment } from './deployments.ts';
import { FRESH_AUTH_STATE } from './users.ts';

describe('roles', () => {
  it('gives operators the tactical window only and auditors no data', () => {
    expect(can(['operator'], 'reads.tactical')).toBe(true);
    expect(can(['operator'], 'reads.investigate')).toBe(false);
    expect(can(['investigator'], 'reads.investigate')).toBe(true);
    expect(can(['auditor'], 'reads.tactical')).toBe(false);
    expect(can(['auditor'], 'audit.read')).toBe(true);
    expect(can(['admin'], 'reads.tactical')).toBe(false);
    expect(can(['service'], 'reads.tactical')).toBe(false);
    expect([...permissionsOf(['admin', 'investigator'])]).toEqual(expect.arrayContaining(['users.manage', 'reads.investigate']));
  });

  it('refuses role sets that break separation of duties', () => {
    expect(validRoleSet([])).toMatch(/at least one/);
    expect(validRoleSet(['auditor', 'admin'])).toMatch(/auditor/);
    expect(validRoleSet(['service', 'operator'])).toMatch(/service/);
    expect(validRoleSet(['admin', 'investigator'])).toBeNull();
  });
});

describe('lockout', () => {
  const now = new Date('2025-03-01T12:00:00Z');
  const policy = { attempts: 5, minutes: 30 };
  it('locks at the fifth consecutive failure, for the configured time', () => {
    let s = FRESH_AUTH_STATE;
    for (let i = 0; i < 4; i++) s = afterFailure(s, now, policy);
    expect(isLocked(s, now)).toBe(false);
    s = afterFailure(s, now, policy);
    expect(isLocked(s, now)).toBe(true);
    expect(s.lockedUntil).toEqual(new Date(now.getTime() + 30 * 60_000));
    expect(isLocked(s, new Date(now.getTime() + 31 * 60_000))).toBe(false);
  });
  it('holds a 0-minute lock until an administrator, and a success resets the count', () => {
    let s = FRESH_AUTH_STATE;
    for (let i = 0; i < 5; i++) s = afterFailure(s, now, { attempts: 5, minutes: 0 });
    expect(s.lockedUntil).toEqual(UNTIL_ADMIN);
    const ok = afterSuccess({ ...FRESH_AUTH_STATE, failedAttempts: 3 }, 100, now);
    expect(ok).toEqual({ failedAttempts: 0, lockedUntil: null, totpLastStep: 100, lastLoginAt: now });
  });
  it('starts a fresh count after a lock ran out', () => {
    let s = FRESH_AUTH_STATE;
    for (let i = 0; i < 5; i++) s = afterFailure(s, now, policy);
    const later = new Date(now.getTime() + 40 * 60_000);
    s = afterFailure(s, later, policy);
    expect(s.failedAttempts).toBe(1);
    expect(isLocked(s, later)).toBe(false);
  });
});

describe('training', () => {
  const rec = (course: string, completedOn: string, expiresOn: string, revoked = false): TrainingRecord => ({
    id: course + expiresOn,
    username: 'u',
    course,
    completedOn,
    expiresOn,
    recordedBy: 'a',
    recordedAt: '',
    revoked,
    note: '',
  });
  const now = new Date('2025-06-15T10:00:00Z');
  it('is current with a record not yet expired (expiry day included)', () => {
    expect(trainingStatus([rec('ALPR', '2024-06-15', '2025-06-15')], now, [])).toEqual({ current: true, expiresOn: '2025-06-15' });
  });
  it('says when training lapsed, or that there is none, and ignores revoked records', () => {
    expect(trainingStatus([rec('ALPR', '2023-01-01', '2025-06-14')], now, [])).toEqual({
      current: false,
      reason: 'training expired on 2025-06-14',
    });
    expect(trainingStatus([], now, [])).toEqual({ current: false, reason: 'no training on record' });
    expect(trainingStatus([rec('ALPR', '2025-01-01', '2026-01-01', true)], now, []).current).toBe(false);
  });
  it('needs every required course', () => {
    const records = [rec('ALPR', '2025-01-01', '2026-01-01'), rec('Privacy', '2023-01-01', '2024-01-01')];
    expect(trainingStatus(records, now, ['ALPR', 'Privacy'])).toEqual({
      current: false,
      reason: 'training required: "Privacy" expired on 2024-01-01',
    });
    expect(trainingStatus(records, now, ['ALPR'])).toEqual({ current: true, expiresOn: '2026-01-01' });
  });
});

describe('passwords', () => {
  it('hashes with scrypt, verifies, and refuses a wrong or malformed hash', async () => {
    const cost = { cost: 1024, blockSize: 8, parallelization: 1 };
    const h = await hashPassword('a long enough passphrase', cost);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPassword('a long enough passphrase', h)).toBe(true);
    expect(await verifyPassword('a long enough passphrasf', h)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$AA$AA')).toBe(false);
  });
  it('refuses short passwords and ones containing the user name', () => {
    expect(passwordProblem('short', { minLength: 12, username: 'jdoe' })).toMatch(/12/);
    expect(passwordProblem('my name is jdoe ok', { minLength: 12, username: 'jdoe' })).toMatch(/user name/);
    expect(passwordProblem('aaaaaaaaaaaaaaa', { minLength: 12, username: 'jdoe' })).toMatch(/repeat/);
    expect(passwordProblem('correct horse battery', { minLength: 12, username: 'jdoe' })).toBeNull();
  });
});

describe('deployment authorisation', () => {
  const d = (over: Partial<Deployment>): Deployment => ({
    id: 'DEP-1',
    cameraId: 'cam-1',
    status: 'active',
    mode: 'fixed',
    location: { lat: 0, lon: 0, description: 'x' },
    publicView: true,
    purpose: 'p',
    authorizedBy: 'a',
    authorizedAt: '2025-01-01T00:00:00Z',
    validFrom: '2025-01-01T00:00:00.000Z',
    validUntil: null,
    changedBy: 'a',
    changedAt: '',
    change: '',
    ...over,
  });
  const at = new Date('2025-02-01T00:00:00Z');
  it('covers a read by the camera within the validity window', () => {
    expect(coveringAuthorisation([d({})], 'cam-1', at)?.id).toBe('DEP-1');
    expect(coveringAuthorisation([d({})], 'cam-2', at)).toBeNull();
    expect(coveringAuthorisation([d({ status: 'rescinded' })], 'cam-1', at)).toBeNull();
    expect(coveringAuthorisation([d({ validUntil: '2025-01-15T00:00:00.000Z' })], 'cam-1', at)).toBeNull();
    expect(coveringAuthorisation([d({ validFrom: '2025-03-01T00:00:00.000Z' })], 'cam-1', at)).toBeNull();
  });
  it('holds a configured camera to its configured deployment reference', () => {
    expect(coveringAuthorisation([d({})], 'cam-1', at, 'DEP-2')).toBeNull();
    expect(coveringAuthorisation([d({}), d({ id: 'DEP-2' })], 'cam-1', at, 'DEP-2')?.id).toBe('DEP-2');
  });
});

describe('access configuration', () => {
  it('defaults to the CJIS limits and refuses looser ones', async () => {
    const { validateConfig } = await import('../contracts/index.ts');
    const ok = validateConfig({});
    expect(ok.ok && ok.config.access).toMatchObject({
      sessionIdleMinutes: 30,
      lockoutAttempts: 5,
      enforceDeployments: true,
      cookieSecure: true,
    });
    const bad = validateConfig({
      access: { sessionIdleMinutes: 45, lockoutAttempts: 11, dutyHours: { timeZone: 'Mars/Olympus' }, scrypt: { cost: 1000 } },
    });
    expect(bad.ok ? [] : bad.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['access.sessionIdleMinutes', 'access.lockoutAttempts', 'access.dutyHours.timeZone', 'access.scrypt.cost']),
    );
  });
});

describe('configuration audit', () => {
  it('removes secrets and names the sections that changed', async () => {
    const { validateConfig } = await import('../contracts/index.ts');
    const { redactConfig, changedSections } = await import('./config-audit.ts');
    const cam = {
      id: 'cam-1',
      name: 'c',
      url: 'rtsp://admin:hunter2@10.0.0.5/s',
      location: { lat: 1, lon: 2, description: 'x' },
      deploymentRef: 'DEP-1',
    };
    const a = validateConfig({ cameras: [cam], storage: { kind: 'remote', url: 'https://ch:8443', password: 'secret' } });
    const b = validateConfig({
      cameras: [cam],
      storage: { kind: 'remote', url: 'https://ch:8443', password: 'secret' },
      retention: { tacticalDays: 20 },
    });
    if (!a.ok || !b.ok) throw new Error('fixture');
    const ra = redactConfig(a.config);
    expect(JSON.stringify(ra)).not.toMatch(/hunter2|secret/);
    expect((ra.cameras as { url: string }[])[0]!.url).toBe('rtsp://[credentials]@10.0.0.5/s');
    const { url, ...bySource } = cam;
    const c = validateConfig({ cameras: [{ ...bySource, source: { kind: 'rtsp', url } }] });
    if (!c.ok) throw new Error('fixture');
    expect((redactConfig(c.config).cameras as { source: { url: string } }[])[0]!.source.url).toBe('rtsp://[credentials]@10.0.0.5/s');
    expect(changedSections(ra, redactConfig(b.config))).toEqual(['retention']);
    expect(changedSections(null, ra)).toEqual([]);
  });
});
