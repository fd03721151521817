import type { ChildProcess } from 'node:child_process';
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
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pidFile)) process.kill(pid, 'SIGKILL');
  } catch {
    // no pid file, or the server is already gone
  }
}
