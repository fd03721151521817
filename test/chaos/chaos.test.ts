import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosReport } from './harness.ts';

/**
 * The fault run in its short form (CI): the appliance with a simulated camera streaming, kill -9
 * of nats-server, the core (the store's owner), the camera worker and the matcher in turn, then
 * the store frozen for a few seconds. `npm run chaos` is the long form with minutes of outage.
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
        gapS: 4,
        tailS: 8,
        storeOutageS: 8,
        progress: (l) => lines.push(l),
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- progress ---\n${lines.join('\n')}`);
    }
    const why = JSON.stringify(report, null, 1);
    console.log(`chaos figures: ${JSON.stringify(report)}`);
    // Every service came back under its supervisor.
    expect(report.faults.map((f) => f.service), why).toEqual(['nats', 'core', 'camera:cam-a', 'matcher']);
    for (const f of report.faults) expect(f.restarts, why).toBeGreaterThanOrEqual(1);
    // Reads: every one JetStream acknowledged is stored, once per pass.
    expect(report.published, why).toBeGreaterThan(0);
    expect(report.publishedNotStored, why).toEqual([]);
    expect(report.key.found, why).toBeGreaterThan(0);
    expect(report.key.duplicates, why).toBe(0);
    // The frozen store: reads waited in JetStream while the matcher went on raising alerts.
    expect(report.storeOutage!.readsWaitingAtEnd, why).toBe(report.storeOutage!.readsPublishedDuring);
    // Alerts: one for every stored read of a listed plate, never two for the same read and record.
    expect(report.alerts.expected, why).toBeGreaterThan(0);
    expect(report.alerts.missing, why).toEqual([]);
    expect(report.alerts.duplicatePairs, why).toBe(0);
    expect(report.appliance.exitCode, why).toBe(0);
  }, 400_000);
});
