import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/nats.ts';
import { runChaos, type ChaosReport } from './harness.ts';

/** Whether a tmpfs can be mounted here (root with the capability; not in every container). */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = tempDir('mount-probe');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const canMount = canMountTmpfs();

/**
 * The fault run in its short form (CI): the appliance with a simulated camera streaming, kill -9
 * of nats-server, the core (the store's owner), the camera worker and the matcher in turn, then
 * the store frozen for a few seconds, then (as root, on a tmpfs data dir) the disk full for eight.
 * `npm run chaos` is the long form with minutes of outage.
 * No timing is asserted: what counts is that nothing JetStream acknowledged went missing and
 * nothing came out twice.
 */
describe('faults under a streaming camera', () => {
  it('loses no acknowledged read, duplicates none, and raises every alert once', async () => {
    const lines: string[] = [];
    let report: ChaosReport;
    try {
      report = await runChaos({
        victims: ['nats', 'core', 'camera:cam-a', 'matcher'],
        warmupS: 5,
        gapS: 3,
        tailS: 8,
        storeOutageS: 6,
        // The disk full for a while: only where a tmpfs can be mounted for the data dir (root).
        ...(canMount ? { diskMiB: 1200, fullDiskS: 8 } : {}),
        progress: (l) => lines.push(l),
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- progress ---\n${lines.join('\n')}`);
    }
    const why = JSON.stringify(report, null, 1);
    console.log(`chaos figures: ${JSON.stringify(report)}`);
    // Every service came back under its supervisor.
    expect(
      report.faults.map((f) => f.service),
      why,
    ).toEqual(['nats', 'core', 'camera:cam-a', 'matcher']);
    for (const f of report.faults) expect(f.restarts, why).toBeGreaterThanOrEqual(1);
    // Reads: every one JetStream acknowledged is stored, once per pass.
    expect(report.published, why).toBeGreaterThan(0);
    expect(report.publishedNotStored, why).toEqual([]);
    expect(report.key.found, why).toBeGreaterThan(0);
    expect(report.key.duplicates, why).toBe(0);
    // The frozen store: every read published meanwhile waited in JetStream (with those it held
    // unacknowledged when it froze), while the matcher went on raising alerts.
    const outage = report.storeOutage!;
    expect(outage.readsWaitingAtEnd, why).toBeGreaterThanOrEqual(outage.readsStreamedDuring);
    expect(outage.readsWaitingAtEnd, why).toBeLessThanOrEqual(outage.readsStreamedByEnd + outage.readsWaitingAtFreeze);
    // Alerts: every stored read of a listed plate is an alert or a sighting of one, never two for the same read and record.
    expect(report.alerts.expected, why).toBeGreaterThan(0);
    expect(report.alerts.missing, why).toEqual([]);
    expect(report.alerts.duplicatePairs, why).toBe(0);
    // The full disk: a clear state in /api/health, and everything well again once space is back.
    if (canMount) {
      expect(
        report.fullDisk!.health.some((h) => /^503 down; store unhealthy: disk full/.test(h)),
        why,
      ).toBe(true);
      expect(report.fullDisk!.recoveredMs, why).toBeGreaterThan(0);
    }
    expect(report.appliance.exitCode, why).toBe(0);
  }, 400_000);
});
