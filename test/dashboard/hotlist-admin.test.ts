/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser, where document and window exist.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chiefSession, csrfHeaders, day, enrolTrained, signIn } from './flows.ts';
import { launchBrowser, openPage, screenshot, startAppliance, type Appliance } from './harness.ts';

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

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('hotlist-admin'), launchBrowser()]);
  const chief = await chiefSession(app, browser, { password: PASSWORD });
  // The administrator who manages the lists in the browser.
  const totp = await enrolTrained(app, chief, { username: 'keeper', roles: ['admin'], password: PASSWORD, displayName: 'Hotlist Keeper' });
  ({ page, errors } = await openPage(browser));
  await signIn(page, app, { username: 'keeper', password: PASSWORD, totp, banner: 'shown' });
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
        headers: await csrfHeaders(app, req),
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
