import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import type { NatsConnection } from '@nats-io/transport-node';
import { openHotlistBuckets, type AlprConfig, type AuditSink, type Logger } from '../contracts/index.ts';
import { hotlistRoutes } from './routes.ts';
import { createHotlistService, type HotlistServiceOptions } from './service.ts';
import { startHotlistWatch } from './watch.ts';

/**
 * The hotlist part of the core, assembled: imports through the API and the watched folder,
 * published to the matcher through the hotlist buckets. The core mounts `dataRoutes` behind its
 * guard, and gives `onActivated` what else a new version starts (the alerts' historical hits),
 * so that this part needs no other.
 */
export async function startHotlistCore(opts: {
  nc: NatsConnection;
  client: ClickHouseClient;
  config: AlprConfig;
  logger: Logger;
  audit?: AuditSink;
  clock?: () => Date;
  onActivated?: HotlistServiceOptions['onActivated'];
}) {
  const { nc, client, config } = opts;
  const logger = opts.logger.child({ part: 'hotlists' });
  const buckets = await openHotlistBuckets(nc, config.nats.replicas);
  const hotlists = createHotlistService({
    client,
    buckets,
    config: config.hotlists,
    logger,
    audit: opts.audit,
    clock: opts.clock,
    onActivated: opts.onActivated,
  });
  const watch = startHotlistWatch({
    dir: path.resolve(config.hotlists.watchDir ?? path.join(config.dataDir, 'hotlists', 'incoming')),
    hotlists,
    intervalMs: config.hotlists.watchIntervalSeconds * 1000,
    logger,
  });
  return {
    hotlists,
    watch,
    dataRoutes: [hotlistRoutes({ client, hotlists, logger })] as [ReturnType<typeof hotlistRoutes>],
    stop() {
      watch.stop();
    },
  };
}
