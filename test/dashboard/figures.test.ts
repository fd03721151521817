/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser, where document and window exist.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootstrapAccess, designate } from '../helpers/access.ts';
import { adoptSession } from './flows.ts';
import { launchBrowser, openPage, screenshot, startAppliance, type Appliance } from './harness.ts';

/**
 * Figures a chief can trust (issue 31, point 6), in Chromium against the real appliance and its
 * simulated camera: the metrics page's hit figures bounded and named with their definitions,
 * the still-filling last bucket marked, and the annual evaluation as a report with the
 * agency's name, human labels and a print stylesheet that hides the navigation.
 */
const AGENCY = 'Leon County Sheriff’s Office';
let app: Appliance;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('figures', [`site: { agency: "${AGENCY}" }`]), launchBrowser()]);
  const fixture = await bootstrapAccess(app.url, app.setupToken, ['sim-1']);
  // The auditor's session, signed in through the API, handed to the browser as its cookie.
  const auditor = await designate(app.url, fixture.admin, 'it-auditor', ['auditor']);
  ({ page, errors } = await openPage(browser));
  await adoptSession(page.context(), app, auditor.session);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, 60_000);

describe('metrics', () => {
  it('shows both hit figures between 0 and 100 % with their definitions, and marks the bucket still filling', async () => {
    await page.goto(`${app.url}/metrics`);
    const reads = page.locator('[data-chart="reads"]');
    await reads.locator('canvas').waitFor({ timeout: 30_000 });
    await expect.poll(() => reads.locator('.u-legend').textContent(), { timeout: 30_000 }).toContain('sim-1');

    const hits = page.locator('[data-chart="hitRate"]');
    await expect.poll(() => hits.locator('.u-legend').textContent()).toContain('Alerts per read');
    expect(await hits.locator('.u-legend').textContent()).toContain('Plates hit per plate read');
    expect(await hits.textContent()).toContain('Alerts per read: reads that raised at least one alert ÷ all reads');
    expect(await hits.textContent()).toContain(
      'Plates hit per plate read: distinct plates that matched a hotlist entry (an alert or a further sighting of one) ÷ distinct plates read',
    );

    // What the chart draws: shares of the bucket's reads, never past 1.
    const series = (await (await page.context().request.get(`${app.url}/api/metrics/series?range=1h`)).json()) as {
      t: number[];
      partial: { index: number; since: number; elapsedShare: number } | null;
      hits: { alertsPerRead: (number | null)[]; platesHitPerPlateRead: (number | null)[] };
    };
    const figures = [...series.hits.alertsPerRead, ...series.hits.platesHitPerPlateRead].filter((x) => x !== null);
    expect(figures.length).toBeGreaterThan(0);
    for (const x of figures) expect(x >= 0 && x <= 1).toBe(true);

    // The last bucket is marked on every chart and explained in words.
    expect(series.partial).toMatchObject({ index: series.t.length - 1 });
    expect(await reads.getAttribute('data-partial')).toBe(String(series.t.length - 1));
    await expect.poll(() => page.getByTestId('partial-note').textContent()).toMatch(/still filling: \d+ % of its 1 min has passed/);
    await screenshot(page, 'metrics-figures');
    expect(errors).toEqual([]);
  }, 60_000);
});

describe('the annual evaluation', () => {
  it('reads as a report: agency, period in words, sections with context and human labels', async () => {
    await page.goto(`${app.url}/audit`);
    await page.getByRole('tab', { name: 'Annual evaluation' }).click();
    const report = page.getByTestId('evaluation');
    await expect.poll(() => page.getByTestId('eval-agency').textContent(), { timeout: 20_000 }).toBe(AGENCY);
    expect(await page.getByTestId('eval-period').textContent()).toMatch(/^[A-Z][a-z]+ \d{1,2}, \d{4} to [A-Z][a-z]+ \d{1,2}, \d{4}$/);
    expect(await report.locator('section h2').allTextContents()).toEqual([
      'Performance',
      'Operational factors',
      'Data quality',
      'Business value and return on investment',
      'Technology refresh planning',
      'Data retention and purge',
      'Deployments',
    ]);
    for (const context of await report.locator('section p.context').allTextContents()) expect(context.length).toBeGreaterThan(60);
    const text = (await report.textContent())!;
    for (const label of ['Plates read', 'Alerts per read', 'Plates hit per plate read', 'Uptime per camera', 'Purge compliant'])
      expect(text).toContain(label);
    expect(text).not.toMatch(/hitRate|uptimeShare|confirmed_hit|\{"|\b0\.\d{4,}|\d{4}-\d{2}-\d{2}T\d{2}/);
    expect(text).toContain('DEP-sim-1');
    // The charts are drawn at a readable size.
    const svg = await report.locator('svg.bars').first().boundingBox();
    expect(svg!.width).toBeGreaterThan(400);
    await screenshot(page, 'evaluation-report');

    // Printed: no navigation, no buttons, each section after the first on a new page.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.getByRole('navigation').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await report.isVisible()).toBe(true);
    const breaks = await report
      .locator('section.sec')
      .evaluateAll((els) => els.map((el) => getComputedStyle(el).breakBefore || getComputedStyle(el).pageBreakBefore));
    expect(breaks[0]).not.toBe('page');
    expect(breaks.slice(1).every((b) => b === 'page' || b === 'always')).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('header.top').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);

  it("serves the same report as a printable page of the appliance's own", async () => {
    const href = await page.getByRole('link', { name: 'Printable page' }).getAttribute('href');
    const printable = await page.context().newPage();
    await printable.goto(app.url + href!);
    await printable.emulateMedia({ media: 'print' });
    expect(await printable.locator('.agency').textContent()).toBe(AGENCY);
    expect(await printable.locator('h1').textContent()).toBe('Annual evaluation of the automated license plate reader system');
    expect(await printable.locator('section.sec svg.bars').count()).toBeGreaterThan(0);
    const breaks = await printable.locator('section.sec').evaluateAll((els) => els.map((el) => getComputedStyle(el).breakBefore));
    expect(breaks[0]).not.toBe('page');
    expect(breaks.slice(1).every((b) => b === 'page')).toBe(true);
    const text = (await printable.locator('body').textContent())!;
    expect(text).not.toMatch(/hitRate|uptimeShare|confirmed_hit|\{"|\d{4}-\d{2}-\d{2}T\d{2}/);
    await printable.close();
  }, 30_000);
});
