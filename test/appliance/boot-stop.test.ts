import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, tempDir } from '../helpers/nats.ts';

const dir = tempDir('boot-stop');

/** Whether a process exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] !== 'Z';
  } catch {
    return false;
  }
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('alpr appliance stopped during boot', () => {
  it('stops the services already started instead of leaving them behind', async () => {
    const configFile = path.join(dir, 'alpr.yaml');
    writeFileSync(
      configFile,
      `dataDir: ${path.join(dir, 'data')}\nnats: { port: ${await freePort()} }\nserver: { port: ${await freePort()} }\n`,
    );
    const proc = spawn(process.execPath, [path.resolve('bin/alpr.mjs'), 'appliance', '--config', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
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

  it('after a supervisor killed outright, the next start stops the nats-server it left behind', async () => {
    const dataDir = path.join(dir, 'data-killed');
    const configFile = path.join(dir, 'killed.yaml');
    writeFileSync(configFile, `dataDir: ${dataDir}\nnats: { port: ${await freePort()} }\nserver: { port: ${await freePort()} }\n`);
    const start = () => {
      const proc = spawn(process.execPath, [path.resolve('bin/alpr.mjs'), 'appliance', '--config', configFile], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let logs = '';
      const natsRunning = new Promise<void>((resolve, reject) => {
        proc.stderr!.on('data', (d) => {
          logs += d;
          if (/"service":"nats","msg":"service running"/.test(logs)) resolve();
        });
        proc.once('exit', () => reject(new Error(`exited before nats ran:\n${logs}`)));
      });
      return { proc, natsRunning, logs: () => logs };
    };
    const first = start();
    await first.natsRunning;
    const stalePid = Number(readFileSync(path.join(dataDir, 'nats', 'nats-server.pid'), 'utf8'));
    const killed = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    await killed;
    // The detached nats-server outlives its supervisor, holding the port and the JetStream store.
    expect(running(stalePid)).toBe(true);
    const second = start();
    await second.natsRunning;
    expect(second.logs()).toMatch(/killed a stale nats-server from an earlier run/);
    // Gone, or a zombie waiting for a reaper (its parent died: in a container nobody may reap it).
    expect(running(stalePid)).toBe(false);
    const exited = new Promise<number | null>((r) => second.proc.once('exit', (code) => r(code)));
    second.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
