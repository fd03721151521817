import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Hono } from 'hono';
import type { AlprConfig, AuditSink, Logger } from '../contracts/index.ts';
import { openHotlistBuckets } from '../contracts/index.ts';
import { raiseHistoricalHits } from '../alerts/historical.ts';
import { alertRoutes, alertRules } from '../alerts/routes.ts';
import { startAlertService } from '../alerts/service.ts';
import { hotlistRoutes, hotlistRules } from './routes.ts';
import { createHotlistService } from './service.ts';
import { startHotlistWatch } from './watch.ts';

/** Access rules of the hotlist and alert routes, for createAccess({ extraRules }). */
export const hotlistAccessRules = { ...hotlistRules, ...alertRules };

/**
 * The hotlist and alert parts of the core, assembled: imports (API and watched folder),
 * alert storage and workflow, notifications, historical hits. The core mounts `dataRoutes`
 * behind its guard.
 */
export async function startHotlistCore(opts: { nc: NatsConnection; client: ClickHouseClient; config: AlprConfig; logger: Logger; audit?: AuditSink; clock?: () => Date }) {
  const { nc, client, config } = opts;
  const logger = opts.logger.child({ part: 'hotlists' });
  const buckets = await openHotlistBuckets(nc, config.nats.replicas);
  const alerts = await startAlertService({ nc, client, config: config.hotlists, logger: opts.logger.child({ part: 'alerts' }), clock: opts.clock });
  const js = jetstream(nc);
  const hotlists = createHotlistService({
    client, buckets, config: config.hotlists, logger, audit: opts.audit, clock: opts.clock,
    onActivated: async (v, previous) => {
      await raiseHistoricalHits({ client, js, tacticalDays: config.retention.tacticalDays, maxPlates: config.hotlists.historicalMaxPlates, logger, clock: opts.clock }, v, previous);
    },
  });
  const watch = startHotlistWatch({ dir: path.resolve(config.hotlists.watchDir ?? path.join(config.dataDir, 'hotlists', 'incoming')), hotlists, intervalMs: config.hotlists.watchIntervalSeconds * 1000, logger });
  return {
    hotlists,
    alerts,
    watch,
    dataRoutes: [hotlistRoutes({ client, hotlists, logger }), alertRoutes({ client, alerts, logger })] as unknown as Hono[],
    async stop() {
      watch.stop();
      await alerts.stop();
    },
  };
}
