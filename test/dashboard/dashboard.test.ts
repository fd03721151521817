/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser, where document and window exist.)
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { jetstream, natsIdentities, publishRead } from '../../contracts/index.ts';
import { connectToAppliance } from '../helpers/nats.ts';
import { makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import { enrolTrained, setupThroughPage, signIn, train } from './flows.ts';
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
let operator: { page: Page; errors: string[] };
let operatorTotp: Totp;

beforeAll(async () => {
  [app, browser] = await Promise.all([startAppliance('dashboard'), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, 60_000);

/** At a 1366-px command-centre width nothing may scroll sideways. */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

const signInAs = (page: Page, username: string, totp: Totp) => signIn(page, app, { username, password: PASSWORD, totp });

/** Sign-in with the keyboard alone: focus starts on the notice, Tab walks the form, Enter sends it. */
async function signInByKeyboard(page: Page, username: string, totp: Totp) {
  await page.goto(app.url + '/');
  await page.getByTestId('banner').waitFor();
  await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('checkbox');
  await page.keyboard.press('Space');
  for (const value of [username, PASSWORD, await totp.next()]) {
    await page.keyboard.press('Tab');
    await page.keyboard.type(value);
  }
  await page.keyboard.press('Enter');
  await page.getByTestId('whoami').waitFor();
}

describe('dashboard', () => {
  it('loads under 200 kB of compressed JavaScript, without the chart library', async () => {
    const { context, page } = await openPage(browser);
    const scripts: string[] = [];
    page.on('response', (r) => void (r.request().resourceType() === 'script' && scripts.push(r.url())));
    await page.goto(app.url + '/');
    await page.getByTestId('banner').waitFor();
    const sizes = await Promise.all(
      scripts.map(async (u) => gzipSync(Buffer.from(await (await fetch(u)).arrayBuffer()), { level: 9 }).length),
    );
    expect(scripts.length).toBeGreaterThan(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(200_000);
    expect(scripts.some((u) => /uPlot/i.test(u))).toBe(false);
    await context.close();
  });

  it('creates the first administrator through the setup link, then signs in with the banner and a TOTP code', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${app.url}/setup#${app.setupToken}`);
    // The token leaves the address bar as soon as the page has read it.
    await page.getByTestId('totp-secret').waitFor();
    expect(page.url()).toBe(`${app.url}/setup`);
    const totp = await setupThroughPage(page, { password: PASSWORD });
    await expect.poll(() => page.getByTestId('enrol-done').textContent()).toContain('chief');
    await page.getByRole('button', { name: 'Go to sign-in' }).click();
    await page.getByTestId('banner').waitFor();
    await screenshot(page, 'sign-in');

    // A wrong code is refused with the API's words; the banner must be accepted.
    await page.getByLabel('User name').fill('chief');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Authenticator code').fill('000000');
    await expect(page.getByRole('button', { name: 'Sign in' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('I have read and accept this notice').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/invalid|incorrect|code|credentials/i);

    await signInAs(page, 'chief', totp);
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
    // The administrator's own training (the extract is data too, and lapsed training blocks it)
    // needs a second administrator: the page shows the refusal, and a second one records it.
    await page.locator('tr[data-user="chief"] button').click();
    await expect.poll(() => page.getByTestId('user-detail').locator('h2').textContent()).toContain('chief');
    await page.getByTestId('user-detail').getByRole('button', { name: 'Record training' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/needs a second administrator/);
    const deputyTotp = await enrolViaApi('deputy', ['admin']);
    const deputy = await openPage(browser);
    await signInAs(deputy.page, 'deputy', deputyTotp);
    await train(app, deputy.page.context().request, 'chief');
    expect(deputy.errors).toEqual([]);
    await deputy.context.close();
    await page.reload();
    await expect.poll(() => page.locator('tr[data-user="chief"]').textContent()).toContain('current');
    await expect.poll(() => page.getByText('training lapsed').count()).toBe(0);
    // Non-compliance (guidelines 7d): recorded against the user, with what was done.
    await page.locator('tr[data-user="ivan"] button').click();
    await expect.poll(() => page.getByTestId('user-detail').locator('h2').textContent()).toContain('ivan');
    await page.getByLabel('Finding').fill('Search without a stated purpose on 11/02');
    await page.getByRole('form', { name: 'Record non-compliance' }).getByRole('button', { name: 'Record' }).click();
    await expect
      .poll(() => page.getByTestId('noncompliance').textContent())
      .toContain('Search without a stated purpose on 11/02 (warning, by chief)');

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
    // An exception at the deployment, for the annual evaluation.
    page.once('dialog', (d) => void d.accept('Camera offline 20 minutes for lens cleaning'));
    await page.locator('tr[data-deployment="DEP-SIM-1"]').getByRole('button', { name: 'Exception' }).click();
    await expect.poll(() => page.locator('tr[data-deployment="DEP-SIM-1"]').textContent()).toContain('0 / 1');
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
    await page.getByLabel('Code shown by the authenticator').fill(await totp.next());
    await page.getByRole('button', { name: 'Complete enrolment' }).click();
    await page.getByTestId('enrol-done').waitFor();
    await signInByKeyboard(page, 'ivan', totp);
    await page.keyboard.press('Alt+3');
    expect(page.url()).toBe(`${app.url}/search`);

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
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Search', exact: true }).click();
          await page.getByTestId('result-count').waitFor();
          return rows.count();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    // The crop is fetched with the case headers and shown from a blob.
    const withImage = rows.filter({ has: page.locator('img') }).first();
    await expect.poll(() => withImage.locator('img').getAttribute('src')).toMatch(/^blob:/);
    const plate = (await withImage.locator('.plate').textContent())!.trim();

    await page.getByLabel('Plate text').fill(plate);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Every row of the new result is that plate (the earlier result had others, or the same one alone).
    await expect.poll(async () => [...new Set((await rows.locator('.plate').allTextContents()).map((t) => t.trim()))]).toEqual([plate]);
    await expect.poll(() => rows.first().locator('img').getAttribute('src')).toMatch(/^blob:/);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'search');

    // Export for the case file: a CSV download of the same search.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV for the case file' }).click(),
    ]);
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

/** An enrolled, trained user made through the API with the administrator's session (the UI path is tested above). */
const enrolViaApi = (username: string, roles: string[]) =>
  enrolTrained(app, admin.page.context().request, { username, roles, password: PASSWORD });

describe('live', () => {
  it('adds a plate to the agency list, then an operator sees its alert arrive and walks it through verification', async () => {
    // The administrator lists the plate by hand (the hotlist administration path).
    const { page: adminPage } = admin;
    await adminPage.getByRole('tab', { name: 'Hotlists' }).click();
    await adminPage.locator('tr[data-source="agency"]').waitFor();
    // Extract files: one that is a quarter garbage is refused whole, with the bad line and why;
    // one within the tolerance (5 %) is imported, its bad line still listed.
    const upload = async (name: string, lines: string[]) => {
      await adminPage.getByLabel(/^Source/).selectOption('fcic');
      await adminPage
        .getByLabel('File (CSV or JSON lines)')
        .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(['lic,lis,fcn,file,doe', ...lines].join('\n') + '\n') });
      await adminPage.getByRole('button', { name: 'Import' }).click();
    };
    const good = (i: number) => `FCI${1000 + i},FL,F${i},STOLEN VEHICLE,2026-11-01`;
    const result = adminPage.getByTestId('import-result');
    await upload('fcic-bad.csv', [good(1), good(2), ',FL,F3,STOLEN VEHICLE,2026-11-01', good(4)]);
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain('refused');
    expect(await result.textContent()).toContain('1 lines refused');
    expect(await result.locator('tbody tr').textContent()).toMatch(/^4.*plate: missing/);
    await upload('fcic.csv', [...Array.from({ length: 20 }, (_, i) => good(i + 10)), 'FCI9999,FL,,STOLEN VEHICLE,2026-11-01']);
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain('20 records, 1 lines refused');
    expect(await result.locator('tbody tr').textContent()).toMatch(/^22.*recordId: missing/);
    await expect.poll(() => adminPage.locator('tr[data-source="fcic"]').textContent()).toContain('current');
    await adminPage.getByLabel('Plate', { exact: true }).fill('DSH4521');
    await adminPage.getByLabel('State', { exact: true }).fill('FL');
    await adminPage.getByLabel('Category', { exact: true }).fill('stolen_vehicle');
    await adminPage.getByLabel('Reason (recorded)').fill('Reported stolen, case DASH-1');
    await adminPage.getByRole('button', { name: 'Add entry' }).click();
    await expect.poll(() => adminPage.getByRole('status').textContent()).toContain('DSH4521 added to agency');
    await expect.poll(() => adminPage.locator('tr[data-source="agency"]').textContent()).toContain('current');
    await screenshot(adminPage, 'hotlists');

    const totp = await enrolViaApi('olga', ['operator']);
    const { page, errors } = await openPage(browser);
    await signInAs(page, 'olga', totp);
    // An operator starts at the live queue.
    await expect.poll(() => page.url()).toBe(`${app.url}/live`);
    await expect.poll(() => page.getByTestId('stream').textContent(), { timeout: 20_000 }).toBe('live');
    await expect
      .poll(() => page.locator('[data-testid="camera-health"] [data-camera="sim-1"]').textContent(), { timeout: 30_000 })
      .toContain('live');

    // The plate passes the authorised simulated camera.
    const nc = await connectToAppliance(`${app.dir}/data`, app.natsPort, natsIdentities.camera('sim-1'));
    const read = makeRead({ cameraId: 'sim-1', plate: 'DSH4521', state: 'FL', cropJpeg: smallJpegBase64() });
    await publishRead(jetstream(nc), read);
    await nc.close();

    const card = page.locator('[data-testid="alert-list"] .alert-card', { hasText: 'DSH4521' });
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getAttribute('class')).toContain('fresh');
    expect(await page.title()).toMatch(/^\(1\) ALPR alerts/);
    await card.click();
    const detail = page.getByTestId('alert-detail');
    expect(await detail.textContent()).toContain('stolen_vehicle');
    expect(await detail.textContent()).toContain('may not be the registered owner');

    // The crop comes through the alert's own audited image route: the alert is the purpose, no case is asked.
    await expect.poll(() => detail.locator('.crop img').getAttribute('src')).toMatch(/^blob:/);

    // The steps unlock in order, as the server enforces them; the characters are confirmed on the enlarged crop
    // (test/dashboard/alert-evidence.test.ts tests that step in full).
    const steps = page.getByTestId('verify-steps');
    await steps.getByRole('button', { name: 'Acknowledge' }).click();
    await steps.getByRole('button', { name: 'Enlarge plate image' }).click();
    await expect.poll(() => steps.getByRole('button', { name: 'Characters match' }).isDisabled()).toBe(false);
    await page.getByTestId('plate-zoom').getByRole('button', { name: 'Close' }).click();
    await steps.getByRole('button', { name: 'Characters match' }).click();
    await steps.getByRole('button', { name: 'State matches' }).click();
    await steps.getByLabel('Who confirmed').fill('Dispatcher J. Lee, TPD');
    await steps.getByRole('button', { name: 'Record active' }).click();
    await page.getByRole('button', { name: 'Record inactive' }).waitFor({ state: 'detached' });
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'live');
    await steps.getByLabel('Note').fill('Vehicle stopped by unit 12; hit confirmed');
    await steps.getByRole('button', { name: 'Close alert' }).click();
    await expect.poll(() => card.textContent()).toContain('closed');
    expect(await steps.textContent()).toContain('confirmed_hit');
    expect(await page.title()).toBe('ALPR appliance');
    // A large command-centre screen shows everything side by side.
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'live-1920');
    await page.setViewportSize({ width: 1366, height: 768 });
    // The ticker counts the simulated camera's reads.
    await expect
      .poll(
        async () =>
          Number(await page.locator('[data-testid="reads-ticker"] tr[data-camera="sim-1"] [data-testid="reads-hour"]').textContent()),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
    operator = { page, errors };
    operatorTotp = totp;
  }, 120_000);
});

describe('metrics', () => {
  it('charts reads per camera and the pipeline gauges, over ranges from an hour to a year', async () => {
    const { page, errors } = operator;
    await page.keyboard.press('Alt+2');
    expect(page.url()).toBe(`${app.url}/metrics`);
    const reads = page.locator('[data-chart="reads"]');
    await reads.locator('canvas').waitFor();
    // The simulated camera's line is in the legend of reads and of the pipeline's gauges.
    await expect.poll(() => reads.locator('.u-legend').textContent(), { timeout: 20_000 }).toContain('sim-1');
    await expect.poll(() => page.locator('[data-chart="decodedFps"] .u-legend').textContent(), { timeout: 20_000 }).toContain('sim-1');
    expect(await page.locator('[data-chart]').count()).toBe(7);
    // What the charts draw: the camera worker's gauges, sampled by the core.
    const series = (await (await page.context().request.get(`${app.url}/api/metrics/series?range=1h`)).json()) as {
      pipeline: Record<string, { decodedFps: (number | null)[] }>;
      reads: Record<string, number[]>;
    };
    expect(series.pipeline['sim-1']!.decodedFps.some((v) => v !== null && v > 0)).toBe(true);
    expect(series.reads['sim-1']!.some((v) => v > 0)).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'metrics');

    await page.getByRole('radio', { name: 'Year' }).click();
    await expect.poll(() => page.getByText(/Buckets of 24 h/).count()).toBe(1);
    await reads.locator('canvas').waitFor();
    expect(await page.getByRole('radio', { name: 'Year' }).getAttribute('aria-checked')).toBe('true');

    // Idle lock: the appliance answers "locked" after 30 idle minutes (here the answer is staged,
    // the unlock is real): the page hides behind the lock until password and code are given.
    await page.route('**/api/metrics/series*', (r) =>
      r.fulfill({ status: 401, json: { error: 'session locked after inactivity; unlock with your password and code', locked: true } }),
    );
    await page.getByRole('radio', { name: 'Week' }).click();
    const lock = page.getByRole('dialog', { name: 'Session locked' });
    await lock.waitFor();
    await page.unroute('**/api/metrics/series*');
    await lock.getByLabel('Password').fill(PASSWORD);
    await lock.getByLabel('Authenticator code').fill('000000');
    await lock.getByRole('button', { name: 'Unlock' }).click();
    await lock.getByRole('alert').waitFor();
    await lock.getByLabel('Authenticator code').fill(await operatorTotp.next());
    await lock.getByRole('button', { name: 'Unlock' }).click();
    await lock.waitFor({ state: 'detached' });
    await page.getByRole('radio', { name: 'Month' }).click();
    await expect.poll(() => page.getByText(/Buckets of 6 h/).count()).toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe('audit and reports', () => {
  it('shows an auditor the log with its chain intact, the searches under their case, and the annual evaluation', async () => {
    const totp = await enrolViaApi('ada', ['auditor']);
    const { page, errors } = await openPage(browser);
    await signInAs(page, 'ada', totp);
    // An auditor sees oversight pages only: no Live, no Search, no Administration.
    expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual(['Live', 'Metrics', 'Audit & reports']);
    await page.getByRole('link', { name: 'Audit & reports' }).click();
    await expect.poll(() => page.getByTestId('chain').textContent(), { timeout: 15_000 }).toContain('intact');
    const log = page.getByTestId('audit-log');
    // The log pages newest first: the searches are found by filtering for them.
    await page.getByLabel('Action', { exact: true }).fill('reads.search');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => log.locator('tr[data-action="reads.search"]').count()).toBeGreaterThan(0);
    expect(await log.locator('tr[data-action="reads.search"]').first().textContent()).toContain('DASH-1');

    await page.getByLabel('User', { exact: true }).fill('ivan');
    await page.getByLabel('Action', { exact: true }).fill('image.view');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => new Set(await log.locator('tbody tr td:nth-child(4)').allTextContents()))
      .toEqual(new Set(['image.view']));
    expect(new Set(await log.locator('tbody tr td:nth-child(3)').allTextContents())).toEqual(new Set(['ivan']));
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'audit');

    await page.getByRole('tab', { name: 'Audit report' }).click();
    await expect.poll(() => page.getByTestId('audit-report').textContent()).toContain('DASH-1');
    await page.getByRole('tab', { name: 'Annual evaluation' }).click();
    await expect
      .poll(async () => Number((await page.getByTestId('eval-reads').textContent())?.replace(/,/g, '')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await page.getByTestId('evaluation').textContent()).toContain('DEP-SIM-1');
    await screenshot(page, 'evaluation');
    // The printable page is the server's, under the same session.
    const printable = await page
      .context()
      .request.get(app.url + (await page.getByRole('link', { name: 'Printable page' }).getAttribute('href'))!);
    expect(printable.status()).toBe(200);
    expect(await printable.text()).toContain('Annual evaluation of the automated license plate reader system');
    expect(errors).toEqual([]);
  }, 60_000);
});
