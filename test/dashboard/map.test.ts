/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser, where document and window exist.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, Page } from 'playwright-core';
import { jetstream, natsIdentities, publishRead } from '../../contracts/index.ts';
import { connectToAppliance, freePort } from '../helpers/nats.ts';
import { makeRead } from '../helpers/reads.ts';
import { apiPost, apiSession, day, enrolTrained, setupChief, signIn, train } from './flows.ts';
import { launchBrowser, openPage, screenshot, startAppliance, type Appliance, type Totp } from './harness.ts';

/**
 * The dashboard map against the real appliance in chromium, with three configured cameras (not
 * captured: the test publishes their reads),
 * with every address but the appliance's and the agency's tile server refused, as on an
 * appliance's network: the cameras on the bundled boundaries with the configured tiles under
 * them, the alert's camera highlighted beside an operator's alert, and an investigator's box and
 * radius drawn on the Search page finding only the reads inside them.
 */
const PASSWORD = 'map test passphrase';
const miami = { lat: 25.7617, lon: -80.1918, description: 'Biscayne Blvd at NE 36th St' };
const orlando = { lat: 28.5384, lon: -81.3789, description: 'Orange Ave at Central Blvd' };
const tallahassee = { lat: 30.4383, lon: -84.2807, description: 'Monroe St at Tennessee St' };
const CAMERAS = [
  { id: 'cam-tally', name: 'Tallahassee Monroe St', location: tallahassee, deploymentRef: 'DEP-TAL' },
  { id: 'cam-miami', name: 'Miami Biscayne Blvd', location: miami, deploymentRef: 'DEP-MIA' },
  { id: 'cam-orlando', name: 'Orlando Orange Ave', location: orlando, deploymentRef: 'DEP-ORL' },
];
let app: Appliance;
let browser: Browser;
let tiles: Server;
const tileRequests: string[] = [];
let tilePort = 0;
let chief: APIRequestContext;
let chiefTotp: Totp;

/** A user designated by the chief, enrolled through the API and trained. */
const designate = (username: string, roles: string[]) => enrolTrained(app, chief, { username, roles, password: PASSWORD });

/** A page on which any request beyond the appliance and its tile server fails, as it would on the appliance's network. */
async function offlinePage() {
  const opened = await openPage(browser);
  const outside: string[] = [];
  await opened.context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === app.url || url.origin === `http://127.0.0.1:${tilePort}`) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  return { ...opened, outside };
}

const signInPage = (page: Page, username: string, totp: Totp) => signIn(page, app, { username, password: PASSWORD, totp, banner: 'none' });

/** The centre of a camera's marker on the page. */
async function markerAt(page: Page, scope: string, camera: string) {
  const box = (await page.locator(`${scope} g.cam[data-camera="${camera}"]`).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

beforeAll(async () => {
  // The agency's tile server: any tile, one flat PNG, every request noted.
  // Faint, so that a screenshot shows the bundled boundaries through them.
  const png = await sharp({ create: { width: 256, height: 256, channels: 4, background: { r: 80, g: 120, b: 160, alpha: 0.25 } } })
    .png()
    .toBuffer();
  tiles = createServer((req, res) => {
    tileRequests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png' }).end(png);
  });
  tilePort = await freePort();
  await new Promise<void>((r) => tiles.listen(tilePort, '127.0.0.1', r));
  expect((tiles.address() as AddressInfo).port).toBe(tilePort);
  [app, browser] = await Promise.all([
    startAppliance('map', [
      `dashboard: { map: { tileUrl: "http://127.0.0.1:${tilePort}/{z}/{x}/{y}.png", tileAttribution: "Test tiles" } }`,
      // Configured but not captured: no stream to read, the test publishes their reads.
      `cameras: ${JSON.stringify(CAMERAS.map((c) => ({ ...c, url: 'rtsp://127.0.0.1:9/none', enabled: false })))}`,
    ]),
    launchBrowser(),
  ]);

  // The first administrator through the setup link, and a second who records the first's training.
  chiefTotp = await setupChief(app, { password: PASSWORD });
  chief = await apiSession(app, browser, { username: 'chief', password: PASSWORD, totp: chiefTotp });
  const deputyTotp = await designate('deputy', ['admin']);
  await train(app, await apiSession(app, browser, { username: 'deputy', password: PASSWORD, totp: deputyTotp }), 'chief');
  await apiPost(app, chief, '/api/cases', { caseRef: 'MAP-1', title: 'Map test vehicle theft' });
  for (const c of CAMERAS) {
    await apiPost(app, chief, '/api/deployments', {
      id: c.deploymentRef,
      cameraId: c.id,
      mode: 'fixed',
      location: c.location,
      publicViewAttested: true,
      purpose: 'Map test camera',
    });
  }
  await apiPost(app, chief, '/api/hotlists/agency/entries', {
    plate: 'MAP777',
    state: 'FL',
    reason: 'Reported stolen, case MAP-1',
    expiresAt: day(30),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  tiles?.close();
}, 60_000);

describe('the map', () => {
  it("shows an operator the alert's camera highlighted on the offline map, with the agency's tiles under it", async () => {
    const operatorTotp = await designate('olive', ['operator']);
    const { page, errors, outside } = await offlinePage();
    await signInPage(page, 'olive', operatorTotp);
    await expect.poll(() => page.getByTestId('stream').textContent(), { timeout: 20_000 }).toBe('live');

    const pass = async (cameraId: string, plate: string, location: typeof miami) => {
      const nc = await connectToAppliance(`${app.dir}/data`, app.natsPort, natsIdentities.camera(cameraId));
      await publishRead(jetstream(nc), makeRead({ cameraId, plate, state: 'FL', location }));
      await nc.close();
    };
    await pass('cam-tally', 'TAL1001', tallahassee);
    await pass('cam-miami', 'MIA1001', miami);
    // The listed plate passes Orlando's camera, again while no alert shows: the matcher takes up the
    // agency list's new version a moment after it is stored, and a pass before that raises nothing.
    const card = page.locator('[data-testid="alert-list"] .alert-card', { hasText: 'MAP777' });
    await expect
      .poll(
        async () => {
          if (await card.count()) return true;
          await pass('cam-orlando', 'MAP777', orlando);
          return card.waitFor({ timeout: 8000 }).then(
            () => true,
            () => false,
          );
        },
        { timeout: 45_000, interval: 100 },
      )
      .toBe(true);
    await card.click();
    const map = page.getByTestId('alert-map');
    await expect.poll(() => map.getByTestId('camera-map').getAttribute('data-boundaries'), { timeout: 20_000 }).toBe('loaded');
    const highlight = map.getByTestId('map-highlight');
    expect(await highlight.getAttribute('data-camera')).toBe('cam-orlando');
    expect(await highlight.textContent()).toContain('Orange Ave at Central Blvd');
    // The camera is in view, at county level: county lines drawn, state lines always.
    const svg = (await map.locator('svg').boundingBox())!;
    const hl = (await highlight.locator('circle').last().boundingBox())!;
    expect(hl.x).toBeGreaterThan(svg.x);
    expect(hl.x + hl.width).toBeLessThan(svg.x + svg.width);
    expect(hl.y).toBeGreaterThan(svg.y);
    expect(hl.y + hl.height).toBeLessThan(svg.y + svg.height);
    await map.getByTestId('county-lines').waitFor();
    expect(Number(await map.getByTestId('camera-map').getAttribute('data-zoom'))).toBeGreaterThanOrEqual(9);
    // The configured tile server's tiles are drawn (the content policy lets its host in, and only it).
    await expect.poll(() => map.getByTestId('map-tile').count()).toBeGreaterThan(0);
    await expect.poll(() => tileRequests.filter((u) => /^\/\d+\/\d+\/\d+\.png$/.test(u)).length).toBeGreaterThan(0);
    const loaded = await map
      .locator('[data-testid="map-tile"]')
      .first()
      .evaluate((el) => {
        const img = new Image();
        img.src = (el as SVGImageElement).href.baseVal;
        return img.decode().then(
          () => img.naturalWidth,
          () => 0,
        );
      });
    expect(loaded).toBe(256);
    expect(await map.textContent()).toContain('Test tiles');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'live-alert-map');
    expect(outside).toEqual([]);
    // The alert's images are asked for as the alert is shown; a read without one answers 404, which is no error of the map's.
    expect(errors.filter((e) => !/^404 GET \/api\/alerts\/[^/]+\/(vehicle-)?image$/.test(e))).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('finds only the reads inside a box or a radius drawn on the Search page, the tile server down', async () => {
    const investigatorTotp = await designate('ivy', ['investigator']);
    const { page, errors, outside } = await offlinePage();
    // The agency's tile server does not answer: the bundled boundaries are the map.
    await page.route(`http://127.0.0.1:${tilePort}/**`, (route) => route.abort());
    await signInPage(page, 'ivy', investigatorTotp);
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel('Case number or name').fill('MAP-1');
    await page.getByLabel('Purpose', { exact: true }).fill('where the stolen vehicle was seen');
    await page.getByRole('button', { name: 'Continue to search' }).click();
    await page.getByText('Where: draw a box or a radius on the map').click();
    const map = page.locator('.search-map');
    for (const cam of ['cam-tally', 'cam-miami', 'cam-orlando']) await map.locator(`g.cam[data-camera="${cam}"]`).waitFor();
    await expect.poll(() => map.getByTestId('camera-map').getAttribute('data-boundaries'), { timeout: 20_000 }).toBe('loaded');

    // A box dragged round Miami's camera: its read, and neither Orlando's nor Tallahassee's.
    await map.getByRole('button', { name: 'Draw box' }).click();
    const m = await markerAt(page, '.search-map', 'cam-miami');
    await page.mouse.move(m.x - 25, m.y - 25);
    await page.mouse.down();
    await page.mouse.move(m.x, m.y, { steps: 4 });
    await page.mouse.move(m.x + 25, m.y + 25, { steps: 4 });
    await page.mouse.up();
    await map.getByTestId('map-shape').waitFor();
    // The cameras the box holds are marked: Miami's alone.
    expect(await map.locator('g.cam.inside').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-camera')))).toEqual(['cam-miami']);
    await expect
      .poll(() => page.getByTestId('search-area').textContent())
      .toMatch(/^\(box 2\d\.\d{4}, -\d+\.\d{4} to 2\d\.\d{4}, -\d+\.\d{4}\)$/);
    const rows = page.locator('[data-testid="results"] tbody tr');
    // The plates of the results, each once (the listed plate may have passed more than once).
    const platesShown = async () => [...new Set((await rows.locator('.plate').allTextContents()).map((t) => t.trim()))].sort();
    await expect.poll(async () => platesShown(), { timeout: 15_000 }).toEqual(['MIA1001']);
    await screenshot(page, 'search-map-box');

    // A radius drawn from Orlando's camera: its read alone.
    await map.getByRole('button', { name: 'Draw radius' }).click();
    const o = await markerAt(page, '.search-map', 'cam-orlando');
    await page.mouse.move(o.x, o.y);
    await page.mouse.down();
    await page.mouse.move(o.x + 15, o.y, { steps: 4 });
    await page.mouse.move(o.x + 30, o.y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('search-area').textContent()).toMatch(/^\(within [\d.]+ km of 28\.\d{4}, -81\.\d{4}\)$/);
    await expect.poll(async () => platesShown(), { timeout: 15_000 }).toEqual(['MAP777']);

    // Cleared, the search covers every camera again.
    await page.getByRole('button', { name: 'Clear area' }).click();
    await map.getByTestId('map-shape').waitFor({ state: 'detached' });
    expect(await page.getByTestId('search-area').count()).toBe(0);
    await expect.poll(async () => platesShown(), { timeout: 15_000 }).toEqual(['MAP777', 'MIA1001', 'TAL1001']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(outside).toEqual([]);
    // Only the refused tiles failed to load (Chromium's console does not name them).
    expect(errors.filter((e) => !/net::ERR_FAILED/.test(e))).toEqual([]);
    await page.context().close();
  }, 120_000);

  it("puts the cameras on a map on the administration's cameras tab", async () => {
    const { page, errors, outside } = await offlinePage();
    await signInPage(page, 'chief', chiefTotp);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Cameras & deployments' }).click();
    const map = page.getByTestId('camera-map');
    for (const c of CAMERAS)
      expect(await map.locator(`g.cam[data-camera="${c.id}"] title`).textContent()).toBe(`${c.name} — ${c.location.description}`);
    await expect.poll(() => map.getAttribute('data-boundaries'), { timeout: 20_000 }).toBe('loaded');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
