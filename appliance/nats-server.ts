import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  busConnectionOptions,
  isLoopbackHost,
  natsCredentialsDir,
  natsIdentities,
  natsTlsDir,
  natsUsesTls,
  type AlprConfig,
  type Logger,
} from '../contracts/index.ts';
import { authorizationConf, leafSitePermissions, natsIdentitiesFor, natsPermissions, type NatsUser } from './nats-auth.ts';
import { ensureNatsTls, ensureNkeySeeds, type NatsTlsFiles } from './nats-credentials.ts';
import type { ServiceSpec } from './supervisor.ts';

/** A nats-server left running by an appliance that was killed outright (power, kill -9) would
 * hold the port and the JetStream store; stop it before starting ours. */
function stopStaleServer(pidFile: string, logger: Logger): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // Ours: started on the config file beside the pid file (older runs: with -P pidFile).
    if (!cmdline.includes('nats-server') || !cmdline.includes(path.dirname(pidFile))) return;
    process.kill(pid, 'SIGKILL');
    logger.warn('killed a stale nats-server from an earlier run', { pid });
  } catch {
    // not running any more
  } finally {
    rmSync(pidFile, { force: true });
  }
}

/** Pipes a child's output into the structured log, one entry per line. */
export function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  });
}

/** Whether the embedded server runs JetStream: a cameras-only site does not, its hub does. */
export function embeddedRunsJetStream(config: AlprConfig): boolean {
  return config.role !== 'cameras';
}

/** What the server's configuration needs beyond the appliance's: its users and, where on, its TLS files. */
export interface NatsServerSecurity {
  users: NatsUser[];
  tls?: NatsTlsFiles;
}

/** Whether the embedded server needs a certificate: TLS on its client port, or a leaf port off loopback. */
export function embeddedNeedsTls(config: AlprConfig): boolean {
  const listen = config.nats.leafnodes.listen;
  return natsUsesTls(config.nats) || (listen !== undefined && !isLoopbackHost(listen.host));
}

/**
 * The embedded server's configuration file. A file, not command-line flags: users and their
 * permissions, TLS and leaf-node links (a site joining its hub, a hub accepting sites) can only
 * be set there.
 */
export function natsServerConf(
  config: AlprConfig,
  dir: string,
  pidFile: string,
  env: NodeJS.ProcessEnv,
  security: NatsServerSecurity,
): string {
  const q = (v: string) => JSON.stringify(v);
  const { listen, remotes, caFile } = config.nats.leafnodes;
  const users = [...security.users];
  if (listen) {
    const password = env.ALPR_LEAF_PASSWORD ?? listen.password;
    // The schema asks for both; a password only in a missing environment variable must not open the port.
    if (!listen.user || !password)
      throw new Error('nats.leafnodes.listen needs a user and password (ALPR_LEAF_PASSWORD) that sites present');
    // Sites sign in as this user (the leaf port has no authorization of its own, so the server's
    // users apply), which gives their links the permissions of a site and no more.
    users.push({ user: listen.user, password, permissions: leafSitePermissions() });
  }
  const lines = [
    `server_name: ${q(`alpr-${config.site.id}`)}`,
    `listen: ${q(`${config.nats.host}:${config.nats.port}`)}`,
    `pid_file: ${q(pidFile)}`,
    // Every client signs in (services with their nkeys); anything its permissions do not list is refused.
    authorizationConf(users),
  ];
  const tlsBlock = (t: NatsTlsFiles) => `tls { cert_file: ${q(t.certFile)}, key_file: ${q(t.keyFile)}, timeout: 5 }`;
  if (natsUsesTls(config.nats)) {
    if (!security.tls) throw new Error('nats.tls is on but the server has no certificate');
    lines.push(tlsBlock(security.tls));
  }
  if (embeddedRunsJetStream(config)) lines.push(`jetstream { store_dir: ${q(dir)} }`);
  if (listen || remotes.length > 0) {
    lines.push('leafnodes {');
    if (listen) {
      lines.push(`  listen: ${q(`${listen.host}:${listen.port}`)}`);
      if (security.tls && (natsUsesTls(config.nats) || !isLoopbackHost(listen.host))) lines.push(`  ${tlsBlock(security.tls)}`);
    }
    if (remotes.length > 0) {
      const tls = remotes.some((r) => r.startsWith('tls://')) ? `, tls: { ${caFile ? `ca_file: ${q(caFile)}` : ''} }` : '';
      lines.push(`  remotes: [ { urls: [${remotes.map(q).join(', ')}]${tls} } ]`);
    }
    lines.push('}');
  }
  return lines.join('\n') + '\n';
}

/** Generates what is missing (seeds, certificates) and returns the server's security settings. */
export function prepareNatsSecurity(config: AlprConfig): NatsServerSecurity {
  const keys = ensureNkeySeeds(natsCredentialsDir(config), natsIdentitiesFor(config));
  const users = [...keys].map(([identity, nkey]) => ({ nkey, permissions: natsPermissions(identity) }));
  if (!embeddedNeedsTls(config)) return { users };
  const { certFile, keyFile, caFile } = config.nats.tls;
  const tls =
    certFile && keyFile
      ? { certFile, keyFile, caFile: caFile ?? '' }
      : ensureNatsTls(natsTlsDir(config.dataDir), [
          config.nats.host,
          ...(config.nats.leafnodes.listen ? [config.nats.leafnodes.listen.host] : []),
          ...config.nats.tls.names,
        ]);
  return { users, tls };
}

/** The embedded server's environment: GOMAXPROCS has no configuration-file equivalent. */
export function natsServerEnv(config: AlprConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, GOMAXPROCS: String(config.nats.goMaxProcs) };
}

/**
 * The embedded nats-server (Debian package) with JetStream, its store under the data dir.
 * Ready means: a client connects and JetStream answers, not merely that the port is open.
 * A site's server has no JetStream (its hub's answers, over the leaf link, when the link is
 * up): ready there means a client connects, so its cameras start while the link is down.
 */
export function natsServerSpec(config: AlprConfig, logger: Logger): ServiceSpec {
  const dir = path.resolve(config.dataDir, 'nats');
  const pidFile = path.join(dir, 'nats-server.pid');
  const log = logger.child({ service: 'nats' });
  return {
    name: 'nats',
    spawn(): ChildProcess {
      mkdirSync(dir, { recursive: true });
      stopStaleServer(pidFile, log);
      const confFile = path.join(dir, 'nats-server.conf');
      // Written with the leaf password in it: readable by the appliance's user only.
      writeFileSync(confFile, natsServerConf(config, dir, pidFile, process.env, prepareNatsSecurity(config)), { mode: 0o600 });
      const child = spawn(config.nats.binary, ['-c', confFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: natsServerEnv(config),
      });
      const onLine = (line: string) => {
        // nats-server tags its lines [INF]/[WRN]/[ERR]/[FTL]; its start-up banner is noise at info.
        if (/\[(ERR|FTL)\]/.test(line)) log.error('nats-server', { line });
        else if (/\[WRN\]/.test(line)) log.warn('nats-server', { line });
        else if (/Server is ready|Listening for client/.test(line)) log.info('nats-server', { line });
        else log.debug('nats-server', { line });
      };
      pipeLines(child.stdout, onLine);
      pipeLines(child.stderr, onLine);
      return child;
    },
    async ready(_child, signal) {
      while (!signal.aborted) {
        if (await probeServer(config, embeddedRunsJetStream(config), 500)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw signal.reason ?? new Error('aborted');
    },
    // nats-server 2.9.10 on a full disk stops answering JetStream (publishes time out, not a log
    // line) and does not recover when space comes back: it must be restarted, which only helps
    // once there is space again (docs/durability.md).
    async watch(_child, signal) {
      let failures = 0;
      let warnedFull = false;
      while (!signal.aborted) {
        await new Promise((r) => setTimeout(r, WATCH_EVERY_MS));
        if (signal.aborted) break;
        const ok = await probeServer(config, embeddedRunsJetStream(config));
        failures = ok ? 0 : failures + 1;
        if (ok) warnedFull = false;
        if (failures < WATCH_FAILURES) continue;
        const st = await statfs(dir).catch(() => null);
        const free = st ? st.bavail * st.bsize : Infinity;
        if (free >= WATCH_MIN_FREE_BYTES)
          return `${embeddedRunsJetStream(config) ? 'JetStream' : 'nats-server'} has not answered for ${failures} checks in a row`;
        if (!warnedFull)
          log.error('JetStream is not answering and its disk is full: nats-server will be restarted once space is freed', {
            dir,
            freeBytes: free,
          });
        warnedFull = true;
      }
      return new Promise<string>(() => {});
    },
  };
}

const WATCH_EVERY_MS = 5000;
const WATCH_FAILURES = 3;
const WATCH_MIN_FREE_BYTES = 64 * 1024 ** 2;

/** Whether the server (and its JetStream, where it runs one) answers in time; asked as the supervisor. */
async function probeServer(config: AlprConfig, jetStream: boolean, connectMs = 2000): Promise<boolean> {
  let nc;
  try {
    nc = await connect({ ...busConnectionOptions(config, natsIdentities.supervisor), reconnect: false, timeout: connectMs });
    if (jetStream) await (await jetstreamManager(nc, { timeout: 3000 })).getAccountInfo();
    else await nc.flush();
    return true;
  } catch {
    return false;
  } finally {
    await nc?.close().catch(() => {});
  }
}
