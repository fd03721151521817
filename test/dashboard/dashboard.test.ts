import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot, startAppliance, Totp, type Appliance } from './harness.ts';

/**
 * The dashboard against the real appliance with its simulated camera: the first administrator
 * through the setup link, sign-in with the banner and TOTP, administration, an investigator's
 * search under a case, the live page and the charts. One appliance for the file; the tests
 * run in order and build on each other, as the people using it would.
 */
const PASSWORD = 'dashboard test passphrase';
let app: Appliance;
let browser: Browser;
let admin: { page: Page; errors: string[]; totp: Totp };
let investigator: { page: Page; errors: string[]; totp: Totp; plate: string };
let enrolLink = '';

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('dashboard'), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, 60_000);

async function signIn(page: Page, username: string, totp: Totp) {
  await page.goto(app.url + '/');
  await expect.poll(() => page.getByTestId('banner').textContent()).toMatch(/.{20,}/);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Authenticator code').fill(totp.code());
  await page.getByLabel('I have read and accept this notice').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').waitFor();
}

describe('dashboard', () => {
  it('creates the first administrator through the setup link, then signs in with the banner and a TOTP code', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${app.url}/setup#${app.setupToken}`);
    // The token leaves the address bar as soon as the page has read it.
    await page.getByTestId('totp-secret').waitFor();
    expect(page.url()).toBe(`${app.url}/setup`);
    const totp = new Totp((await page.getByTestId('totp-secret').getAttribute('data-secret'))!);
    await page.getByLabel('User name').fill('chief');
    await page.getByLabel('Full name').fill('Chief Designee');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByLabel('Code shown by the authenticator').fill(totp.code());
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await expect.poll(() => page.getByTestId('enrol-done').textContent()).toContain('chief');
    await page.getByRole('button', { name: 'Go to sign-in' }).click();

    // A wrong code is refused with the API's words; the banner must be accepted.
    await page.getByLabel('User name').fill('chief');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Authenticator code').fill('000000');
    await expect(page.getByRole('button', { name: 'Sign in' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('I have read and accept this notice').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/invalid|incorrect|code|credentials/i);

    await signIn(page, 'chief', totp);
    expect(await page.getByTestId('whoami').textContent()).toContain('admin');
    admin = { page, errors, totp };
    expect(errors).toEqual([]);
  }, 60_000);
});

describe('administration', () => {
  it('designates an investigator with training, opens a case and authorises the simulated camera', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Administration' }).click();
    expect(page.url()).toBe(`${app.url}/admin`);
    await page.getByLabel('User name').fill('ivan');
    await page.getByLabel('Full name').fill('Ivan Investigator');
    await page.getByRole('checkbox', { name: 'operator' }).uncheck();
    await page.getByRole('checkbox', { name: 'investigator' }).check();
    await page.getByRole('button', { name: 'Designate and issue enrolment link' }).click();
    const link = (await page.getByTestId('enrol-link').locator('.secret').textContent())!;
    expect(link).toMatch(new RegExp(`^${app.url}/enrol#[A-Za-z0-9_-]{20,}$`));
    enrolLink = link;
    await page.locator('tr[data-user="ivan"] button').click();
    await page.getByTestId('user-detail').getByRole('button', { name: 'Record training' }).click();
    await expect.poll(() => page.locator('tr[data-user="ivan"]').textContent()).toContain('current');

    await page.getByRole('tab', { name: 'Cases' }).click();
    await page.getByLabel('Case number').fill('DASH-1');
    await page.getByLabel('Title').fill('Dashboard test burglary');
    await page.getByRole('button', { name: 'Open case' }).click();
    await page.locator('tr[data-case="DASH-1"]').waitFor();

    // Keyboard: the tab list moves with the arrow keys.
    await page.getByRole('tab', { name: 'Cases' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Cameras & deployments' }).getAttribute('aria-selected')).toBe('true');
    // The simulated camera reports, unauthorised: its reads are refused until this form is sent.
    await expect.poll(() => page.locator('tr[data-camera="sim-1"]').textContent(), { timeout: 30_000 }).toContain('reads refused');
    await page.getByLabel('Deployment id').fill('DEP-SIM-1');
    await page.getByLabel('Camera', { exact: true }).fill('sim-1');
    await page.getByLabel('Latitude').fill('30.4383');
    await page.getByLabel('Longitude').fill('-84.2807');
    await page.getByLabel('Location', { exact: true }).fill('Test bench, Monroe St northbound');
    await page.getByLabel('Purpose', { exact: true }).fill('Dashboard test of the simulated camera');
    await page.getByLabel(/public view/).check();
    await page.getByRole('button', { name: 'Authorise' }).click();
    await page.locator('tr[data-deployment="DEP-SIM-1"]').waitFor();
    expect(await page.locator('tr[data-camera="sim-1"]').textContent()).toContain('DEP-SIM-1');
    await screenshot(page, 'administration');
    expect(admin.errors).toEqual([]);
  }, 60_000);
});

describe('search', () => {
  it('enrols the investigator, asks for the case first, and finds simulated reads with their images', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(enrolLink);
    await page.getByTestId('totp-secret').waitFor();
    const totp = new Totp((await page.getByTestId('totp-secret').getAttribute('data-secret'))!);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByLabel('Code shown by the authenticator').fill(totp.code());
    await page.getByRole('button', { name: 'Complete enrolment' }).click();
    await page.getByTestId('enrol-done').waitFor();
    await signIn(page, 'ivan', totp);
    await page.getByRole('link', { name: 'Search' }).click();

    // The case comes first; a case not in the registry is refused by the appliance, in its words.
    await page.getByLabel('Case number or name').fill('NOPE-404');
    await page.getByLabel('Purpose', { exact: true }).fill('locate the vehicle seen at the burglary');
    await page.getByRole('button', { name: 'Continue to search' }).click();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not in the case registry');
    await page.getByRole('button', { name: 'Change case' }).click();
    await page.getByLabel('Case number or name').fill('DASH-1');
    await page.getByLabel('Purpose', { exact: true }).fill('locate the vehicle seen at the burglary');
    await page.getByRole('button', { name: 'Continue to search' }).click();
    expect(await page.getByTestId('case-context').textContent()).toContain('DASH-1');

    // Reads of the simulated camera arrive once its deployment is authorised.
    const rows = page.locator('[data-testid="results"] tbody tr');
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByTestId('result-count').waitFor();
        return rows.count();
      }, { timeout: 60_000, intervals: [2000] })
      .toBeGreaterThan(0);
    // The crop is fetched with the case headers and shown from a blob.
    const withImage = rows.filter({ has: page.locator('img') }).first();
    await expect.poll(() => withImage.locator('img').getAttribute('src')).toMatch(/^blob:/);
    const plate = (await withImage.locator('.plate').textContent())!.trim();

    await page.getByLabel('Plate text').fill(plate);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Every row of the new result is that plate (the earlier result had others, or the same one alone).
    await expect.poll(async () => [...new Set((await rows.locator('.plate').allTextContents()).map((t) => t.trim()))]).toEqual([plate]);
    await screenshot(page, 'search');

    // Export for the case file: a CSV download of the same search.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV for the case file' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('plate');
    expect(csv).toContain(plate);

    // Dissemination: recorded with the case, the file carries the statutory notice.
    await page.getByRole('button', { name: 'Disseminate…' }).click();
    await page.getByLabel('Recipient agency').fill('Leon County Sheriff');
    await page.getByLabel('Recipient person').fill('Det. R. Ortiz');
    await page.getByLabel(/Authority/).fill('Standing order 12-3');
    const [shared] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Record and download' }).click()]);
    const pkg = await readFile((await shared.path())!, 'utf8');
    expect(pkg).toMatch(/^# NOTICE: ALPR DATA/);
    expect(pkg).toContain(plate);
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Dissemination .* recorded/);
    expect(errors).toEqual([]);
    investigator = { page, errors, totp, plate };
  }, 120_000);
});
