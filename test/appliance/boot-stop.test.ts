import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, tempDir } from '../helpers/nats.ts';

const dir = tempDir('boot-stop');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('alpr appliance stopped during boot', () => {
  it('stops the services already started instead of leaving them behind', async () => {
    const configFile = path.join(dir, 'alpr.yaml');
    writeFileSync(configFile, `dataDir: ${path.join(dir, 'data')}\nnats: { port: ${await freePort()} }\nserver: { port: ${await freePort()} }\n`);
    const proc = spawn(process.execPath, [path.resolve('bin/alpr.mjs'), 'appliance', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let logs = '';
    // SIGTERM as soon as nats-server runs: the core is still booting.
    await new Promise<void>((resolve, reject) => {
      proc.stderr!.on('data', (d) => {
        logs += d;
        if (/"service":"nats","msg":"service running"/.test(logs)) resolve();
      });
      proc.once('exit', () => reject(new Error(`exited before nats ran:\n${logs}`)));
    });
    const natsPid = Number(readFileSync(path.join(dir, 'data', 'nats', 'nats-server.pid'), 'utf8'));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(() => process.kill(natsPid, 0)).toThrow(); // nats-server is gone too
    expect(logs).toMatch(/"msg":"stopped"/);
  });
});
