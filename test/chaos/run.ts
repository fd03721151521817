/**
 * `npm run chaos [-- --warmup S --gap S --tail S --outage S --victims a,b,c --disk-mib M --full-disk S]`: the full fault run
 * (test/chaos/harness.ts). Progress on stderr; the figures as one JSON line at the end. Exits 1
 * when a read JetStream acknowledged is not in the store, an alert is missing or duplicated.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './harness.ts';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '20' },
    gap: { type: 'string', default: '20' },
    tail: { type: 'string', default: '30' },
    outage: { type: 'string', default: '120' },
    victims: { type: 'string', default: 'nats,core,camera:cam-a,matcher' },
    config: { type: 'string', multiple: true, default: [] },
    'disk-mib': { type: 'string', default: '0' },
    'full-disk': { type: 'string', default: '0' },
  },
  strict: true,
});
const started = Date.now();
const report = await runChaos({
  victims: values.victims.split(',').filter(Boolean),
  warmupS: Number(values.warmup),
  gapS: Number(values.gap),
  tailS: Number(values.tail),
  storeOutageS: Number(values.outage),
  extraConfig: values.config,
  diskMiB: Number(values['disk-mib']),
  fullDiskS: Number(values['full-disk']),
  progress: (line) => console.error(`[chaos +${Math.round((Date.now() - started) / 1000)}s] ${line}`),
});
const ok =
  report.publishedNotStored.length === 0 &&
  report.alerts.missing.length === 0 &&
  report.alerts.duplicatePairs === 0 &&
  report.key.duplicates === 0;
console.error(ok ? 'chaos: nothing lost, nothing duplicated' : 'chaos: FAILED (see publishedNotStored, alerts.missing, duplicates)');
console.log(JSON.stringify(report));
process.exit(ok ? 0 : 1);
