import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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
    if (!cmdline.includes('nats-server') || !cmdline.includes(pidFile)) return;
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

/**
 * The embedded nats-server (Debian package) with JetStream, its store under the data dir.
 * Ready means: a client connects and JetStream answers, not merely that the port is open.
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
      const args = ['-js', '-sd', dir, '-a', config.nats.host, '-p', String(config.nats.port), '-n', `alpr-${config.site.id}`, '-P', pidFile];
      const child = spawn(config.nats.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
        try {
          const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
          try {
            await (await jetstreamManager(nc)).getAccountInfo();
            return;
          } finally {
            await nc.close();
          }
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
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
        const ok = await probeJetStream(url);
        failures = ok ? 0 : failures + 1;
        if (ok) warnedFull = false;
        if (failures < WATCH_FAILURES) continue;
        const st = await statfs(dir).catch(() => null);
        const free = st ? st.bavail * st.bsize : Infinity;
        if (free >= WATCH_MIN_FREE_BYTES) return `JetStream has not answered for ${failures} checks in a row`;
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

/** Whether JetStream answers an account-info request in time. */
async function probeJetStream(url: string): Promise<boolean> {
  let nc;
  try {
    nc = await connect({ servers: url, reconnect: false, timeout: 2000 });
    await (await jetstreamManager(nc, { timeout: 3000 })).getAccountInfo();
    return true;
  } catch {
    return false;
  } finally {
    await nc?.close().catch(() => {});
  }
}
