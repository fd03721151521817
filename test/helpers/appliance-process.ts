import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Stops an `alpr appliance` process a test started: SIGTERM, then SIGKILL after `graceMs`. A
 * supervisor killed outright leaves its detached nats-server running (the next start on the same
 * data dir would stop it by its pid file; a test's temp dir has no next start), so that server
 * is stopped here too.
 */
export async function stopApplianceProcess(proc: ChildProcess | null, dataDir: string, graceMs = 20_000): Promise<void> {
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(t);
  }
  const pidFile = path.join(dataDir, 'nats', 'nats-server.pid');
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    // Started on its config file beside the pid file.
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.dirname(pidFile))) process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file, or the server is already gone
  }
}

/** An `alpr appliance` process with its JSON log lines parsed as they come, and a tail for failures. */
export interface ApplianceProcess {
  proc: ChildProcess;
  /** Log entries so far (lines that are not JSON are kept in the tail only). */
  entries: Record<string, unknown>[];
  tail(): string;
}

export function spawnApplianceProcess(
  configFile: string,
  opts: { onEntry?(e: Record<string, unknown>, line: string): void } = {},
): ApplianceProcess {
  const proc = spawn(process.execPath, [path.resolve('bin/alpr.mjs'), 'appliance', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entries: Record<string, unknown>[] = [];
  let tail = '';
  let partial = '';
  const onData = (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail = (tail + line + '\n').slice(-20_000);
      if (!line.startsWith('{')) continue;
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue; // a line cut by the process dying: in the tail only
      }
      entries.push(e);
      opts.onEntry?.(e, line);
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return { proc, entries, tail: () => tail.slice(-6000) };
}
