import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers/nats.ts';

const run = (...args: string[]) => spawnSync(process.execPath, [path.resolve('bin/alpr.mjs'), ...args], { encoding: 'utf8' });

describe('alpr CLI', () => {
  it('prints usage, and help for every command', () => {
    const top = run('--help');
    expect(top.status).toBe(0);
    for (const cmd of [['appliance'], ['config', 'check'], ['config', 'schema']]) {
      const r = run(...cmd, '--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`usage: alpr ${cmd.join(' ')}`);
      expect(top.stdout).toContain(`alpr ${cmd.join(' ')}`);
    }
    expect(run('frobnicate').status).toBe(2);
  });

  it('config check lists every problem and exits 1; a good file exits 0', () => {
    const dir = tempDir('cli');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'server: { port: "x", colour: red }\nretention: { holdMaxYears: 9 }\ncameras: [{ id: "Cam 1" }]\n');
    const r = run('config', 'check', bad);
    expect(r.status).toBe(1);
    for (const p of [
      'server.port',
      'server: unknown key(s): colour',
      'retention.holdMaxYears',
      'cameras.0.id',
      'cameras.0.url',
      'cameras.0.deploymentRef',
    ]) {
      expect(r.stderr).toContain(p);
    }
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      'cameras:\n  - id: cam-1\n    name: Gate\n    url: rtsp://127.0.0.1:8554/cam\n    location: { lat: 30.4, lon: -84.3, description: Main gate }\n    deploymentRef: DEP-1\n',
    );
    const ok = run('config', 'check', good);
    expect(ok.stdout).toContain('valid (1 camera)');
    expect(ok.status).toBe(0);
  });

  it('config check refuses unsafe access settings and says why', () => {
    const dir = tempDir('cli');
    const unsafe = path.join(dir, 'unsafe.yaml');
    writeFileSync(unsafe, 'server: { host: 0.0.0.0 }\naccess: { lockoutAttempts: 6, cookieSecure: false }\n');
    const r = run('config', 'check', unsafe);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('3 problems');
    expect(r.stderr).toMatch(/access\.lockoutAttempts: at most 5: the CJIS Security Policy/);
    expect(r.stderr).toMatch(/server\.tls: the API listens on 0\.0\.0\.0, off loopback, without TLS/);
    expect(r.stderr).toMatch(/access\.cookieSecure: must stay true/);
    const proxied = path.join(dir, 'proxied.yaml');
    writeFileSync(proxied, 'server: { host: 0.0.0.0, behindTlsProxy: true }\naccess: { lockoutAttempts: 5 }\n');
    const ok = run('config', 'check', proxied);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    const dir = tempDir('cli');
    const f = path.join(dir, 'dup.yaml');
    writeFileSync(f, 'logLevel: info\nlogLevel: debug\n');
    const r = run('config', 'check', f);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/line 2/);
  });

  it('prints a JSON schema in which fields carry descriptions', () => {
    const r = run('config', 'schema');
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.retention.properties.tacticalDays.description).toMatch(/tactical/);
    expect(schema.additionalProperties).toBe(false);
  });
});
