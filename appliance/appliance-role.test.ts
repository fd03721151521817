import { describe, expect, it } from 'vitest';
import { configSchema, silentLogger, validateConfig } from '../contracts/index.ts';
import { applianceServices } from './appliance.ts';
import { readFileSync, rmSync } from 'node:fs';
import { freePort, tempDir } from '../test/helpers/nats.ts';
import { natsServerConf, natsServerEnv, natsServerSpec } from './nats-server.ts';

// A user of the server's configuration (the users themselves are tested in nats-auth.test.ts).
const users = [{ nkey: 'U' + 'A'.repeat(55) }];

const camera = {
  id: 'site-a-cam1',
  name: 'cam 1',
  url: 'rtsp://10.0.0.5/stream',
  deploymentRef: 'DEP-1',
  location: { lat: 30, lon: -84, description: 'site A, lane 1' },
};

describe('appliance role', () => {
  it('runs everything by default', () => {
    expect(applianceServices(configSchema.parse({}), silentLogger).map((s) => s.name)).toEqual(['nats', 'core', 'matcher', 'camera:sim-1']);
  });

  it('runs only the camera workers at a cameras-only site, which publishes to its leaf NATS server', () => {
    const config = configSchema.parse({ role: 'cameras', nats: { embedded: false, urls: ['nats://127.0.0.1:4222'] }, cameras: [camera] });
    expect(applianceServices(config, silentLogger).map((s) => s.name)).toEqual(['camera:site-a-cam1']);
  });

  it('refuses a cameras-only site on an embedded nats-server that joins no hub', () => {
    const r = validateConfig({ role: 'cameras', cameras: [camera] });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['role']);
  });

  it('runs a site on its own embedded leaf server, without JetStream, joined to the hub', () => {
    const config = configSchema.parse({
      role: 'cameras',
      site: { id: 'site-a' },
      nats: { port: 4300, leafnodes: { remotes: ['nats-leaf://site-a:pw@hub.example:7422'] } },
      cameras: [camera],
    });
    expect(applianceServices(config, silentLogger).map((s) => s.name)).toEqual(['nats', 'camera:site-a-cam1']);
    const conf = natsServerConf(config, '/data/nats', '/data/nats/nats-server.pid', {}, { users });
    expect(conf).toContain('server_name: "alpr-site-a"');
    expect(conf).toContain('listen: "127.0.0.1:4300"');
    expect(conf).not.toContain('jetstream');
    expect(conf).toContain('remotes: [ { urls: ["nats-leaf://site-a:pw@hub.example:7422"] } ]');
  });

  it('runs a hub with JetStream that accepts sites, with their password, and no simulated camera', () => {
    const config = configSchema.parse({
      nats: { leafnodes: { listen: { host: '0.0.0.0', port: 7422, user: 'sites', password: 'from-file' } } },
    });
    expect(applianceServices(config, silentLogger).map((s) => s.name)).toEqual(['nats', 'core', 'matcher']);
    const tls = { certFile: '/data/nats/tls/server.pem', keyFile: '/data/nats/tls/server.key', caFile: '/data/nats/tls/ca.pem' };
    const conf = natsServerConf(config, '/data/nats', '/data/nats/nats-server.pid', { ALPR_LEAF_PASSWORD: 'from-env' }, { users, tls });
    // The leaf port is off loopback: sites reach it over TLS, the client port stays on loopback without.
    expect(conf).toContain('  tls { cert_file: "/data/nats/tls/server.pem", key_file: "/data/nats/tls/server.key", timeout: 5 }');
    expect(conf.split('\n').filter((l) => l.startsWith('tls'))).toEqual([]);
    expect(conf).toContain('jetstream { store_dir: "/data/nats" }');
    expect(conf).toContain('listen: "0.0.0.0:7422"');
    // Sites sign in as a user of the server with a site's permissions (appliance/nats-auth.ts).
    expect(conf).toContain('    { user: "sites", password: "from-env", permissions: { publish: { allow: ["alpr.reads.>", ');
    expect(conf).not.toContain('from-file');
    expect(natsServerConf(configSchema.parse({}), '/d', '/d/p', {}, { users })).not.toContain('leafnodes');
  });

  it('starts nats-server on as many cores as configured, one by default, keeping the rest of its environment', async () => {
    expect(natsServerEnv(configSchema.parse({}), { PATH: '/bin' })).toEqual({ PATH: '/bin', GOMAXPROCS: '1' });
    expect(natsServerEnv(configSchema.parse({ nats: { goMaxProcs: 4 } }), {}).GOMAXPROCS).toBe('4');
    expect(validateConfig({ nats: { goMaxProcs: 0 } }).ok).toBe(false);
    // The real server, as the supervisor spawns it.
    const dataDir = tempDir('gomaxprocs');
    const config = configSchema.parse({ dataDir, nats: { port: await freePort() } });
    const child = natsServerSpec(config, silentLogger).spawn();
    try {
      const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('GOMAXPROCS=1');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses leaf settings that cannot work', () => {
    const problems = (input: unknown) => {
      const r = validateConfig(input);
      return r.ok ? [] : r.problems.map((p) => p.path);
    };
    // A full appliance joining a hub would run a second JetStream holding the same streams.
    expect(problems({ nats: { leafnodes: { remotes: ['nats-leaf://hub:7422'] } } })).toEqual(['nats.leafnodes.remotes']);
    expect(problems({ role: 'cameras', cameras: [camera], nats: { leafnodes: { remotes: ['nats://hub:4222'] } } })).toEqual([
      'nats.leafnodes.remotes.0',
    ]);
    expect(problems({ nats: { leafnodes: { listen: { user: 'sites' } } } })).toEqual(['nats.leafnodes.listen.password']);
    // A hub always asks sites for a password: anyone reaching the port could publish reads.
    expect(problems({ nats: { leafnodes: { listen: { host: '0.0.0.0' } } } })).toEqual(['nats.leafnodes.listen.user']);
    expect(problems({ nats: { leafnodes: { listen: {} } } })).toEqual(['nats.leafnodes.listen.user']);
    expect(
      problems({ nats: { leafnodes: { listen: { host: '0.0.0.0', user: 'sites', password: 'pw' } }, tls: { enabled: false } } }),
    ).toEqual(['nats.tls.enabled']);
    expect(
      problems({ nats: { embedded: false, urls: ['nats://127.0.0.1:4222'], leafnodes: { listen: { user: 'sites', password: 'pw' } } } }),
    ).toEqual(['nats.leafnodes']);
  });
});
