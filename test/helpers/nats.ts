import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { authorizationConf, natsPermissions } from '../../appliance/nats-auth.ts';
import { ensureNkeySeeds } from '../../appliance/nats-credentials.ts';
import { natsServerEnv } from '../../appliance/nats-server.ts';
import { busConnectionOptions, configSchema, natsIdentities, type AlprConfig } from '../../contracts/index.ts';
import { freePort } from '../../pipeline/simulator/index.ts';

// The simulator needs free ports at run time too; tests use the same helper.
export { freePort, freePorts } from '../../pipeline/simulator/ports.ts';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `alpr-${prefix}-`));
}

export interface TestNats {
  url: string;
  port: number;
  dir: string;
  /** JetStream's store (removed by a test that simulates losing it). */
  storeDir: string;
  /** The services' nkey seeds (nats.auth.credentialsDir of a config that uses this server). */
  credentialsDir: string;
  /** A config's `nats` section for services connecting to this server as an external one. */
  natsConfig: { embedded: false; urls: string[]; auth: { credentialsDir: string } };
  process: ChildProcess;
  /** Connects as the test harness, which may do anything (it stands for the parts a test leaves out). */
  connect(name?: string): Promise<NatsConnection>;
  /** Connects as one of the appliance's identities, with exactly its permissions. */
  connectAs(identity: string, opts?: { reconnect?: boolean }): Promise<NatsConnection>;
  /** Stops the server (SIGKILL when `hard`), keeping its store for a restart. */
  kill(hard?: boolean): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The identity of the test harness: only test servers list it, with no permission limits. */
const HARNESS = 'test-harness';

/**
 * A real nats-server with JetStream on a free port and its own temp store, authenticating as the
 * appliance's does: nkey users with the appliance's permissions (core, matcher, supervisor, cli
 * and camera-<id> for each of `cameras`), plus the unrestricted test harness.
 */
export async function startNats(opts: { cameras?: string[] } = {}): Promise<TestNats> {
  const port = await freePort();
  const dir = tempDir('nats');
  const url = `nats://127.0.0.1:${port}`;
  const credentialsDir = path.join(dir, 'credentials');
  const storeDir = path.join(dir, 'js');
  const identities = [
    natsIdentities.core,
    natsIdentities.matcher,
    natsIdentities.supervisor,
    natsIdentities.cli,
    ...(opts.cameras ?? []).map((c) => natsIdentities.camera(c)),
  ];
  const keys = ensureNkeySeeds(credentialsDir, [...identities, HARNESS]);
  const users = [...keys].map(([identity, nkey]) => ({ nkey, permissions: identity === HARNESS ? undefined : natsPermissions(identity) }));
  const confFile = path.join(dir, 'nats-server.conf');
  writeFileSync(
    confFile,
    [`listen: "127.0.0.1:${port}"`, `jetstream { store_dir: ${JSON.stringify(storeDir)} }`, authorizationConf(users)].join('\n') + '\n',
    { mode: 0o600 },
  );
  const natsConfig = { embedded: false as const, urls: [url], auth: { credentialsDir } };
  const authAs = (identity: string) =>
    busConnectionOptions(
      { dataDir: dir, nats: configSchema.parse({ nats: natsConfig }).nats } as Pick<AlprConfig, 'dataDir' | 'nats'>,
      identity,
    );
  let child!: ChildProcess;
  const launch = async () => {
    // In the appliance's default environment (nats.goMaxProcs), so that benchmarks measure that server.
    child = spawn('nats-server', ['-c', confFile], { stdio: 'ignore', env: natsServerEnv(configSchema.parse({})) });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const nc = await connect({ ...authAs(HARNESS), reconnect: false, timeout: 500 });
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
    storeDir,
    credentialsDir,
    natsConfig,
    get process() {
      return child;
    },
    connect: (name = 'test') => connect({ ...authAs(HARNESS), name, maxReconnectAttempts: -1, reconnectTimeWait: 100 }),
    connectAs: (identity, o = {}) =>
      connect({
        ...authAs(identity),
        name: identity,
        ...(o.reconnect === false ? { reconnect: false, timeout: 2000 } : { maxReconnectAttempts: -1, reconnectTimeWait: 100 }),
      }),
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

/**
 * Connects to an appliance's embedded nats-server (a test's `alpr appliance` process) as one of
 * its identities, with the seed the appliance generated under its data dir: tests publish as
 * the camera whose reads they stand for and watch as the core, never anonymously.
 */
export function connectToAppliance(
  dataDir: string,
  natsPort: number,
  identity: string,
  opts: { reconnect?: boolean } = {},
): Promise<NatsConnection> {
  const config = configSchema.parse({ dataDir, nats: { port: natsPort } });
  const retry = opts.reconnect === false ? { reconnect: false, timeout: 2000 } : { maxReconnectAttempts: -1, reconnectTimeWait: 250 };
  return connect({ ...busConnectionOptions(config, identity), name: `test-${identity}`, ...retry });
}
