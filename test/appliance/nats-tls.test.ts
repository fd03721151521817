import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  busConnectionOptions,
  configSchema,
  connectBus,
  ensureStreams,
  jetstream,
  natsIdentities,
  publishRead,
  silentLogger,
  type AlprConfig,
} from '../../contracts/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { until } from '../helpers/wait.ts';
import { ensureNatsTls } from '../../appliance/nats-credentials.ts';
import { natsServerSpec } from '../../appliance/index.ts';
import { freePort, tempDir } from '../helpers/nats.ts';

/**
 * The embedded server with TLS, as it runs off loopback (forced on here so that the test binds
 * 127.0.0.1): a CA and certificate generated with openssl on first start, clients verifying it.
 */
let dir: string;
let config: AlprConfig;
let child: ChildProcess;

beforeAll(async () => {
  dir = tempDir('nats-tls');
  config = configSchema.parse({ dataDir: dir, nats: { port: await freePort(), tls: { enabled: true } } });
  const spec = natsServerSpec(config, silentLogger);
  child = spec.spawn();
  await spec.ready(child, AbortSignal.timeout(30_000));
}, 60_000);
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded nats-server with TLS', () => {
  it('generated a CA and a server certificate for loopback, keys readable by the appliance alone', () => {
    const tls = path.join(dir, 'nats', 'tls');
    expect(statSync(tls).mode & 0o777).toBe(0o700);
    for (const key of ['ca.key', 'server.key']) expect(statSync(path.join(tls, key)).mode & 0o777).toBe(0o600);
    const text = execFileSync('openssl', ['x509', '-in', path.join(tls, 'server.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('DNS:localhost');
    execFileSync('openssl', ['verify', '-CAfile', path.join(tls, 'ca.pem'), path.join(tls, 'server.pem')]);
    const conf = readFileSync(path.join(dir, 'nats', 'nats-server.conf'), 'utf8');
    expect(conf).toContain(`tls { cert_file: "${path.join(tls, 'server.pem')}", key_file: "${path.join(tls, 'server.key')}", timeout: 5 }`);
    expect(conf).not.toContain('BEGIN');
  });

  it('serves the services over TLS, verified with the CA', async () => {
    const nc = await connectBus({ config, identity: natsIdentities.core });
    try {
      await ensureStreams(nc, config.nats);
      expect(nc.info?.tls_required).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('refuses a client that does not trust its CA, or will not speak TLS', async () => {
    const opts = busConnectionOptions(config, natsIdentities.core);
    const otherCa = ensureNatsTls(path.join(dir, 'other-ca'), ['127.0.0.1']).caFile;
    await expect(connect({ ...opts, tls: { caFile: otherCa }, reconnect: false, timeout: 3000 })).rejects.toThrow();
    await expect(connect({ ...opts, tls: null, reconnect: false, timeout: 3000 })).rejects.toThrow();
  });

  it('keeps its CA and certificate across restarts, and issues a new certificate from the same CA for a new name', () => {
    const tls = path.join(dir, 'nats', 'tls');
    const ca = readFileSync(path.join(tls, 'ca.pem'), 'utf8');
    const cert = readFileSync(path.join(tls, 'server.pem'), 'utf8');
    const again = ensureNatsTls(tls, ['127.0.0.1']);
    expect(readFileSync(again.caFile, 'utf8')).toBe(ca);
    expect(readFileSync(again.certFile, 'utf8')).toBe(cert);
    // A hub's public name (nats.tls.names) that sites use.
    const renamed = ensureNatsTls(tls, ['127.0.0.1', 'hub.example.org']);
    expect(readFileSync(renamed.caFile, 'utf8')).toBe(ca);
    expect(readFileSync(renamed.certFile, 'utf8')).not.toBe(cert);
    expect(execFileSync('openssl', ['x509', '-in', renamed.certFile, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' })).toContain(
      'DNS:hub.example.org',
    );
    execFileSync('openssl', ['verify', '-CAfile', renamed.caFile, renamed.certFile]);
  });
});

describe('a site joining its hub over an authenticated TLS leaf link', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const camera = {
    id: 'site-cam',
    name: 'site cam',
    url: 'rtsp://127.0.0.1/x',
    deploymentRef: 'D',
    location: { lat: 30, lon: -84, description: 'site' },
  };

  async function start(input: unknown): Promise<AlprConfig> {
    const d = tempDir('leaf');
    dirs.push(d);
    const cfg = configSchema.parse({ ...(input as object), dataDir: d });
    const spec = natsServerSpec(cfg, silentLogger);
    const c = spec.spawn();
    children.push(c);
    await spec.ready(c, AbortSignal.timeout(30_000));
    return cfg;
  }

  it("carries a site camera's reads to the hub only with the right password and the hub's CA", async () => {
    const leafPort = await freePort();
    const hub = await start({
      nats: {
        port: await freePort(),
        tls: { enabled: true },
        leafnodes: { listen: { port: leafPort, user: 'sites', password: 'leaf-secret' } },
      },
    });
    const hubCa = path.join(hub.dataDir, 'nats', 'tls', 'ca.pem');
    const hubCore = await connectBus({ config: hub, identity: natsIdentities.core });
    try {
      await ensureStreams(hubCore, hub.nats);
      const site = async (password: string, trustHub = true) =>
        start({
          role: 'cameras',
          site: { id: `site-${dirs.length}` },
          cameras: [camera],
          nats: {
            port: await freePort(),
            leafnodes: { remotes: [`tls://sites:${password}@127.0.0.1:${leafPort}`], ...(trustHub ? { caFile: hubCa } : {}) },
          },
        });
      const good = await site('leaf-secret');
      const cam = await connectBus({ config: good, identity: natsIdentities.camera('site-cam') });
      try {
        const ack = await until(() => publishRead(jetstream(cam), makeRead({ cameraId: 'site-cam', plate: 'LEAF1' })).catch(() => null), {
          what: 'the leaf link up',
          ms: 20_000,
        });
        expect(ack.stream).toBe('READS');
      } finally {
        await cam.close();
      }
      // A wrong password, and the right one sent to a hub the site cannot verify: no link either way.
      for (const bad of [await site('guess'), await site('leaf-secret', false)]) {
        const intruder = await connectBus({ config: bad, identity: natsIdentities.camera('site-cam') });
        try {
          await new Promise((r) => setTimeout(r, 1500));
          await expect(publishRead(jetstream(intruder), makeRead({ cameraId: 'site-cam', plate: 'LEAF2' }))).rejects.toThrow();
        } finally {
          await intruder.close();
        }
      }
      const jsm = await jetstreamManager(hubCore);
      expect((await jsm.streams.info('READS')).state.messages).toBe(1);

      // A site box taken over entirely (its server open to anyone) with the right leaf password:
      // its link still only brings reads in and takes its cameras' replies back.
      const rogueDir = tempDir('rogue');
      dirs.push(rogueDir);
      const roguePort = await freePort();
      writeFileSync(
        path.join(rogueDir, 'rogue.conf'),
        `listen: "127.0.0.1:${roguePort}"\nserver_name: rogue\nleafnodes { remotes: [ { urls: ["tls://sites:leaf-secret@127.0.0.1:${leafPort}"], tls: { ca_file: ${JSON.stringify(hubCa)} } } ] }\n`,
      );
      children.push(spawn('nats-server', ['-c', path.join(rogueDir, 'rogue.conf')], { stdio: 'ignore' }));
      const rogue = await until(() => connect({ servers: `nats://127.0.0.1:${roguePort}`, reconnect: false }).catch(() => null), {
        what: 'the rogue site up',
      });
      try {
        const overheard: string[] = [];
        for (const s of ['alpr.reads.>', 'alpr.alerts.>', '_INBOX.core.>', 'alpr.audit.verify'])
          rogue.subscribe(s, { callback: (err, m) => void (err ? null : overheard.push(m.subject)) });
        await rogue.flush();
        // The link is up once a read from the rogue side is stored (a site may bring reads).
        await until(
          async () => {
            rogue.publish('alpr.reads.rogue-cam', '{}');
            return (await jsm.streams.info('READS', { subjects_filter: 'alpr.reads.rogue-cam' })).state.messages > 1;
          },
          { what: 'the rogue link up', ms: 20_000 },
        );
        const alerts = (await jsm.streams.info('ALERTS')).state.messages;
        rogue.publish('alpr.alerts.site-cam', '{}');
        await rogue.flush();
        hubCore.publish('_INBOX.core.x', 'hotlist chunk');
        await jetstream(hubCore).publish('alpr.alerts.hub-cam', '{}');
        const cam = await connectBus({ config: good, identity: natsIdentities.camera('site-cam') });
        await publishRead(jetstream(cam), makeRead({ cameraId: 'site-cam', plate: 'LEAF3' }));
        await cam.close();
        await new Promise((r) => setTimeout(r, 500));
        // (It hears what it publishes itself, on its own server; nothing from the hub.)
        expect(overheard.filter((s) => !['alpr.reads.rogue-cam', 'alpr.alerts.site-cam'].includes(s))).toEqual([]);
        expect((await jsm.streams.info('ALERTS')).state.messages).toBe(alerts + 1); // the hub's own, not the rogue's
      } finally {
        await rogue.close();
      }
    } finally {
      await hubCore.close();
    }
  }, 60_000);
});
