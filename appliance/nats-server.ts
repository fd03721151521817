import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { AlprConfig, Logger } from '../contracts/index.ts';
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

/**
 * The embedded server's configuration file. A file, not command-line flags: leaf-node links
 * (a site joining its hub, a hub accepting sites) can only be set there.
 */
export function natsServerConf(config: AlprConfig, dir: string, pidFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const q = (v: string) => JSON.stringify(v);
  const lines = [
    `server_name: ${q(`alpr-${config.site.id}`)}`,
    `listen: ${q(`${config.nats.host}:${config.nats.port}`)}`,
    `pid_file: ${q(pidFile)}`,
  ];
  if (embeddedRunsJetStream(config)) lines.push(`jetstream { store_dir: ${q(dir)} }`);
  const { listen, remotes } = config.nats.leafnodes;
  if (listen || remotes.length > 0) {
    lines.push('leafnodes {');
    if (listen) {
      lines.push(`  listen: ${q(`${listen.host}:${listen.port}`)}`);
      const password = env.ALPR_LEAF_PASSWORD ?? listen.password;
      if (listen.user && password) lines.push(`  authorization { user: ${q(listen.user)}, password: ${q(password)} }`);
    }
    if (remotes.length > 0) lines.push(`  remotes: [ { urls: [${remotes.map(q).join(', ')}] } ]`);
    lines.push('}');
  }
  return lines.join('\n') + '\n';
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
      // Written with the password in it: readable by the appliance's user only.
      writeFileSync(confFile, natsServerConf(config, dir, pidFile), { mode: 0o600 });
      const child = spawn(config.nats.binary, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: natsServerEnv(config) });
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
      const url = `nats://${config.nats.host}:${config.nats.port}`;
      while (!signal.aborted) {
        if (await probeServer(url, embeddedRunsJetStream(config), 500)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw signal.reason ?? new Error('aborted');
    },
    // nats-server 2.9.10 on a full disk stops answering JetStream (publishes time out, not a log
    // line) and does not recover when space comes back: it must be restarted, which only helps
    // once there is space again (found by the fault run, docs/durability.md).
    async watch(_child, signal) {
      const url = `nats://${config.nats.host}:${config.nats.port}`;
      let failures = 0;
      let warnedFull = false;
      while (!signal.aborted) {
        await new Promise((r) => setTimeout(r, WATCH_EVERY_MS));
        if (signal.aborted) break;
        const ok = await probeServer(url, embeddedRunsJetStream(config));
        failures = ok ? 0 : failures + 1;
        if (ok) warnedFull = false;
        if (failures < WATCH_FAILURES) continue;
        const st = await statfs(dir).catch(() => null);
        const free = st ? st.bavail * st.bsize : Infinity;
        if (free >= WATCH_MIN_FREE_BYTES) return `${embeddedRunsJetStream(config) ? 'JetStream' : 'nats-server'} has not answered for ${failures} checks in a row`;
        if (!warnedFull) log.error('JetStream is not answering and its disk is full: nats-server will be restarted once space is freed', { dir, freeBytes: free });
        warnedFull = true;
      }
      return new Promise<string>(() => {});
    },
  };
}

const WATCH_EVERY_MS = 5000;
const WATCH_FAILURES = 3;
const WATCH_MIN_FREE_BYTES = 64 * 1024 ** 2;

/** Whether the server (and its JetStream, where it runs one) answers in time. */
async function probeServer(url: string, jetStream: boolean, connectMs = 2000): Promise<boolean> {
  let nc;
  try {
    nc = await connect({ servers: url, reconnect: false, timeout: connectMs });
    if (jetStream) await (await jetstreamManager(nc, { timeout: 3000 })).getAccountInfo();
    else await nc.flush();
    return true;
  } catch {
    return false;
  } finally {
    await nc?.close().catch(() => {});
  }
}
