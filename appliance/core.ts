import { statfs } from 'node:fs/promises';
import { totalmem } from 'node:os';
import path from 'node:path';
import { type ClickHouseClient } from '@clickhouse/client';
import {
  connectBus,
  ensureStreams,
  jetstream,
  natsIdentities,
  pinBudgetBytes,
  requestSupervisorHealth,
  serveAuditVerify,
  subscribeCameraMetrics,
  subscribeCameraStates,
  type AlprConfig,
  type CameraState,
  type Logger,
} from '../contracts/index.ts';
import { CameraSeries, close, createApp, listen, MetricsRegistry, overallStatus, type HealthReport } from '../server/index.ts';
import {
  applyRetentionSettings,
  createClickHouseClient,
  migrate,
  runRetention,
  startPartPinner,
  startSearchWarmer,
  startStoreWriter,
} from '../store/index.ts';
import { foldCameraMetrics } from '../pipeline/metrics/index.ts';
import type { RunningService } from './service-registry.ts';
import { createAccess, createDeploymentGate, PUBLIC_ROUTES, recordConfigLoaded } from '../access/index.ts';
import { hotlistRules, startHotlistCore } from '../hotlist/index.ts';
import { alertRoutes, alertRules, raiseHistoricalHits, startAlertService } from '../alerts/index.ts';
import { answerStoredChecks, applyStoreDurability } from './durability.ts';

/** Below this much free space under the data dir the store is reported down before an insert fails. */
const DISK_FULL_BYTES = 64 * 1024 ** 2;

/** "disk full: …" when the data dir's filesystem is (nearly) full, else null. */
async function diskFull(dataDir: string): Promise<string | null> {
  const st = await statfs(path.resolve(dataDir)).catch(() => null);
  if (!st) return null;
  const free = st.bavail * st.bsize;
  if (free >= DISK_FULL_BYTES) return null;
  return `disk full: ${Math.floor(free / 1024 ** 2)} MiB free of ${Math.floor((st.blocks * st.bsize) / 1024 ** 2)} MiB under ${path.resolve(dataDir)}; reads wait in JetStream until space is freed`;
}

/**
 * The core service: the one process that owns the store (libchdb admits one process per
 * data directory), writes reads into it from JetStream and serves the API over it. Keeping
 * the API here means searches hit the engine in-process, with no second hop.
 * Boot order inside: NATS streams, store migrations, store writer, HTTP.
 */
export async function startCore(config: AlprConfig, logger: Logger): Promise<RunningService> {
  const nc = await connectBus({ config, identity: natsIdentities.core, name: `core-${config.site.id}` });
  await ensureStreams(nc, config.nats);

  const client: ClickHouseClient = await createClickHouseClient(config.storage, config.dataDir);
  await migrate(client, logger);
  await applyRetentionSettings(client, config.retention, logger);
  // Power-loss durability (docs/durability.md): fsync'd inserts when durability.storeFsync.
  await applyStoreDurability(client, config.durability, logger);

  const metrics = new MetricsRegistry();
  // The search tables' files locked in memory (storage.pinSearchTablesMiB): plate searches
  // then never wait on the disk, however much of the page cache the OS or a VM host reclaims.
  const pinBudget = pinBudgetBytes(config.storage, totalmem());
  const pinner =
    pinBudget > 0
      ? startPartPinner({
          client,
          maxBytes: pinBudget,
          logger: logger.child({ part: 'store-pinner' }),
          onSync: (pins) => {
            metrics.set('alpr_store_pinned_bytes', "Bytes of the search tables' files locked in memory.", pins.pinnedBytes);
            metrics.set(
              'alpr_store_pin_wanted_bytes',
              "Bytes of all the search tables' files: what a large enough pinning budget would lock.",
              pins.wantedBytes,
            );
            metrics.set(
              'alpr_store_pin_failures',
              'Times a part could not be locked in memory or the pin helper failed (memory-lock limit, no /usr/bin/python3).',
              pins.failures,
            );
          },
        })
      : null;
  // A search now and then while nobody searches, so that the first one after a quiet spell does
  // not pay the engine's page faults (store/search-warmer.ts). Not awaited: boot need not wait.
  const warmer = startSearchWarmer({
    client,
    logger: logger.child({ part: 'search-warmer' }),
    tacticalDays: config.retention.tacticalDays,
  });
  // Access control: reads of a camera without an active deployment authorisation are not stored.
  const accessLog = logger.child({ part: 'access' });
  const [REFUSED_METRIC, REFUSED_HELP] = [
    'alpr_reads_refused_unauthorised_total',
    'Reads not stored: their camera has no active deployment authorisation.',
  ];
  const gate = createDeploymentGate({
    client,
    cameras: config.cameras,
    logger: accessLog,
    enforce: config.access.enforceDeployments,
    // Once per refused read: a redelivered batch or the camera spool's check asks about it again.
    onRefused: () => metrics.inc(REFUSED_METRIC, REFUSED_HELP),
  });
  metrics.inc(REFUSED_METRIC, REFUSED_HELP, 0); // shown at 0 before the first refusal
  const access = createAccess({
    client,
    access: config.access,
    retention: config.retention,
    logger: accessLog,
    extraRules: { ...hotlistRules, ...alertRules },
    onDeploymentsChanged: () => gate.invalidate(),
    timeZone: config.site.timeZone,
    agency: config.site.agency,
    anchor: { dataDir: config.dataDir, siteId: config.site.id, webhook: config.hotlists.webhook },
  });
  await recordConfigLoaded(access.audit, config, client);
  // The audit log's head is anchored outside the store now (a bad key stops the boot here), then
  // every access.auditAnchor.intervalMinutes while it moves.
  await access.anchoring?.anchorNow();
  access.anchoring?.start(config.access.auditAnchor.intervalMinutes * 60_000);
  const auditVerifySub = serveAuditVerify(nc, () => access.audit.verify());

  const writer = await startStoreWriter({
    nc,
    client,
    logger: logger.child({ part: 'store-writer' }),
    admit: (read) => gate.admit(read),
    onBatch: ({ stored, invalid, ms }) => {
      metrics.inc('alpr_reads_stored_total', 'Reads written to the store.', stored);
      metrics.inc('alpr_reads_invalid_total', 'Read messages refused as invalid.', invalid);
      metrics.inc('alpr_store_batches_total', 'Insert batches written.');
      metrics.set('alpr_store_last_batch_ms', 'Duration of the last insert batch in milliseconds.', ms);
    },
    onError: () => metrics.inc('alpr_store_insert_failures_total', 'Insert batches that failed and were left for redelivery.'),
  });

  // Camera workers ask which of their spooled reads are stored (durability.readSpool).
  const storedCheckSub = answerStoredChecks({
    nc,
    client,
    logger: logger.child({ part: 'durability' }),
    admit: (read) => gate.admit(read),
  });

  // Alerts (alerts/): storage and workflow of the matcher's hits, notifications.
  const alerts = await startAlertService({ nc, client, config: config.hotlists, logger: logger.child({ part: 'alerts' }) });
  // Hotlists (hotlist/): imports; a newly active version raises the historical hits of its new plates.
  const hotlistLog = logger.child({ part: 'hotlists' });
  const js = jetstream(nc);
  const hotlistCore = await startHotlistCore({
    nc,
    client,
    config,
    logger,
    audit: access.audit,
    onActivated: async (v, previous) => {
      await raiseHistoricalHits(
        { client, js, tacticalDays: config.retention.tacticalDays, maxPlates: config.hotlists.historicalMaxPlates, logger: hotlistLog },
        v,
        previous,
      );
    },
  });

  const cameras = new Map<string, CameraState>();
  const cameraSub = subscribeCameraStates(nc, (s) => cameras.set(s.cameraId, s));
  // Each camera worker publishes its pipeline metrics; the core serves them in /api/metrics.
  // The dashboard's charts draw the same metrics over time (server/routes/metrics-series.ts).
  const cameraSeries = new CameraSeries();
  const cameraMetricsSub = subscribeCameraMetrics(nc, (m) => {
    foldCameraMetrics(metrics, m);
    cameraSeries.record(m);
  });
  // Once a minute the last full minute goes to camera_metrics_minutely, for charts beyond a day.
  const metricsHistoryTimer = setInterval(() => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const values = cameraSeries.minuteRows(minute);
    if (values.length) {
      client
        .insert({ table: 'camera_metrics_minutely', values, format: 'JSONEachRow' })
        .catch((err: Error) => logger.warn('metrics history insert failed', { err }));
    }
  }, 60_000);
  metricsHistoryTimer.unref();

  async function health(): Promise<HealthReport> {
    const services = await requestSupervisorHealth(nc, 500).then(
      (h) => h.services,
      () => null,
    );
    const ping = await client.ping().catch((err: Error) => ({ success: false as const, error: err }));
    const disk = await diskFull(config.dataDir);
    const storeHealthy = writer.healthy && ping.success && !disk;
    const report = {
      time: new Date().toISOString(),
      siteId: config.site.id,
      services,
      cameras: [...cameras.values()],
      store: { healthy: storeHealthy, lastError: disk ?? writer.lastError ?? (ping.success ? null : String(ping.error?.message)) },
      nats: { connected: !nc.isClosed() },
      authorisations: await gate.status().catch(() => undefined),
    };
    for (const s of services ?? []) {
      metrics.set('alpr_service_up', 'Whether the supervised service is running (1) or not (0).', s.state === 'running' ? 1 : 0, {
        service: s.name,
      });
      metrics.set('alpr_service_restarts', 'Restarts of the supervised service since the appliance started.', s.restarts, {
        service: s.name,
      });
    }
    return { status: overallStatus(report), ...report };
  }

  // Retention runs at start and then hourly, so a read is gone within the hour its window ends.
  const retentionLog = logger.child({ part: 'retention' });
  const purge = () =>
    runRetention(client, config.retention, retentionLog)
      .then((runs) =>
        runs.forEach((r) => metrics.inc('alpr_retention_purged_total', 'Rows purged by retention runs.', r.purgedRows, { table: r.table })),
      )
      .catch((err: Error) => retentionLog.error('retention run failed; will retry next hour', { err }));
  void purge();
  const retentionTimer = setInterval(() => void purge(), 3600_000);
  retentionTimer.unref();

  const app = createApp({
    client,
    retention: config.retention,
    health,
    metrics,
    logger: logger.child({ part: 'api' }),
    dataGuard: access.guard,
    publicRoutes: access.publicRoutes,
    publicRouteKeys: PUBLIC_ROUTES,
    dataRoutes: [
      ...access.dataRoutes,
      ...hotlistCore.dataRoutes,
      alertRoutes({ client, alerts, logger: hotlistLog, tacticalDays: config.retention.tacticalDays }),
    ],
    resolveOpenCase: access.resolveOpenCase,
    cameraSeries,
    dashboard: true,
    https: Boolean(config.server.tls) || config.server.behindTlsProxy,
    map: { cameras: config.cameras, map: config.dashboard.map },
  });
  const { server, port } = await listen(app, config.server);
  const scheme = config.server.tls ? 'https' : 'http';
  logger.info('API listening', { url: `${scheme}://${config.server.host}:${port}` });
  if (!config.server.tls && !['127.0.0.1', '::1', 'localhost'].includes(config.server.host)) {
    logger.warn('the API is reachable from the network without TLS; CJIS requires server.tls when it leaves the box', {
      host: config.server.host,
    });
  }
  const setupToken = await access.issueSetupToken();
  if (setupToken) {
    logger.warn(
      'no users yet: open this one-time link to create the first administrator (or stop the appliance and run "alpr user create-admin")',
      {
        setupUrl: `${scheme}://${config.server.host}:${port}/setup#${setupToken}`,
        validHours: config.access.enrolmentHours,
      },
    );
  }

  return {
    info: { port, url: `${scheme}://${config.server.host}:${port}` },
    async stop() {
      clearInterval(retentionTimer);
      clearInterval(metricsHistoryTimer);
      auditVerifySub.unsubscribe();
      storedCheckSub.unsubscribe();
      await close(server);
      await writer.stop();
      await pinner?.stop();
      await warmer.stop();
      hotlistCore.stop();
      await alerts.stop();
      cameraSub.unsubscribe();
      cameraMetricsSub.unsubscribe();
      await nc.drain().catch(() => {});
      // The summaries of anonymous refusals still counting are written before the last anchor.
      access.noise.stop();
      await access.noise.flush(true);
      // Last: the entries the parts above wrote while stopping are anchored too.
      await access.anchoring?.stop();
      await client.close();
    },
  };
}
