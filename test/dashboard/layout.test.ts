/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser, where document and window exist.)
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { csrfHeaders, enrolTrained, setupThroughPage, signIn, train } from './flows.ts';
import { launchBrowser, openPage, screenshot, startAppliance, type Appliance, type Totp } from './harness.ts';

/**
 * Layout and habits at a 1366x768 command-centre screen, against the real appliance: no page
 * scrolls sideways for any role, each role lands on its own first page and is told when a page
 * is not theirs, enrolment shows a QR code, the audit log is paged, filtered and exported, and
 * a list still loading is not shown as empty.
 */
const PASSWORD = 'layout test passphrase';
const SCREEN = { width: 1366, height: 768 };
// One unbroken token: the kind of text that pushed a table past the screen.
const LONG_PURPOSE = `locate_the_vehicle_${'seen_leaving_the_scene_'.repeat(7)}end`;
const LANDING: Record<string, string> = {
  operator: '/live',
  supervisor: '/live',
  investigator: '/search',
  admin: '/admin',
  auditor: '/audit',
};
const PAGES: Record<string, string[]> = {
  operator: ['/live', '/metrics', '/search'],
  supervisor: ['/live', '/metrics', '/search'],
  investigator: ['/live', '/metrics', '/search'],
  admin: ['/live', '/metrics', '/audit', '/admin'],
  auditor: ['/live', '/metrics', '/audit'],
};

let app: Appliance;
let browser: Browser;
const totps: Record<string, Totp> = {};

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('layout'), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, 60_000);

/** The page is as wide as the window: nothing scrolls sideways (with the widest element named when it does). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    if (over <= 0) return null;
    const widest = Array.from(document.querySelectorAll('body *'))
      .map((e) => ({ e, right: e.getBoundingClientRect().right }))
      .filter((x) => x.right > window.innerWidth)
      .sort((a, b) => b.right - a.right)[0];
    return `${over} px too wide: ${widest ? `${widest.e.tagName.toLowerCase()}.${widest.e.getAttribute('class')} (${widest.e.textContent?.slice(0, 60)})` : '?'}`;
  });

const signInAs = (page: Page, username: string, totp: Totp) => signIn(page, app, { username, password: PASSWORD, totp });
/** An enrolled user with current training, made through the API by an administrator's session. */
const enrolViaApi = (req: APIRequestContext, username: string, roles: string[]) =>
  enrolTrained(app, req, { username, roles, password: PASSWORD, displayName: `${username} (layout test)` });

describe('enrolment', () => {
  it('shows a QR code of the authenticator key at setup, and of the link an administrator hands over, within the screen', async () => {
    const { page, errors } = await openPage(browser, SCREEN);
    await page.goto(`${app.url}/setup#${app.setupToken}`);
    await page.getByTestId('totp-secret').waitFor();
    const qr = page.getByTestId('qr');
    await expect.poll(() => qr.locator('svg path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(await qr.getByRole('img').getAttribute('aria-label')).toMatch(/QR code/);
    const box = (await qr.boundingBox())!;
    expect(box.width).toBeGreaterThan(120);
    expect(await overflow(page)).toBeNull();
    await qr.scrollIntoViewIfNeeded();
    await screenshot(page, 'enrolment-qr');
    const totp = await setupThroughPage(page, { password: PASSWORD });
    await page.getByTestId('enrol-done').waitFor();
    await signInAs(page, 'chief', totp);

    // The other roles, and the chief's own training (recorded by a second administrator).
    const req = page.context().request;
    totps.deputy = await enrolViaApi(req, 'deputy', ['admin']);
    const deputy = await openPage(browser, SCREEN);
    await signInAs(deputy.page, 'deputy', totps.deputy);
    await train(app, deputy.page.context().request, 'chief');
    await deputy.context.close();
    for (const role of ['operator', 'supervisor', 'investigator', 'auditor']) totps[role] = await enrolViaApi(req, role, [role]);
    // A case with a long title, and a search under it with a long purpose: both reach the audit log.
    const h = await csrfHeaders(app, req);
    expect(
      (
        await req.post(`${app.url}/api/cases`, { headers: h, data: { caseRef: 'LAYOUT-1', title: `Burglary ${'series '.repeat(12)}` } })
      ).status(),
    ).toBe(201);

    // The administrator designates a user: the one-time link (once 1547 px wide) wraps, with its QR code.
    await page.goto(`${app.url}/admin`);
    await page.getByLabel('User name').fill('a-rather-long-user-name-for-the-enrolment-link');
    await page.getByLabel('Full name').fill('Long Name');
    await page.getByRole('button', { name: 'Designate and issue enrolment link' }).click();
    const card = page.getByTestId('enrol-link');
    await card.waitFor();
    expect(await card.locator('.secret').textContent()).toMatch(/\/enrol#/);
    await expect.poll(() => card.getByTestId('qr').locator('path').getAttribute('d')).toMatch(/^M/);
    await page.locator('tr[data-user="a-rather-long-user-name-for-the-enrolment-link"]').waitFor();
    expect(await overflow(page)).toBeNull();
    await screenshot(page, 'enrolment-link');
    expect(errors).toEqual([]);
  }, 180_000);
});

describe('each role at 1366x768', () => {
  it('lands on its own first page, and no page it may open scrolls sideways', async () => {
    // A search under the long purpose, so the investigator's and the auditor's pages carry it.
    const inv = await openPage(browser, SCREEN);
    await signInAs(inv.page, 'investigator', totps.investigator!);
    const search = await inv.page
      .context()
      .request.get(`${app.url}/api/reads?plate=NOPLATE1`, { headers: { 'x-alpr-case': 'LAYOUT-1', 'x-alpr-purpose': LONG_PURPOSE } });
    expect(search.status()).toBe(200);
    await inv.context.close();

    for (const role of ['operator', 'supervisor', 'investigator', 'auditor', 'admin']) {
      const { context, page, errors } = await openPage(browser, SCREEN);
      await signInAs(page, role === 'admin' ? 'deputy' : role, role === 'admin' ? totps.deputy! : totps[role]!);
      await expect.poll(() => new URL(page.url()).pathname, { message: `${role} lands` }).toBe(LANDING[role]);
      const links = (await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').all()).map((l) => l.getAttribute('href'));
      expect(await Promise.all(links)).toEqual(PAGES[role]);
      for (const path of PAGES[role]!) {
        await page.goto(`${app.url}${path}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        expect(await overflow(page), `${role} ${path}`).toBeNull();
        // Each tab of the page too.
        for (const tab of await page.getByRole('tab').all()) {
          await tab.click();
          await page.waitForLoadState('networkidle').catch(() => undefined);
          expect(await overflow(page), `${role} ${path} ${await tab.textContent()}`).toBeNull();
        }
      }
      if (role === 'investigator') {
        // The case bar carries the purpose as typed, however long.
        await page.goto(`${app.url}/search`);
        await page.getByLabel('Case number or name').fill('LAYOUT-1');
        await page.getByLabel('Purpose', { exact: true }).fill(LONG_PURPOSE);
        await page.getByRole('button', { name: 'Continue to search' }).click();
        await expect.poll(() => page.getByTestId('case-context').textContent()).toContain(LONG_PURPOSE);
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByTestId('result-count').waitFor();
        expect(await overflow(page), 'investigator /search with a long purpose').toBeNull();
      }
      if (role === 'auditor') {
        await page.goto(`${app.url}/audit`);
        await page.locator('table[data-testid="audit-log"] tbody tr[data-action]').first().waitFor();
        await screenshot(page, 'audit-log');
      }
      expect(errors, role).toEqual([]);
      await context.close();
    }
  }, 300_000);

  it('tells an operator who opens /admin that the page is not theirs, keeping the address', async () => {
    const { context, page, errors } = await openPage(browser, SCREEN);
    await signInAs(page, 'operator', totps.operator!);
    await page.goto(`${app.url}/admin`);
    await expect.poll(() => page.getByTestId('forbidden').locator('h1').textContent()).toBe('You do not have access to Administration');
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await page.getByTestId('alert-list').count()).toBe(0);
    // Its nav marks no page current, and its link leads to a page the operator may open.
    expect(await page.locator('nav a[aria-current="page"]').count()).toBe(0);
    await page.getByTestId('forbidden').getByRole('link').click();
    expect(new URL(page.url()).pathname).toBe('/live');
    await page.goto(`${app.url}/no-such-page`);
    await expect.poll(() => page.getByTestId('not-found').textContent()).toContain('/no-such-page');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('audit log', () => {
  it('pages on the server, filters by user and action, opens the details of one entry and exports the filter as CSV', async () => {
    const { context, page, errors } = await openPage(browser, SCREEN);
    await signInAs(page, 'auditor', totps.auditor!);
    const rows = page.locator('table[data-testid="audit-log"] tbody tr[data-action]');
    await rows.first().waitFor();
    await expect
      .poll(() => page.getByTestId('audit-pages').textContent())
      .toMatch(/^\d+ entries · page 1 of \d+ · times in America\/New_York/);
    expect(await rows.count()).toBeLessThanOrEqual(50);
    // Newest first: the auditor's own sign-in is on top.
    const seqs = (await rows.locator('td:first-child').allTextContents()).map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(await rows.first().textContent()).toContain('auditor');

    await page.getByLabel('User').fill('investigator');
    await page.getByLabel('Action').fill('reads.*');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => [...new Set(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-action'))))])
      .toEqual(['reads.search']);
    expect(await rows.first().locator('td').nth(5).textContent()).toContain('LAYOUT-1');
    await rows.first().getByRole('button', { name: 'Details' }).click();
    const details = page.getByTestId('audit-details');
    await expect.poll(() => details.textContent()).toContain('/api/reads');
    expect(await details.textContent()).toContain('"method": "GET"');
    expect(await overflow(page)).toBeNull();
    await screenshot(page, 'audit-details');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^alpr-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('seq,at_utc,at_local,actor,action,outcome,case_ref,purpose,target,detail,ip,query,hash');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(',investigator,reads.search,'))).toBe(true);
    expect(lines.filter((l) => l.includes(LONG_PURPOSE))).toHaveLength(2);
    expect(lines.some((l) => l.includes('NOPLATE1'))).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('loading is not empty', () => {
  it('says the live queue is loading while its alerts are on the way, and "No alerts." only once they answer', async () => {
    const { context, page, errors } = await openPage(browser, SCREEN);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/alerts?*', async (route) => {
      await held;
      await route.continue();
    });
    await signInAs(page, 'operator', totps.operator!);
    const empty = page.getByTestId('alerts-empty');
    await expect.poll(() => empty.textContent()).toBe('Loading alerts…');
    release();
    await expect.poll(() => empty.textContent()).toBe('No alerts.');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
