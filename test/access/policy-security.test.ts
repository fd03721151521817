import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema } from '../../contracts/index.ts';
import { insertReads } from '../../store/index.ts';
import { startTestStore } from '../helpers/store.ts';
import { makeRead } from '../helpers/reads.ts';
import { addCase, addUser, buildApp, caseHeaders, codeFor, signIn, type Signed, type TestApp } from './helpers.ts';

/**
 * Issue 30 against the real store: a dissemination is a search (the search permission and the
 * case gate as well as its own), free text refuses personal identifiers, and no administrator
 * holds every key (grants and training for oneself, enrolment resets).
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
let admin: Signed;
let inv: Signed;
let auditor: Signed;

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
  const now = t.clock.now();
  admin = await signIn(t, await addUser(store.client, now, { username: 'chief', roles: ['admin'] }));
  inv = await signIn(t, await addUser(store.client, now, { username: 'det', roles: ['investigator'] }));
  auditor = await signIn(t, await addUser(store.client, now, { username: 'aud', roles: ['auditor'] }));
  await addCase(store.client, now, 'CASE-PII');
  await insertReads(store.client, [
    plateReadSchema.parse(makeRead({ plate: 'POL1CY', capturedAt: new Date(Date.now() - 3_600_000).toISOString() })),
  ]);
});
afterAll(() => store.stop());

const post = (s: Signed, path: string, body: unknown, extra: Record<string, string> = {}) =>
  t.app.request(path, { method: 'POST', headers: s.headers(extra), body: JSON.stringify(body) });
const get = (s: Signed, path: string, extra: Record<string, string> = {}) => t.app.request(path, { headers: s.headers(extra) });
const share = {
  recipientAgency: 'Leon County Sheriff',
  recipientPerson: 'Det. R. Vance',
  authority: 'standing order 2025-04',
  plate: 'POL1CY',
};
const owner = { requestRef: 'PRR 2025-0200', ownershipVerifiedBy: 'registration seen at the front desk', plate: 'POL1CY' };
const log = async () =>
  ((await (await get(auditor, '/api/disseminations')).json()) as { disseminations: Record<string, unknown>[] }).disseminations;

describe('dissemination is a search', () => {
  it('refuses an administrator, whose role may not search reads, with a case or without, and releases nothing', async () => {
    for (const [path, body] of [
      ['/api/disseminations', share],
      ['/api/disseminations/owner-request', owner],
    ] as const) {
      const withCase = await post(admin, path, body, caseHeaders('CASE-PII', 'joint burglary investigation'));
      expect(withCase.status, path).toBe(403);
      const text = await withCase.text();
      expect(text).toMatch(/needs a role that may search them/);
      expect(text).not.toMatch(/POL1CY/);
      expect((await post(admin, path, body)).status, path).toBe(403);
    }
    expect(await log()).toEqual([]);
    const denied = await t.access.audit.list({ actor: 'chief', action: 'dissemination.agency' });
    expect(denied.map((e) => e.outcome)).toEqual(['denied', 'denied']);
  });

  it('needs the case gate for an investigator too, then releases and records', async () => {
    const none = await post(inv, '/api/disseminations', share);
    expect(none.status).toBe(403);
    expect(await none.text()).toMatch(/case number or case name/);
    const res = await post(inv, '/api/disseminations', share, caseHeaders('CASE-PII', 'joint burglary investigation'));
    expect(res.status).toBe(201);
    expect(((await res.json()) as { reads: { plate: string }[] }).reads.map((r) => r.plate)).toEqual(['POL1CY']);
  });
});

describe('no personal identifying information', () => {
  it("records an owner request by the agency's request number, never the requester, and refuses a name or address", async () => {
    const named = await post(
      inv,
      '/api/disseminations/owner-request',
      { ...owner, requestRef: undefined, requesterName: 'J. Q. Public' },
      caseHeaders('CASE-PII', 'public records request'),
    );
    expect(named.status).toBe(400);
    expect(await named.text()).toMatch(/unknown field\(s\): requesterName/);
    const nameAsRef = await post(
      inv,
      '/api/disseminations/owner-request',
      { ...owner, requestRef: 'John Public' },
      caseHeaders('CASE-PII', 'public records request'),
    );
    expect(nameAsRef.status).toBe(400);
    expect(await nameAsRef.text()).toMatch(/not the requester's name/);
    const address = await post(
      inv,
      '/api/disseminations/owner-request',
      { ...owner, ownershipVerifiedBy: 'owner lives at 123 Main St' },
      caseHeaders('CASE-PII', 'public records request'),
    );
    expect(address.status).toBe(400);
    expect(await address.json()).toMatchObject({
      problems: [{ param: 'ownershipVerifiedBy', message: expect.stringMatching(/a street address/) }],
    });

    const sent = await post(inv, '/api/disseminations/owner-request', owner, caseHeaders('CASE-PII', 'public records request'));
    expect(sent.status).toBe(201);
    const rows = (await log()).filter((d) => d.kind === 'owner');
    expect(rows).toEqual([expect.objectContaining({ requestRef: 'PRR 2025-0200', recipientPerson: '', outcome: 'sent' })]);
    // Nothing in the stored row names anyone: the column that held the requester is empty.
    const raw = await store.client.query({
      query: "SELECT recipient_person, request_ref FROM disseminations WHERE kind = 'owner'",
      format: 'JSONEachRow',
    });
    expect(await raw.json()).toEqual([{ recipient_person: '', request_ref: 'PRR 2025-0200' }]);
  });

  it("refuses identifiers in a dissemination's recipient, authority and purpose", async () => {
    const cases: [Record<string, unknown>, Record<string, string>, string, RegExp][] = [
      [{ ...share, recipientPerson: 'Det. Vance, vance@example.org' }, {}, 'recipientPerson', /an e-mail address/],
      [{ ...share, authority: 'as agreed by phone 850-555-0100' }, {}, 'authority', /a phone number/],
      [share, { 'x-alpr-purpose': 'suspect SSN 123-45-6789' }, 'x-alpr-purpose', /a social security number/],
    ];
    for (const [body, headers, param, message] of cases) {
      const res = await post(inv, '/api/disseminations', body, { ...caseHeaders('CASE-PII', 'joint burglary investigation'), ...headers });
      expect(res.status, param).toBe(400);
      expect(await res.json()).toMatchObject({ problems: [{ param, message: expect.stringMatching(message) }] });
    }
    expect((await log()).filter((d) => d.kind === 'agency')).toHaveLength(1);
  });

  it("refuses identifiers and full dates in case titles, and identifiers in a case change's reason", async () => {
    const titles: [string, RegExp][] = [
      ['Robbery, suspect DOB 04/05/1990', /a date of birth/],
      ['Robbery of 03/14/2025', /a date\)/],
      ['Burglary at 1200 Apalachee Pkwy', /a street address/],
      ['Fraud, SSN 123-45-6789', /a social security number/],
    ];
    for (const [title, message] of titles) {
      const res = await post(inv, '/api/cases', { caseRef: 'CASE-T1', title, activeIntel: false });
      expect(res.status, title).toBe(400);
      const body = (await res.json()) as { problems: { param: string; message: string }[] };
      expect(body.problems, title).toEqual([{ param: 'title', message: expect.stringMatching(message) }]);
      expect(JSON.stringify(body), title).not.toMatch(/1990|1200|6789/);
    }
    expect(
      (await post(inv, '/api/cases', { caseRef: 'CASE-T1', title: 'Robbery series, Capital Circle corridor', activeIntel: false })).status,
    ).toBe(201);
    const reason = await post(inv, '/api/cases/update', {
      caseRef: 'CASE-T1',
      status: 'closed',
      reason: 'suspect reached at (850) 555-0100',
    });
    expect(reason.status).toBe(400);
    expect(await reason.text()).toMatch(/a phone number/);
    const cases = (await (await get(inv, '/api/cases')).json()) as { cases: { caseRef: string; title: string; status: string }[] };
    expect(cases.cases.filter((c) => c.caseRef === 'CASE-T1')).toEqual([
      expect.objectContaining({ title: 'Robbery series, Capital Circle corridor', status: 'open' }),
    ]);
  });
});

describe('no single person holds every key', () => {
  let deputy: Signed;
  beforeAll(async () => {
    deputy = await signIn(t, await addUser(store.client, t.clock.now(), { username: 'deputy', roles: ['admin'] }));
  });

  it('refuses an administrator granting itself a role or recording its own training; a second administrator may', async () => {
    const roles = await post(admin, '/api/users/chief/roles', { roles: ['admin', 'investigator'], reason: 'I need to search' });
    expect(roles.status).toBe(403);
    expect(await roles.text()).toMatch(/needs a second administrator/);
    const training = await post(admin, '/api/users/chief/training', {
      course: 'ALPR data use and privacy',
      completedOn: '2026-01-01',
      expiresOn: '2027-01-01',
    });
    expect(training.status).toBe(403);
    expect(await training.text()).toMatch(/needs a second administrator/);
    const chief = (await (await get(deputy, '/api/users/chief')).json()) as {
      user: { roles: string[] };
      training: { recordedBy: string }[];
    };
    expect(chief.user.roles).toEqual(['admin']);
    expect(chief.training.map((r) => r.recordedBy)).toEqual(['test']);
    // Still a search refused: the refused grant left nothing behind.
    expect((await get(admin, '/api/reads?plate=POL1CY', caseHeaders('CASE-PII'))).status).toBe(403);

    expect(
      (
        await post(deputy, '/api/users/chief/training', {
          course: 'ALPR data use and privacy',
          completedOn: '2026-01-01',
          expiresOn: '2027-01-01',
        })
      ).status,
    ).toBe(201);
    expect(
      (await post(deputy, '/api/users/chief/roles', { roles: ['admin', 'investigator'], reason: 'second designee for the burglary unit' }))
        .status,
    ).toBe(200);
    const audit = await t.access.audit.list({ action: 'user.roles' });
    expect(audit.map((e) => [e.actor, e.outcome])).toEqual([
      ['chief', 'denied'],
      ['deputy', 'ok'],
    ]);
  });

  it('shows an enrolment reset to the user it resets, ends their sessions and audits it as a reset', async () => {
    const victim = await addUser(store.client, t.clock.now(), { username: 'det2', roles: ['investigator'] });
    const before = await signIn(t, victim);
    expect((await get(before, '/api/auth/session')).status).toBe(200);
    expect(((await (await get(before, '/api/auth/session')).json()) as { enrolmentResets: unknown[] }).enrolmentResets).toEqual([]);

    const res = await post(deputy, '/api/users/det2/enrolment', {});
    expect(res.status).toBe(200);
    const { enrolment } = (await res.json()) as { enrolment: { token: string } };
    expect((await get(before, '/api/auth/session')).status).toBe(401);

    const [entry] = await t.access.audit.list({ action: 'user.enrolment.reset' });
    expect(entry).toMatchObject({
      actor: 'deputy',
      target: 'det2',
      outcome: 'ok',
      detail: expect.stringMatching(/enrolment reset.*sessions ended/),
    });

    // The one who opens the link is told who reset the account and when.
    const begun = (await (
      await t.app.request('/api/enrol/begin', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: enrolment.token }),
      })
    ).json()) as { secret: string; reset: { by: string; at: string } | null };
    expect(begun.reset).toEqual({ by: 'deputy', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    t.clock.advance(31_000);
    const done = await t.app.request('/api/enrol/complete', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: enrolment.token,
        password: 'another long passphrase here',
        code: codeFor(begun.secret, t.clock.now()),
      }),
    });
    expect(done.status).toBe(200);
    // And the account view lists it for good.
    const after = await signIn(t, { ...victim, secret: begun.secret }, 'another long passphrase here');
    const session = (await (await get(after, '/api/auth/session')).json()) as { enrolmentResets: { by: string; at: string }[] };
    expect(session.enrolmentResets).toEqual([{ by: 'deputy', at: expect.any(String) }]);
  });

  it('refuses an administrator resetting its own credentials', async () => {
    const res = await post(deputy, '/api/users/deputy/enrolment', {});
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/needs a second administrator/);
  });
});
