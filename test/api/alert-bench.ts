import type { NatsConnection } from '@nats-io/transport-node';
import { configSchema, ensureStreams, silentLogger } from '../../contracts/index.ts';
import { alertRoutes, alertRules, startAlertService, type AlertService } from '../../alerts/index.ts';
import { startNats, type TestNats } from '../helpers/nats.ts';
import { startTestStore } from '../helpers/store.ts';
import { addUser, buildApp, signIn, type Signed, type TestApp } from '../access/helpers.ts';

/**
 * The alert API as the appliance wires it, for the tests of test/api/alert-*: a real nats-server
 * with the appliance's streams, a real store, the alert service and its routes behind the access
 * guard, with users of the given roles signed in.
 */
export interface AlertBench {
  nats: TestNats;
  nc: NatsConnection;
  store: Awaited<ReturnType<typeof startTestStore>>;
  alerts: AlertService;
  t: TestApp;
  /** The signed-in users, by user name. */
  users: Record<string, Signed>;
  stop(): Promise<void>;
}

/** `users`: user name to roles, each added and signed in. */
export async function startAlertBench(opts: { users: Record<string, Parameters<typeof addUser>[2]['roles']> }): Promise<AlertBench> {
  const config = configSchema.parse({});
  const nats = await startNats();
  const nc = await nats.connect();
  await ensureStreams(nc, config.nats);
  const store = await startTestStore();
  const alerts = await startAlertService({ nc, client: store.client, config: config.hotlists, logger: silentLogger });
  const t = buildApp(store.client, {}, undefined, {
    rules: alertRules,
    dataRoutes: [alertRoutes({ client: store.client, alerts, logger: silentLogger })],
  });
  const now = t.clock.now();
  const users: Record<string, Signed> = {};
  for (const [username, roles] of Object.entries(opts.users))
    users[username] = await signIn(t, await addUser(store.client, now, { username, roles }));
  return {
    nats,
    nc,
    store,
    alerts,
    t,
    users,
    async stop() {
      await alerts.stop();
      await nc.close();
      await nats.stop();
      await store.stop();
    },
  };
}
