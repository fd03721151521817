/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { NatsConnection } from '@nats-io/transport-node';
import { alertSchema, jetstream, natsIdentities, plateReadSchema, publishAlert, type Alert } from '../../contracts/index.ts';
import { alertId } from '../../matcher/index.ts';
import { bootstrapAccess, designate, type AccessFixture } from '../helpers/access.ts';
import { connectToAppliance } from '../helpers/nats.ts';
import { makeRead } from '../helpers/reads.ts';
import { adoptSession } from './flows.ts';
import { launchBrowser, openPage, screenshot, startAppliance, type Appliance } from './harness.ts';

/**
 * Issue 31, points 1 and 2, in the browser against the real appliance: repeated passes of one
 * plate are one card with a count; the queue shows how many wait and pages past 100; a
 * supervisor closes duplicates in bulk; a hit on a past read is not in the operator's queue but
 * in the historical view. Alerts go straight onto the bus as the matcher raises them.
 */
let app: Appliance;
let browser: Browser;
let access: AccessFixture;
let nc: NatsConnection;
let operator: { page: Page; errors: string[] };
let supervisor: { page: Page; errors: string[] };
const MIN = 60_000;

function hitOf(plate: string, recordId: string, opts: { ago?: number; camera?: string; place?: string } = {}): Alert {
  const capturedAt = new Date(Date.now() - (opts.ago ?? 500)).toISOString();
  const { cropJpeg: _crop, ...read } = plateReadSchema.parse(
    makeRead({
      plate,
      cameraId: opts.camera ?? 'sim-1',
      capturedAt,
      location: { lat: 30.44, lon: -84.28, description: opts.place ?? 'US-27 NB' },
    }),
  );
  return alertSchema.parse({
    id: alertId(read.id, 'agency', recordId),
    raisedAt: new Date().toISOString(),
    read,
    record: { source: 'agency', recordId, plate, state: 'FL', category: 'stolen_vehicle', extractVersion: 'agency-test' },
    matchKind: 'exact',
    score: 1,
  });
}

async function signedInPage(username: string, roles: string[]) {
  const who = await designate(app.url, access.admin, username, roles);
  const { context, page, errors } = await openPage(browser);
  await adoptSession(context, app, who.session);
  await page.goto(`${app.url}/live`);
  await page.getByTestId('stream').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  return { page, errors };
}

const cards = (page: Page) => page.locator('[data-testid="alert-list"] .alert-card');
const waiting = async (page: Page) => Number(await page.getByTestId('waiting').textContent());

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('alert-queue'), launchBrowser()]);
  access = await bootstrapAccess(app.url, app.setupToken, []);
  nc = await connectToAppliance(`${app.dir}/data`, app.natsPort, natsIdentities.matcher);
  operator = await signedInPage('olive', ['operator']);
  supervisor = await signedInPage('sam', ['supervisor']);
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await browser?.close();
  await app?.stop();
}, 60_000);

describe('the live alert queue', () => {
  it('shows repeated passes of one plate as one card with a count, when and where it was seen first', async () => {
    const { page } = operator;
    const js = jetstream(nc);
    const places = ['US-27 NB', 'I-10 EB at exit 199', 'Tennessee St WB'];
    for (const [i, place] of places.entries()) {
      await publishAlert(js, hitOf('REP1234', 'A1', { camera: `cam-${i + 1}`, place }));
      await expect.poll(() => page.locator('.alert-card', { hasText: 'REP1234' }).count(), { timeout: 15_000 }).toBe(1);
      if (i > 0)
        await expect
          .poll(() => page.locator('.alert-card', { hasText: 'REP1234' }).getByTestId('hits').textContent(), { timeout: 15_000 })
          .toBe(`×${i + 1}`);
    }
    const card = page.locator('.alert-card', { hasText: 'REP1234' });
    const text = (await card.textContent())!;
    expect(text).toMatch(/seen (just now|\d+ s ago) at Tennessee St WB \(cam-3\)/);
    // Seen before raised: where and how long ago lead the card.
    expect(text.indexOf('seen')).toBeLessThan(text.indexOf('raised'));
    expect(await waiting(page)).toBe(1);
    expect(await page.title()).toBe('(1) ALPR alerts');
    await card.click();
    await expect.poll(() => page.getByTestId('sighting-trail').locator('tbody tr').count(), { timeout: 15_000 }).toBe(3);
    await screenshot(page, 'live-encounter');
  }, 60_000);

  it('counts every open alert and pages past the first 100', async () => {
    const { page } = operator;
    const js = jetstream(nc);
    const many = Array.from({ length: 120 }, (_, i) => hitOf(`PG${String(i).padStart(4, '0')}`, `P${i}`));
    await Promise.all(many.map((a) => publishAlert(js, a)));
    await expect.poll(() => waiting(page), { timeout: 30_000 }).toBe(121);
    expect(await page.title()).toBe('(121) ALPR alerts');
    // A fresh page lists the first 100 and says how many more there are.
    await page.reload();
    await expect.poll(() => cards(page).count(), { timeout: 15_000 }).toBe(100);
    expect(await waiting(page)).toBe(121);
    await page.getByTestId('load-more').click();
    await expect.poll(() => cards(page).count(), { timeout: 15_000 }).toBe(121);
    expect(await page.getByTestId('load-more').count()).toBe(0);
    // An operator closes nothing in bulk: no marks, and the API refuses.
    expect(await page.getByRole('checkbox', { name: /as a duplicate/ }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Historical hits' }).count()).toBe(0);
  }, 90_000);

  it('lets a supervisor close duplicates in bulk with a reason', async () => {
    const { page } = supervisor;
    await page.reload();
    await expect.poll(() => waiting(page), { timeout: 15_000 }).toBe(121);
    for (const plate of ['PG0117', 'PG0118', 'PG0119']) await page.getByRole('checkbox', { name: `Mark ${plate} as a duplicate` }).check();
    const bulk = page.getByTestId('bulk-close');
    await bulk.getByLabel(/Reason for closing 3 as duplicates/).fill('one test car, three records');
    await screenshot(page, 'live-bulk-close');
    await bulk.getByRole('button', { name: 'Close 3 as duplicates' }).click();
    await expect.poll(() => waiting(page), { timeout: 15_000 }).toBe(118);
    // The operator's console follows.
    await expect.poll(() => waiting(operator.page), { timeout: 15_000 }).toBe(118);
    const res = await fetch(`${app.url}/api/alerts?status=closed&limit=10`, { headers: access.admin.headers() });
    expect(res.status).toBe(403); // the administrator holds no alert permission
  }, 60_000);
});

describe('historical hits', () => {
  it('keeps a hit on a past read out of the live queue and lists it in the historical view', async () => {
    const js = jetstream(nc);
    const past = hitOf('OLD4321', 'H1', { ago: 30 * MIN, place: 'Monroe St SB' });
    await publishAlert(js, past);
    const fresh = hitOf('NEW4321', 'H2');
    await publishAlert(js, fresh);
    await operator.page.locator('.alert-card', { hasText: 'NEW4321' }).waitFor({ timeout: 15_000 });
    expect(await operator.page.locator('.alert-card', { hasText: 'OLD4321' }).count()).toBe(0);
    const { page } = supervisor;
    await page.getByRole('tab', { name: 'Historical hits' }).click();
    const hist = page.getByTestId('historical-hits');
    await expect.poll(() => hist.locator('.alert-card', { hasText: 'OLD4321' }).count(), { timeout: 15_000 }).toBe(1);
    expect(await hist.textContent()).toMatch(/seen 30 min ago at Monroe St SB/);
    expect(await hist.textContent()).not.toContain('NEW4321');
    await screenshot(page, 'historical-hits');
    // These alerts came straight onto the bus, without their reads stored: their images are not there to show.
    const noImage = (e: string) => !/^404 GET \/api\/alerts\/[^/]+\/(image|vehicle-image)$/.test(e);
    expect(operator.errors.filter(noImage)).toEqual([]);
    expect(supervisor.errors.filter(noImage)).toEqual([]);
  }, 60_000);
});
