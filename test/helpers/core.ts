import { rmSync } from 'node:fs';
import { createJsonLogger, validateConfig, type NatsConnection } from '../../contracts/index.ts';
import { startCore, type RunningService } from '../../appliance/index.ts';
import { bootstrapAccess, setupTokenFrom, type AccessFixture } from './access.ts';
import { startNats, tempDir, type TestNats } from './nats.ts';

/**
 * The core as the appliance runs it, on a nats-server of its own and a fresh data folder, with
 * access bootstrapped through its setup link (an administrator, an investigator with a case and
 * the given cameras' deployments): what the API tests that go through the whole core start from.
 */
export interface TestCore {
  nats: TestNats;
  /** A client connection to the core's nats-server, for publishing as a camera would. */
  nc: NatsConnection;
  core: RunningService;
  /** The API's base URL. */
  base: string;
  dataDir: string;
  access: AccessFixture;
  /** What the core logged so far, one JSON line an entry. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startTestCore(opts: {
  /** The data folder's name (a temporary folder). */
  name: string;
  /** Cameras whose deployments are authorised, so that their reads are taken in. */
  cameras: string[];
  /** More configuration beside the data folder, NATS and the API's port. */
  config?: Record<string, unknown>;
  logLevel?: 'info' | 'warn';
}): Promise<TestCore> {
  const nats = await startNats();
  const nc = await nats.connect();
  const dataDir = tempDir(opts.name);
  const r = validateConfig({ dataDir, nats: nats.natsConfig, server: { port: 0 }, ...opts.config });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  let logs = '';
  const core = await startCore(r.config, createJsonLogger({ level: opts.logLevel ?? 'warn', write: (line) => (logs += line + '\n') }));
  const base = core.info.url as string;
  const access = await bootstrapAccess(base, setupTokenFrom(logs)!, opts.cameras);
  return {
    nats,
    nc,
    core,
    base,
    dataDir,
    access,
    logs: () => logs,
    async stop() {
      await core.stop();
      await nc.close();
      await nats.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
