import { fork, type ChildProcess } from 'node:child_process';
import { configSchema, type AlprConfig, type AlprConfigInput } from '../../contracts/index.ts';
import { SERVICE_MAIN } from '../../appliance/node-service.ts';

/** Test camera at a loopback URL, with the fields the config schema requires. */
export function testCamera(id: string, url: string): NonNullable<AlprConfigInput['cameras']>[number] {
  return {
    id,
    name: id,
    url,
    deploymentRef: 'test',
    location: { lat: 30.44, lon: -84.28, description: `test camera ${id}` },
    direction: 'N',
  };
}

/** A worker's config on a test nats-server (test/helpers/nats.ts), with the seeds it generated. */
export function testConfig(
  nats: { port: number; credentialsDir: string },
  dataDir: string,
  cameras: AlprConfigInput['cameras'],
): AlprConfig {
  return configSchema.parse({
    dataDir,
    nats: { embedded: true, port: nats.port, auth: { credentialsDir: nats.credentialsDir } },
    cameras,
    logLevel: (process.env.ALPR_TEST_LOG as 'info' | undefined) ?? 'warn',
  });
}

/** A camera worker as the supervisor runs it: its own process through service-main.ts. */
export function spawnWorker(
  config: AlprConfig,
  args: string[],
): { child: ChildProcess; ready: Promise<void>; info: Promise<Record<string, unknown>>; kill(): Promise<void> } {
  const child = fork(SERVICE_MAIN, ['camera', ...args], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { UV_THREADPOOL_SIZE: '8', ...process.env, ALPR_CONFIG_JSON: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // What the worker reports when ready (its camera, source and reader).
  const info = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('message', (m: { type?: string; info?: Record<string, unknown> }) => m?.type === 'ready' && resolve(m.info ?? {}));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ready`)));
  });
  const ready = info.then(() => {});
  info.catch(() => {});
  ready.catch(() => {});
  return {
    child,
    ready,
    info,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
