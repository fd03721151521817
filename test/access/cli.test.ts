import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseClient } from '../../store/index.ts';
import { freePort, tempDir } from '../helpers/nats.ts';

/**
 * The CLI against a stopped appliance's data directory (the embedded store is opened by the
 * CLI itself; nothing answers on NATS). Each CLI run is its own process, so libchdb's
 * one-process-per-directory rule holds as long as this file does not keep the store open.
 */
let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = tempDir('cli');
  configFile = path.join(dir, 'alpr.yaml');
  const port = await freePort();
  writeFileSync(configFile, `dataDir: ${dir}\nnats:\n  port: ${port}\naccess:\n  scrypt:\n    cost: 1024\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// No stdin unless there is input: embedded ClickHouse takes a piped stdin for insert data.
const alpr = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/alpr.mjs', ...args, '--config', configFile], {
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('alpr user create-admin / alpr audit verify', () => {
  it('creates the first administrator offline, once', () => {
    const r = alpr(
      ['user', 'create-admin', '--username', 'chief', '--name', 'Chief Designee', '--password-stdin'],
      'a long enough passphrase\n',
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Administrator "chief" created/);
    expect(r.stdout).toMatch(/otpauth:\/\/totp\/ALPR%20appliance%3Achief\?secret=[A-Z2-7]{32}/);
    const again = alpr(
      ['user', 'create-admin', '--username', 'deputy', '--name', 'Deputy', '--password-stdin'],
      'another long passphrase\n',
    );
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/users exist already/);
    const weak = alpr(['user', 'create-admin', '--username', 'x1', '--name', 'X', '--password-stdin', '--recovery'], 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/password: at least 12 characters/);
  });

  it('verifies the chain, then names the entry altered behind its back', async () => {
    const ok = alpr(['audit', 'verify']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/audit log intact \(1 entries, checked by the store, offline\); head: entry 1, hash [0-9a-f]{64}/);

    const client = await createClickHouseClient({ kind: 'embedded' }, dir);
    try {
      await client.command({ query: "ALTER TABLE audit_log UPDATE detail = 'nothing to see' WHERE seq = 1 SETTINGS mutations_sync = 1" });
    } finally {
      await client.close();
    }
    const broken = alpr(['audit', 'verify']);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/first broken entry 1: entry 1 was altered after it was written/);
  });
});
