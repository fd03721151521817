import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsServerEnv } from '../../appliance/nats-server.ts';
import { configSchema } from '../../contracts/index.ts';
import { freePort } from '../../pipeline/simulator/ports.ts';

// The simulator needs free ports at run time too; tests use the same helper.
export { freePort, freePorts } from '../../pipeline/simulator/ports.ts';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `alpr-${prefix}-`));
}

export interface TestNats {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  connect(name?: string): Promise<NatsConnection>;
  /** Stops the server (SIGKILL when `hard`), keeping its store for a restart. */
  kill(hard?: boolean): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A real nats-server with JetStream on a free port and its own temp store. */
export async function startNats(): Promise<TestNats> {
  const port = await freePort();
  const dir = tempDir('nats');
  const url = `nats://127.0.0.1:${port}`;
  let child!: ChildProcess;
  const launch = async () => {
    // In the appliance's default environment (nats.goMaxProcs), so that benchmarks measure that server.
    child = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: natsServerEnv(configSchema.parse({})) });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
        await nc.close();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await launch();
  const kill = async (hard = false) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  return {
    url,
    port,
    dir,
    get process() {
      return child;
    },
    connect: (name = 'test') => connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 100 }),
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
