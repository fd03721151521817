import { expect } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import type { SignedIn } from '../helpers/access.ts';
import { Totp, type Appliance } from './harness.ts';

/**
 * The steps the dashboard's browser tests share: the first administrator, designating,
 * enrolling and training users through the API, and signing in through the page.
 * Each asserts what the API promises at that step, so a test that uses it fails where it broke.
 */

/** A date `d` days from today, as the training form takes it. */
export const day = (d: number): string => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The session's CSRF header (and a JSON content type unless `json` is false) for a signed-in API context. */
export async function csrfHeaders(app: Appliance, req: APIRequestContext, json = true): Promise<Record<string, string>> {
  const s = (await (await req.get(`${app.url}/api/auth/session`)).json()) as { csrfToken: string };
  return { 'x-csrf-token': s.csrfToken, ...(json ? { 'content-type': 'application/json' } : {}) };
}

/** Signs `username` in through the API, in a browser context of its own (for the API calls). */
export async function apiSession(
  app: Appliance,
  browser: Browser,
  opts: { username: string; password: string; totp: Totp },
): Promise<APIRequestContext> {
  const req = (await browser.newContext()).request;
  const login = await req.post(`${app.url}/api/auth/login`, {
    data: { username: opts.username, password: opts.password, code: await opts.totp.next(), bannerAccepted: true },
  });
  expect(login.status()).toBe(200);
  return req;
}

/** The first administrator ('chief') through the setup API: its authenticator. */
export async function setupChief(app: Appliance, opts: { password: string }): Promise<Totp> {
  const begun = (await (await fetch(`${app.url}/api/setup/begin`, post({ token: app.setupToken }))).json()) as { secret: string };
  const totp = new Totp(begun.secret);
  const done = await fetch(
    `${app.url}/api/setup/complete`,
    post({ token: app.setupToken, username: 'chief', displayName: 'Chief', password: opts.password, code: await totp.next() }),
  );
  expect(done.status).toBe(201);
  return totp;
}

/** The first administrator ('chief') through the setup API, signed in through the API. */
export async function chiefSession(app: Appliance, browser: Browser, opts: { password: string }): Promise<APIRequestContext> {
  const totp = await setupChief(app, opts);
  return apiSession(app, browser, { username: 'chief', password: opts.password, totp });
}

/** POSTs JSON with a signed-in API context's session, failing with the answer unless it succeeded. */
export async function apiPost(app: Appliance, req: APIRequestContext, path: string, body: unknown): Promise<unknown> {
  const res = await req.post(`${app.url}${path}`, { headers: await csrfHeaders(app, req), data: body });
  if (res.status() >= 300) throw new Error(`POST ${path}: ${res.status()} ${await res.text()}`);
  return res.json();
}

/** Records current training for `username`, by an administrator's session. */
export async function train(app: Appliance, admin: APIRequestContext, username: string): Promise<void> {
  const trained = await admin.post(`${app.url}/api/users/${username}/training`, {
    headers: await csrfHeaders(app, admin),
    data: { course: 'ALPR data use and privacy', completedOn: day(-1), expiresOn: day(365) },
  });
  expect(trained.status()).toBe(201);
}

/** A user designated by an administrator's session, enrolled through the API and trained: its authenticator. */
export async function enrolTrained(
  app: Appliance,
  admin: APIRequestContext,
  opts: { username: string; roles: string[]; password: string; displayName?: string },
): Promise<Totp> {
  const { username, roles, password } = opts;
  const made = await admin.post(`${app.url}/api/users`, {
    headers: await csrfHeaders(app, admin),
    data: { username, displayName: opts.displayName ?? username, roles },
  });
  const token = ((await made.json()) as { enrolment: { token: string } }).enrolment.token;
  const begun = (await (await fetch(`${app.url}/api/enrol/begin`, post({ token }))).json()) as { secret: string };
  const totp = new Totp(begun.secret);
  expect((await fetch(`${app.url}/api/enrol/complete`, post({ token, password, code: await totp.next() }))).status).toBe(200);
  await train(app, admin, username);
  return totp;
}

/**
 * Signs in through the page: the banner, user name, password, a fresh code, the notice accepted.
 * `banner`: 'read' waits until the notice's text is there; 'shown' waits (up to 30 s, a first load
 * on a busy appliance) for the banner itself; 'none' goes straight to the form.
 */
export async function signIn(
  page: Page,
  app: Appliance,
  opts: { username: string; password: string; totp: Totp; banner?: 'read' | 'shown' | 'none' },
): Promise<void> {
  await page.goto(`${app.url}/`);
  const banner = opts.banner ?? 'read';
  if (banner === 'read') await expect.poll(() => page.getByTestId('banner').textContent()).toMatch(/.{20,}/);
  else if (banner === 'shown') await page.getByTestId('banner').waitFor({ timeout: 30_000 });
  await page.getByLabel('User name').fill(opts.username);
  await page.getByLabel('Password', { exact: true }).fill(opts.password);
  await page.getByLabel('Authenticator code').fill(await opts.totp.next());
  await page.getByLabel('I have read and accept this notice').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

/** The first administrator through the setup page (the setup link), up to "enrolment done": its authenticator. */
export async function setupThroughPage(page: Page, opts: { password: string; username?: string; fullName?: string }): Promise<Totp> {
  const totp = new Totp((await page.getByTestId('totp-secret').getAttribute('data-secret'))!);
  await page.getByLabel('User name').fill(opts.username ?? 'chief');
  await page.getByLabel('Full name').fill(opts.fullName ?? 'Chief Designee');
  await page.getByLabel('Password', { exact: true }).fill(opts.password);
  await page.getByLabel('Password again').fill(opts.password);
  await page.getByLabel('Code shown by the authenticator').fill(await totp.next());
  await page.getByRole('button', { name: 'Create administrator' }).click();
  return totp;
}

/** Hands a session signed in through the API (test/helpers/access.ts) to a browser context as its cookie. */
export async function adoptSession(context: BrowserContext, app: Appliance, session: SignedIn): Promise<void> {
  const [name, value] = session.headers().cookie!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: app.url }]);
}
