import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type ServiceStatus } from '../contracts/index.ts';
import { BootError, Supervisor, type ServiceSpec } from './supervisor.ts';

const policy = {
  restartInitialMs: 50,
  restartMaxMs: 200,
  crashWindowMs: 10_000,
  maxCrashesInWindow: 3,
  stopTimeoutMs: 1500,
  readyTimeoutMs: 5000,
};

/** A real child process running `script`; ready when it prints "ready". */
function fake(name: string, script: string, events: string[] = []): ServiceSpec {
  return {
    name,
    spawn: () => {
      events.push(`spawn ${name}`);
      return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    },
    ready: (child: ChildProcess, signal) =>
      new Promise((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) {
            events.push(`ready ${name}`);
            resolve();
          }
        });
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
  };
}

const LONG_LIVED = `setTimeout(() => console.log('ready'), 50); setInterval(() => {}, 1000);`;
const DEAF = `process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);`;

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

let sup: Supervisor | null = null;
afterEach(async () => {
  await sup?.stop();
  sup = null;
});

const state = (s: Supervisor, name: string): ServiceStatus => s.snapshot().services.find((x) => x.name === name)!;

describe('supervisor', () => {
  it('starts services in order, each after the one before is ready', async () => {
    const events: string[] = [];
    sup = new Supervisor({ services: [fake('a', LONG_LIVED, events), fake('b', LONG_LIVED, events)], policy, logger: silentLogger });
    await sup.start();
    expect(events).toEqual(['spawn a', 'ready a', 'spawn b', 'ready b']);
    expect(sup.snapshot().services.map((s) => s.state)).toEqual(['running', 'running']);
  });

  it('restarts a service killed with SIGKILL', async () => {
    sup = new Supervisor({ services: [fake('a', LONG_LIVED)], policy, logger: silentLogger });
    await sup.start();
    const firstPid = state(sup, 'a').pid!;
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => state(sup!, 'a').state === 'running' && state(sup!, 'a').pid !== firstPid);
    expect(state(sup, 'a')).toMatchObject({ restarts: 1, lastExit: { signal: 'SIGKILL' } });
  });

  it('stops retrying a crash loop and says why', async () => {
    const changes: ServiceStatus[] = [];
    const crashing = `console.log('ready'); setTimeout(() => process.exit(3), 30);`;
    sup = new Supervisor({ services: [fake('a', crashing)], policy, logger: silentLogger, onChange: (s) => changes.push(s) });
    await sup.start();
    await waitFor(() => state(sup!, 'a').state === 'failed');
    const failed = state(sup, 'a');
    expect(failed.reason).toMatch(/crashed 3 times/);
    expect(failed.lastExit).toMatchObject({ code: 3 });
    expect(failed.pid).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect(state(sup, 'a').state).toBe('failed'); // no further attempt
    expect(changes.filter((c) => c.state === 'running')).toHaveLength(3);
  });

  it('fails the boot when a service never becomes ready', async () => {
    sup = new Supervisor({ services: [fake('a', 'process.exit(1)'), fake('b', LONG_LIVED)], policy, logger: silentLogger });
    await expect(sup.start()).rejects.toBeInstanceOf(BootError);
    expect(state(sup, 'b').state).toBe('stopped'); // never started
  });

  it('stops in reverse order and kills a service that ignores SIGTERM', async () => {
    const changes: string[] = [];
    sup = new Supervisor({
      services: [fake('a', LONG_LIVED), fake('deaf', DEAF)],
      policy,
      logger: silentLogger,
      onChange: (s) => changes.push(`${s.name} ${s.state}`),
    });
    await sup.start();
    const pids = sup.snapshot().services.map((s) => s.pid!);
    const t0 = Date.now();
    await sup.stop();
    const elapsed = Date.now() - t0;
    expect(changes.filter((c) => /stopp/.test(c))).toEqual(['deaf stopping', 'deaf stopped', 'a stopping', 'a stopped']);
    expect(state(sup, 'deaf').lastExit?.signal).toBe('SIGKILL');
    expect(elapsed).toBeLessThan(policy.stopTimeoutMs + 3000); // bounded: killed, not waited on forever
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    sup = null;
  });
});
