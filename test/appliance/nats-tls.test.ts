import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { busConnectionOptions, configSchema, connectBus, ensureStreams, natsIdentities, silentLogger, type AlprConfig } from '../../contracts/index.ts';
import { ensureNatsTls } from '../../appliance/nats-credentials.ts';
import { natsServerSpec } from '../../appliance/nats-server.ts';
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
  await spec.ready!(child, AbortSignal.timeout(30_000));
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

  it('keeps its CA across restarts: a new start reuses the files', () => {
    const ca = readFileSync(path.join(dir, 'nats', 'tls', 'ca.pem'), 'utf8');
    const again = ensureNatsTls(path.join(dir, 'nats', 'tls'), ['127.0.0.1']);
    expect(readFileSync(again.caFile, 'utf8')).toBe(ca);
  });
});
