import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  connectBus,
  natsIdentities,
  SIM_CAMERA_ID,
  recognitionSlots,
  serveSupervisorHealth,
  type AlprConfig,
  type Logger,
  type NatsConnection,
} from '../contracts/index.ts';
import { hugePagesEnv } from '../matcher/index.ts';
import { GATE_ENV, RecognitionGate } from '../pipeline/gate/index.ts';
import { STORE_WRITER_V8_FLAGS } from '../store/index.ts';
import { natsServerSpec } from './nats-server.ts';
import { nodeServiceSpec } from './node-service.ts';
import { Supervisor, type ServiceSpec } from './supervisor.ts';

/**
 * The services of one appliance, in boot order. Each starts only when the one before it is
 * ready and they stop in reverse, so the store writer always has NATS under it while it
 * flushes its last batch.
 */
export function applianceServices(config: AlprConfig, logger: Logger): ServiceSpec[] {
  const full = config.role === 'full';
  // The cameras' plate reads take turns, most urgent first (pipeline/gate); served from here,
  // the process that forks them and does little else.
  const gate = new RecognitionGate({
    slots: recognitionSlots(config, os.availableParallelism()),
    logger: logger.child({ part: 'recognition-gate' }),
  });
  const camera = (id: string) =>
    nodeServiceSpec({ service: 'camera', args: [id], config, env: { [GATE_ENV]: '1' }, onSpawn: (child) => gate.attach(child) });
  return [
    // 1. Messaging: the JetStream store every other part hands its data through.
    ...(config.nats.embedded ? [natsServerSpec(config, logger)] : []),
    // A cameras-only site (docs/scale-out.md) hands its reads to a central appliance's core and matcher.
    ...(full ? coreAndMatcher(config, logger) : []),
    // 3. Camera workers, one process per camera (a wedged decoder or a crash stays with its
    //    camera). With no camera configured, a simulated one shows the whole chain working;
    //    not on a hub, whose cameras are at its sites and whose store must hold theirs alone.
    ...(config.cameras.length === 0
      ? config.nats.leafnodes.listen
        ? []
        : [camera(SIM_CAMERA_ID)]
      : config.cameras.filter((c) => c.enabled).map((c) => camera(c.id))),
  ];
}

function coreAndMatcher(config: AlprConfig, logger: Logger): ServiceSpec[] {
  return [
    // 2. Core: owns ClickHouse (one process per chDB data dir), writes reads, serves the API.
    nodeServiceSpec({ service: 'core', config, v8Flags: STORE_WRITER_V8_FLAGS, onReady: (info) => logger.info('appliance ready', info) }),
    // Matcher: the active hotlists in memory, every read matched, alerts raised. Before the
    // cameras, so that its durable consumer exists before the first read is published.
    // Its index on huge pages: matching a read is a few dozen random reads in a gigabyte.
    nodeServiceSpec({ service: 'matcher', config, env: hugePagesEnv() }),
  ];
}

export interface Appliance {
  supervisor: Supervisor;
  /** Boots every service in order; resolves once all are ready. */
  start(): Promise<void>;
  /** Stops whatever has started, in reverse order; safe at any moment, during boot too. */
  stop(): Promise<void>;
}

/**
 * The appliance's services under one supervisor. Creating it starts nothing, so a signal that
 * arrives during boot (a camera still connecting) can stop exactly what has started so far.
 */
export function createAppliance(config: AlprConfig, logger: Logger): Appliance {
  mkdirSync(path.resolve(config.dataDir), { recursive: true });
  let nc: NatsConnection | null = null;
  let healthSub: { unsubscribe(): void } | null = null;
  let connecting: Promise<void> | null = null;

  // The supervisor answers health requests over NATS as soon as NATS is up, so that a crash
  // loop of any later service shows in /api/health. The client reconnects by itself when the
  // nats-server is restarted, so this happens once.
  const connectHealth = () =>
    (connecting ??= connectBus({ config, identity: natsIdentities.supervisor, name: `supervisor-${config.site.id}` }).then((conn) => {
      nc = conn;
      // A cameras-only site shares its subjects with the central appliance through the leaf
      // connection: answering there would put this site's services in the centre's health.
      if (config.role === 'full') healthSub = serveSupervisorHealth(conn, () => supervisor.snapshot());
    }));

  const supervisor: Supervisor = new Supervisor({
    services: applianceServices(config, logger),
    policy: config.supervisor,
    logger,
    onChange: (s) => {
      if (s.name === 'nats' && s.state === 'running') void connectHealth();
    },
  });

  const stop = async () => {
    healthSub?.unsubscribe();
    // Closed before NATS stops so that the client does not spend the shutdown reconnecting.
    await (nc as NatsConnection | null)?.close().catch(() => {});
    await supervisor.stop();
  };

  const start = async () => {
    try {
      if (!config.nats.embedded) await connectHealth();
      await supervisor.start();
      await connectHealth();
    } catch (err) {
      await stop();
      throw err;
    }
  };
  return { supervisor, start, stop };
}

/** Boots the appliance and returns once every service is ready. */
export async function startAppliance(config: AlprConfig, logger: Logger): Promise<Appliance> {
  const appliance = createAppliance(config, logger);
  await appliance.start();
  return appliance;
}
