import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { defaultClipCache } from '../../pipeline/simulator/index.ts';
import { freshCode, setupTokenFrom } from '../helpers/access.ts';
import { freePort, tempDir } from '../helpers/nats.ts';
import { stopApplianceProcess } from '../helpers/appliance-process.ts';

/**
 * The real appliance (`alpr appliance`, no camera configured, so it runs the simulated camera)
 * and Debian's chromium driven by playwright-core: what a user of the dashboard meets.
 */
export interface Appliance {
  url: string;
  natsUrl: string;
  /** The embedded nats-server's port: connect with connectToAppliance(`${dir}/data`, natsPort, identity). */
  natsPort: number;
  dir: string;
  logs(): string;
  setupToken: string;
  stop(): Promise<void>;
}

export async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms: number, logs?: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${logs ? `\n--- logs ---\n${logs().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `extraConfig`: more lines of the appliance's YAML configuration (a test's own settings, e.g. the map's tile server). */
export async function startAppliance(name: string, extraConfig: string[] = []): Promise<Appliance> {
  const dir = tempDir(name);
  const [natsPort, apiPort] = [await freePort(), await freePort()];
  const configFile = path.join(dir, 'alpr.yaml');
  writeFileSync(
    configFile,
    [
      `dataDir: ${path.join(dir, 'data')}`,
      `nats: { port: ${natsPort} }`,
      `server: { port: ${apiPort} }`,
      // A cheap scrypt: the two shared cores hash every sign-in of the test.
      `access: { scrypt: { cost: 1024, blockSize: 8, parallelization: 1 } }`,
      ...extraConfig,
    ].join('\n'),
  );
  let logs = '';
  const proc: ChildProcess = spawn(process.execPath, [path.resolve('bin/alpr.mjs'), 'appliance', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ALPR_SIM_CACHE: defaultClipCache() },
  });
  proc.stdout!.on('data', (d) => (logs = (logs + d).slice(-200_000)));
  proc.stderr!.on('data', (d) => (logs = (logs + d).slice(-200_000)));
  const setupToken = await until(
    async () => setupTokenFrom(logs),
    'the setup link in the log',
    90_000,
    () => logs,
  );
  return {
    url: `http://127.0.0.1:${apiPort}`,
    natsUrl: `nats://127.0.0.1:${natsPort}`,
    natsPort,
    dir,
    logs: () => logs,
    setupToken,
    async stop() {
      await stopApplianceProcess(proc, path.join(dir, 'data'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that collects console errors and 404 responses (but the favicon's) for the test to assert on.
 * A 404 is taken from the response, not the console, whose message does not name the resource.
 * A plate crop's 404 is not an error: the live page asks again for the image of a fresh alert
 * until the store has written it (`LiveState.image`), and under load the first asks find nothing
 * yet; the tests assert that each crop they need is shown in the end. */
export async function openPage(
  browser: Browser,
  size = { width: 1366, height: 768 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: size, acceptDownloads: true });
  const page = await context.newPage();
  // A step that cannot happen fails by name, well before the test's own timeout.
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text()) && !/status of 40[134]/.test(m.text())) errors.push(m.text());
  });
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    // A read's or an alert's image that is not there (yet: a fresh read is still being stored; or none kept) is an answer, not an error.
    if (r.status() === 404 && !/favicon/.test(path) && !/^\/api\/(reads|alerts)\/[^/]+\/(image|vehicle-image)$/.test(path))
      errors.push(`404 ${r.request().method()} ${path}`);
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

/** A TOTP account: codes are single-use per 30-s step, so each sign-in takes a step not used yet. */
export class Totp {
  readonly #account: { secret: string; lastStep: number };
  constructor(readonly secret: string) {
    this.#account = { secret, lastStep: -1 };
  }
  /** A code for a step not used yet, waiting for the next step when every one in the window is spent (sign-ins in quick succession). */
  next(): Promise<string> {
    return freshCode(this.#account);
  }
}

/** Tests leave the work tree as they found it: screenshots go to a temporary folder unless
 * ALPR_SCREENSHOTS names one (ALPR_SCREENSHOTS=docs/screenshots refreshes the README's). */
export const SHOTS = path.resolve(process.env.ALPR_SCREENSHOTS ?? path.join(tmpdir(), 'alpr-dashboard-screenshots'));
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}
