import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_ENV, RecognitionGate } from '../../pipeline/gate/index.ts';

const CHILD = fileURLToPath(new URL('./fixtures/gate-child.ts', import.meta.url));
type Event = { event: string; tag?: string; waitedMs?: number };

const children: ChildProcess[] = [];

/** A real child process using the worker's gate client over its IPC channel. */
async function child(env: Record<string, string>, gate?: RecognitionGate) {
  const c = fork(CHILD, [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(c);
  gate?.attach(c);
  const events: Event[] = [];
  c.on('message', (m: Event) => {
    if (m?.event) events.push(m);
  });
  await until(() => events.some((e) => e.event === 'up'));
  return {
    events,
    granted: () => events.filter((e) => e.event === 'granted').map((e) => e.tag),
    acquire: (tag: string, urgency: number) => c.send({ cmd: 'acquire', tag, urgency }),
    release: (tag: string) => c.send({ cmd: 'release', tag }),
    exit: () =>
      new Promise((r) => {
        c.once('exit', r);
        c.send({ cmd: 'exit' });
      }),
  };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 150));

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('recognition gate across worker processes', () => {
  it('runs at most `slots` reads at once, the most urgent waiting one next', async () => {
    const gate = new RecognitionGate({ slots: 1 });
    const a = await child({ [GATE_ENV]: '1' }, gate);
    const b = await child({ [GATE_ENV]: '1' }, gate);
    const c = await child({ [GATE_ENV]: '1' }, gate);
    a.acquire('a1', 0);
    await until(() => a.granted().includes('a1'));
    // While a holds the only slot, an idle look (b) and a read about to settle (c) wait.
    b.acquire('b1', 0);
    await settle();
    c.acquire('c1', 4);
    await settle();
    expect(gate.stats()).toEqual({ running: 1, waiting: 2 });
    expect([...b.granted(), ...c.granted()]).toEqual([]);
    a.release('a1');
    await until(() => c.granted().includes('c1'));
    await settle();
    expect(b.granted()).toEqual([]);
    c.release('c1');
    await until(() => b.granted().includes('b1'));
    b.release('b1');
    await until(() => gate.stats().running === 0);
  }, 30_000);

  it('takes back the slot and the queue place of a worker that dies', async () => {
    const gate = new RecognitionGate({ slots: 1 });
    const a = await child({ [GATE_ENV]: '1' }, gate);
    const b = await child({ [GATE_ENV]: '1' }, gate);
    const c = await child({ [GATE_ENV]: '1' }, gate);
    a.acquire('a1', 2);
    await until(() => a.granted().includes('a1'));
    b.acquire('b1', 5);
    c.acquire('c1', 1);
    await settle();
    await b.exit();
    expect(gate.stats()).toEqual({ running: 1, waiting: 1 });
    // a dies holding its slot: c, the only one left waiting, gets it.
    await a.exit();
    await until(() => c.granted().includes('c1'));
    expect(gate.stats()).toEqual({ running: 1, waiting: 0 });
  }, 30_000);

  it('grants at once when the parent serves no gate, and reads anyway when a gate stops answering', async () => {
    const alone = await child({ [GATE_ENV]: '0' });
    alone.acquire('x', 0);
    await until(() => alone.granted().includes('x'), 2000);
    // Told there is a gate, but nobody answers: the read goes ahead after the patience.
    const orphan = await child({ [GATE_ENV]: '1', GATE_PATIENCE_MS: '300' });
    orphan.acquire('y', 3);
    await until(() => orphan.granted().includes('y'), 5000);
    expect(orphan.events.find((e) => e.tag === 'y')!.waitedMs).toBeGreaterThanOrEqual(290);
  }, 30_000);

  it('refuses a gate without slots', () => {
    expect(() => new RecognitionGate({ slots: 0 })).toThrow(/positive integer/);
  });
});
