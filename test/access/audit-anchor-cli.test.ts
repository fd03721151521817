import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANCHOR_FILE, ANCHOR_KEY_FILE } from '../../access/anchor.ts';
import { freePort, tempDir } from '../helpers/nats.ts';

/**
 * `alpr audit verify` with anchors, offline against a stopped appliance's data directory: the
 * anchored log is written (and later cut) by a fixture process, since libchdb admits one process
 * per data directory and each CLI run is another.
 */
let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = tempDir('anchor-cli');
  configFile = path.join(dir, 'alpr.yaml');
  writeFileSync(configFile, `dataDir: ${dir}\nnats:\n  port: ${await freePort()}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { ...process.env, ALPR_AUDIT_ANCHOR_KEY: '' };
const fixture = (step: 'seed' | 'cut') => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/access/anchor-fixture.ts', dir, step], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  if (r.status !== 0) throw new Error(`fixture ${step} failed: ${r.stderr}`);
};
const verify = () =>
  spawnSync(process.execPath, ['bin/alpr.mjs', 'audit', 'verify', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });

describe('alpr audit verify with anchors', () => {
  it('checks the anchors with the key from the data directory', () => {
    fixture('seed');
    const r = verify();
    expect(r.stdout).toMatch(/audit log intact \(6 entries, checked by the store, offline\)/);
    expect(r.stdout).toMatch(/audit anchors intact \(2 anchor\(s\) checked; last anchored: entry 6 at \d{4}-/);
    expect(r.status).toBe(0);
  });

  it('reports a forged anchor, exit 1', () => {
    const file = path.join(dir, ANCHOR_FILE);
    const good = readFileSync(file, 'utf8');
    const [first, ...rest] = good.trim().split('\n');
    const forged = { ...JSON.parse(first!), at: '2020-01-01T00:00:00.000Z' };
    writeFileSync(file, [JSON.stringify(forged), ...rest].join('\n') + '\n');
    const r = verify();
    expect(r.stdout).toMatch(/audit anchors BROKEN: 2 problem\(s\) in 2 anchor\(s\)/);
    expect(r.stdout).toMatch(/bad-mac: the anchor on line 1 \(entry 4\) has a MAC that does not match: it was forged or altered/);
    expect(r.stdout).toMatch(/out-of-order: the anchor on line 2 \(entry 6\) does not follow/);
    expect(r.status).toBe(1);
    writeFileSync(file, good);
  });

  it('reports the cut end of the log, which the chain alone does not show, exit 1', () => {
    fixture('cut');
    const r = verify();
    expect(r.stdout).toMatch(/audit log's chain intact \(4 entries, checked by the store, offline\)/);
    expect(r.stdout).toMatch(/cut: the log's end was cut: it ends at entry 4, but entry 6 was anchored at /);
    expect(r.status).toBe(1);
  });

  it('says it cannot check anchors without their key, exit 2', () => {
    renameSync(path.join(dir, ANCHOR_KEY_FILE), path.join(dir, 'moved.key'));
    const r = verify();
    expect(r.stdout).toMatch(
      /note: no anchor key \(ALPR_AUDIT_ANCHOR_KEY unset and no .*audit-anchor\.key\): its 2 anchor\(s\) cannot be checked/,
    );
    expect(r.status).toBe(2);
  });
});
