import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePorts, tempDir } from '../helpers/nats.ts';

/**
 * Real nats-server processes on loopback in the layouts of docs/scale-out.md: a three-node
 * JetStream cluster, and a hub with leaf-node sites. Each server has its own config file and
 * store; `kill(name)` is a kill -9, `start(name)` brings it back on the same store.
 */
export interface ServerSet {
  dir: string;
  urls: Record<string, string>;
  pids(): Record<string, number | undefined>;
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function waitConnect(url: string, jetstream: boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
      try {
        if (jetstream) await (await jetstreamManager(nc)).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (err) {
      if (Date.now() > end) throw new Error(`nats-server at ${url} not ready: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function serverSet(dir: string, configs: Record<string, { conf: string; url: string; jetstream: boolean }>): ServerSet {
  const procs = new Map<string, ChildProcess>();
  const start = async (name: string) => {
    const file = path.join(dir, `${name}.conf`);
    writeFileSync(file, configs[name]!.conf);
    const p = spawn('nats-server', ['-c', file], { stdio: 'ignore' });
    procs.set(name, p);
    await waitConnect(configs[name]!.url, configs[name]!.jetstream);
  };
  const kill = async (name: string) => {
    const p = procs.get(name);
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  return {
    dir,
    urls: Object.fromEntries(Object.entries(configs).map(([k, v]) => [k, v.url])),
    pids: () => Object.fromEntries([...procs].map(([k, p]) => [k, p.exitCode === null ? p.pid : undefined])),
    start,
    kill,
    async stop() {
      for (const name of procs.keys()) await kill(name);
    },
  };
}

/** Three JetStream servers clustered over loopback routes. Starts them all; ready once JetStream answers on each. */
export async function startCluster(): Promise<ServerSet> {
  const dir = tempDir('nats-cluster');
  const names = ['n1', 'n2', 'n3'];
  const free = await freePorts(names.length * 2);
  const ports = names.map((_, i) => ({ client: free[2 * i]!, cluster: free[2 * i + 1]! }));
  const configs = Object.fromEntries(
    names.map((name, i) => {
      mkdirSync(path.join(dir, name), { recursive: true });
      const routes = ports.filter((_, j) => j !== i).map((p) => `"nats-route://127.0.0.1:${p.cluster}"`);
      const conf = [
        `server_name: ${name}`,
        `listen: "127.0.0.1:${ports[i]!.client}"`,
        `jetstream { store_dir: "${path.join(dir, name)}" }`,
        `cluster { name: alpr, listen: "127.0.0.1:${ports[i]!.cluster}", routes: [${routes.join(', ')}] }`,
      ].join('\n');
      return [name, { conf, url: `nats://127.0.0.1:${ports[i]!.client}`, jetstream: false }];
    }),
  );
  const set = serverSet(dir, configs);
  // Started together (a cluster needs a quorum before JetStream answers), then asked in turn.
  await Promise.all(names.map((n) => set.start(n)));
  for (const n of names) await waitConnect(configs[n]!.url, true, 60_000);
  return set;
}

/**
 * A hub (one JetStream server: the central store's NATS) with leaf-node sites that have no
 * JetStream of their own: what a site publishes on alpr.reads.<camera> lands in the hub's READS
 * stream, and the publish is acknowledged back through the leaf connection.
 */
export async function startHubWithLeaves(sites: string[]): Promise<ServerSet> {
  const dir = tempDir('nats-leaf');
  // Distinct: a site given the hub's leaf port fails to bind, and its readiness check reaches the hub instead.
  const [hubPort, leafPort, ...sitePorts] = await freePorts(2 + sites.length);
  mkdirSync(path.join(dir, 'hub'), { recursive: true });
  const configs: Record<string, { conf: string; url: string; jetstream: boolean }> = {
    hub: {
      conf: [
        `server_name: hub`,
        `listen: "127.0.0.1:${hubPort}"`,
        `jetstream { store_dir: "${path.join(dir, 'hub')}" }`,
        `leafnodes { listen: "127.0.0.1:${leafPort}" }`,
      ].join('\n'),
      url: `nats://127.0.0.1:${hubPort}`,
      jetstream: true,
    },
  };
  for (const [i, site] of sites.entries()) {
    const port = sitePorts[i]!;
    configs[site] = {
      conf: [
        `server_name: ${site}`,
        `listen: "127.0.0.1:${port}"`,
        `leafnodes { remotes: [{ url: "nats-leaf://127.0.0.1:${leafPort}" }] }`,
      ].join('\n'),
      url: `nats://127.0.0.1:${port}`,
      jetstream: false,
    };
  }
  const set = serverSet(dir, configs);
  await set.start('hub');
  for (const site of sites) await set.start(site);
  return set;
}
