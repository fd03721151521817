/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser, where document and window exist.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, startAppliance, Totp, type Appliance } from './harness.ts';

/**
 * Hotlist management in the dashboard (issue 31, point 5), against the real appliance at a
 * 1366x768 screen: an administrator pages through an agency list's entries, searches them by
 * plate, adds and removes entries (each shown with who added it and when), and is told why a
 * duplicate or an unknown state is refused.
 */
const PASSWORD = 'hotlist admin test passphrase';
let app: Appliance;
let browser: Browser;
let page: Page;
let errors: string[];

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);

async function csrf(req: APIRequestContext): Promise<Record<string, string>> {
  const s = (await (await req.get(`${app.url}/api/auth/session`)).json()) as { csrfToken: string };
  return { 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' };
}

/** The first administrator through the setup API, signed in in a browser context of its own (for the API calls). */
async function chiefSession(): Promise<APIRequestContext> {
  const begun = (await (await fetch(`${app.url}/api/setup/begin`, post({ token: app.setupToken }))).json()) as { secret: string };
  const totp = new Totp(begun.secret);
  const done = await fetch(
    `${app.url}/api/setup/complete`,
    post({ token: app.setupToken, username: 'chief', displayName: 'Chief', password: PASSWORD, code: totp.code() }),
  );
  expect(done.status).toBe(201);
  const req = (await browser.newContext()).request;
  const login = await req.post(`${app.url}/api/auth/login`, {
    data: { username: 'chief', password: PASSWORD, code: totp.code(), bannerAccepted: true },
  });
  expect(login.status()).toBe(200);
  return req;
}

/** An administrator designated, enrolled and trained through the API: the one who manages the lists in the browser. */
async function enrolAdmin(chief: APIRequestContext, username: string): Promise<Totp> {
  const made = await chief.post(`${app.url}/api/users`, {
    headers: await csrf(chief),
    data: { username, displayName: 'Hotlist Keeper', roles: ['admin'] },
  });
  const token = ((await made.json()) as { enrolment: { token: string } }).enrolment.token;
  const begun = (await (await fetch(`${app.url}/api/enrol/begin`, post({ token }))).json()) as { secret: string };
  const totp = new Totp(begun.secret);
  expect((await fetch(`${app.url}/api/enrol/complete`, post({ token, password: PASSWORD, code: totp.code() }))).status).toBe(200);
  const trained = await chief.post(`${app.url}/api/users/${username}/training`, {
    headers: await csrf(chief),
    data: { course: 'ALPR data use and privacy', completedOn: day(-1), expiresOn: day(365) },
  });
  expect(trained.status()).toBe(201);
  return totp;
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('hotlist-admin'), launchBrowser()]);
  const totp = await enrolAdmin(await chiefSession(), 'keeper');
  ({ page, errors } = await openPage(browser));
  await page.goto(`${app.url}/`);
  await page.getByTestId('banner').waitFor({ timeout: 30_000 });
  await page.getByLabel('User name').fill('keeper');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Authenticator code').fill(totp.code());
  await page.getByLabel('I have read and accept this notice').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, 60_000);

const entries = () => page.getByTestId('hotlist-entries');
const range = () => page.getByTestId('entries-range').textContent();
const rowOf = (plate: string) => entries().locator('tbody tr', { hasText: plate });

async function addByForm(plate: string, state: string, reason: string) {
  await page.getByLabel('Plate', { exact: true }).fill(plate);
  await page.getByLabel('State', { exact: true }).fill(state);
  await page.getByLabel('Category', { exact: true }).fill('stolen_vehicle');
  await page.getByLabel('Reason (recorded)').fill(reason);
  await page.getByRole('button', { name: 'Add entry' }).click();
}

describe('hotlist administration', () => {
  it('adds entries that show who added them and when, and pages through the list', async () => {
    await page.goto(`${app.url}/admin`);
    await page.getByRole('tab', { name: 'Hotlists' }).click();
    await expect.poll(range).toBe('no entries');
    await addByForm('HLA 101', 'FL', 'BOLO, case HL-1');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('HLA 101 added to agency');
    await expect.poll(range).toBe('1–1 of 1');
    const row = rowOf('HLA101');
    expect(await row.getByTestId('added').textContent()).toMatch(/^keeper · /);
    expect(await row.textContent()).toContain('BOLO, case HL-1');

    // More entries through the API (the same route the form uses), so the list has pages.
    const req = page.context().request;
    for (let i = 0; i < 28; i++) {
      const res = await req.post(`${app.url}/api/hotlists/agency/entries`, {
        headers: await csrf(req),
        data: { plate: `PGE ${String(i).padStart(3, '0')}`, state: 'GA', reason: 'paging', expiresAt: day(30) },
      });
      expect(res.status()).toBe(200);
    }
    await entries().getByRole('button', { name: 'Search' }).click();
    await expect.poll(range).toBe('1–25 of 29');
    await entries().getByRole('button', { name: 'Next' }).click();
    await expect.poll(range).toBe('26–29 of 29');
    expect(await entries().locator('tbody tr').count()).toBe(4);
    await entries().getByRole('button', { name: 'Previous' }).click();
    await expect.poll(range).toBe('1–25 of 29');
  }, 120_000);

  it('searches the list by part of a plate, spaces and dashes ignored', async () => {
    await entries().getByLabel('Plate contains').fill('pge-01');
    await entries().getByRole('button', { name: 'Search' }).click();
    await expect.poll(range).toBe('1–10 of 10');
    const plates = await entries().locator('tbody td.plate').allTextContents();
    expect(plates).toEqual(Array.from({ length: 10 }, (_, i) => `PGE01${i}`));
    await entries().getByLabel('Plate contains').fill('NOPE');
    await entries().getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => entries().textContent()).toContain('No entry on agency contains “NOPE”.');
    await entries().getByLabel('Plate contains').fill('');
    await entries().getByRole('button', { name: 'Search' }).click();
    await expect.poll(range).toBe('1–25 of 29');
  });

  it('refuses a duplicate and an unknown state, showing the reason, and adds nothing', async () => {
    await addByForm('hla-101', 'fl', 'again');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/HLA101 \(FL\) is already on "agency": record AG-\w+, added by keeper on \d{4}-\d{2}-\d{2}/);
    await addByForm('HLA 999', 'ZZ', 'bad state');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('state: "ZZ" is not a US state code');
    await entries().getByRole('button', { name: 'Search' }).click();
    await expect.poll(range).toBe('1–25 of 29');
    await expect.poll(() => entries().getByRole('button', { name: 'Next' }).isEnabled()).toBe(true);
    await screenshot(page, 'hotlist-entries');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('removes an entry with a recorded reason', async () => {
    await entries().getByLabel('Plate contains').fill('HLA');
    await entries().getByRole('button', { name: 'Search' }).click();
    await expect.poll(range).toBe('1–1 of 1');
    await rowOf('HLA101').getByRole('button', { name: 'Remove' }).click();
    await entries()
      .getByLabel(/Why is HLA101 removed/)
      .fill('vehicle recovered');
    await entries().getByRole('button', { name: 'Remove HLA101' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^HLA101 \(record AG-\w+\) removed from agency\.$/);
    await expect.poll(range).toBe('no entries');
    // The new version says what was removed and why.
    await expect
      .poll(() => page.getByTestId('hotlist-versions').textContent())
      .toMatch(/removed HLA101 \(FL, record AG-\w+\): vehicle recovered/);
    // The refusals above answered 400 (logged by the browser as failed loads); nothing else went wrong.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
