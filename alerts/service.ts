import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeAlert, InvalidPayloadError, streams, type Alert, type HotlistsConfig, type Logger } from '../contracts/index.ts';
import { alertStoreConsumer } from '../contracts/index.ts';
import { batchWhileBusy } from './intake.ts';
import { AlertHub, startWebhook } from './notify.ts';
import { ingestHits } from './sightings.ts';
import { appendEvent, getAlert, overdueAlerts, type StoredAlert } from './store.ts';
import { applyAction, closeAsDuplicate, WorkflowError, type AlertState, type WorkflowAction, type WorkflowEvent } from './workflow.ts';

/**
 * Alerts in the core: stores what the matcher publishes (acknowledging each message only
 * after its insert), runs the workflow, escalates unacknowledged alerts, and feeds the live
 * hub and the webhook with alerts that are new to the store, so a redelivered alert notifies
 * nobody twice.
 */
export class AlertNotFoundError extends Error {
  override readonly name = 'AlertNotFoundError';
}

export interface AlertServiceOptions {
  nc: NatsConnection;
  client: ClickHouseClient;
  config: HotlistsConfig;
  logger: Logger;
  clock?: () => Date;
  /** How often overdue alerts are looked for. */
  escalationCheckMs?: number;
}

export async function startAlertService(opts: AlertServiceOptions) {
  const { nc, client, logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  const hub = new AlertHub();
  const webhook = opts.config.webhook
    ? startWebhook(hub, {
        url: opts.config.webhook.url,
        secret: process.env[opts.config.webhook.secretEnv] ?? '',
        maxAttempts: opts.config.webhook.maxAttempts,
        timeoutMs: opts.config.webhook.timeoutMs,
        logger: logger.child({ part: 'webhook' }),
      })
    : null;
  if (opts.config.webhook && !process.env[opts.config.webhook.secretEnv])
    logger.warn('webhook secret is empty: set the environment variable', { env: opts.config.webhook.secretEnv });

  const jsm = await jetstreamManager(nc);
  try {
    await jsm.consumers.info(streams.alerts, alertStoreConsumer);
  } catch {
    await jsm.consumers.add(streams.alerts, {
      durable_name: alertStoreConsumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 15 * 1e9,
      max_ack_pending: 5000,
    });
  }
  const consumer = await jetstream(nc).consumers.get(streams.alerts, alertStoreConsumer);
  async function storeBatch(batch: JsMsg[]): Promise<void> {
    const valid: { msg: JsMsg; alert: Alert }[] = [];
    for (const msg of batch) {
      try {
        valid.push({ msg, alert: decodeAlert(msg) });
      } catch (err) {
        if (!(err instanceof InvalidPayloadError)) throw err;
        logger.error('invalid alert refused', { problems: err.problems, payload: msg.string().slice(0, 2000) });
        msg.term('invalid payload');
      }
    }
    if (!valid.length) return;
    try {
      // Repeats of an alert's plate and record within the suppression window become its sightings (encounter.ts).
      const { raised, sighted } = await ingestHits(
        client,
        valid.map((v) => v.alert),
        opts.config,
        clock().getTime(),
      );
      for (const v of valid) v.msg.ack();
      for (const a of raised) hub.raised(a);
      for (const s of sighted) hub.publish({ type: 'alert.sighting', ...s });
    } catch (err) {
      logger.error('alert insert failed; alerts stay in JetStream', { err: err as Error, count: valid.length });
      for (const v of valid) v.msg.nak(2000);
    }
  }
  // Consumed continuously (intake.ts): an alert reaches the operators as soon as it is stored.
  const messages = await consumer.consume({ max_messages: 200 });
  const intake = batchWhileBusy({
    messages,
    maxBatch: 200,
    handle: storeBatch,
    onError: (err) => logger.error('alert intake failed; the alerts will be redelivered', { err: err as Error }),
  });

  // Actions on one alert are serialised, so two operators cannot both take the same step.
  const locks = new Map<string, Promise<unknown>>();
  async function act(alertId: string, actor: string, action: WorkflowAction): Promise<StoredAlert> {
    return step(alertId, actor, action.action, (state) => applyAction(state, action));
  }

  async function step(
    alertId: string,
    actor: string,
    action: WorkflowAction['action'],
    dataFor: (state: AlertState) => WorkflowEvent['data'],
  ): Promise<StoredAlert> {
    const prior = locks.get(alertId) ?? Promise.resolve();
    const next = prior
      .catch(() => {})
      .then(async () => {
        const current = await getAlert(client, alertId);
        if (!current) throw new AlertNotFoundError('no such alert');
        const data = dataFor(current.state);
        const event: WorkflowEvent = { seq: current.events.length + 1, at: clock().toISOString(), actor, action, data };
        await appendEvent(client, alertId, event);
        const after = (await getAlert(client, alertId))!;
        if (action === 'escalate') hub.publish({ type: 'alert.escalated', alertId, event, alert: after.alert, reminder: after.reminder });
        else hub.publish({ type: 'alert.event', alertId, event, state: after.state });
        return after;
      });
    locks.set(alertId, next);
    try {
      return await next;
    } finally {
      if (locks.get(alertId) === next) locks.delete(alertId);
    }
  }

  /** A supervisor's bulk close: each open alert gets its own 'dispose duplicate' event with the reason. */
  async function closeDuplicates(ids: readonly string[], actor: string, reason: string) {
    const closed: string[] = [];
    const skipped: { id: string; reason: string }[] = [];
    for (const id of new Set(ids)) {
      try {
        await step(id, actor, 'dispose', (state) => closeAsDuplicate(state, reason));
        closed.push(id);
      } catch (err) {
        if (!(err instanceof AlertNotFoundError || err instanceof WorkflowError)) throw err;
        skipped.push({ id, reason: err.message });
      }
    }
    return { closed, skipped };
  }

  async function escalateOverdue(): Promise<number> {
    const before = new Date(clock().getTime() - opts.config.escalationMinutes * 60_000);
    let n = 0;
    for (const id of await overdueAlerts(client, before)) {
      try {
        await act(id, 'system', { action: 'escalate', reason: `not acknowledged within ${opts.config.escalationMinutes} minutes` });
        n++;
      } catch (err) {
        logger.warn('escalation skipped', { id, err: err as Error });
      }
    }
    return n;
  }
  const escalationTimer = setInterval(
    () => void escalateOverdue().catch((err: Error) => logger.error('escalation check failed', { err })),
    opts.escalationCheckMs ?? 30_000,
  );
  escalationTimer.unref();

  return {
    hub,
    act,
    closeDuplicates,
    escalateOverdue,
    webhookStats: () => webhook?.stats ?? null,
    async stop() {
      clearInterval(escalationTimer);
      webhook?.stop();
      await messages.close();
      await intake.done;
      await nc.flush().catch(() => {});
    },
  };
}

export type AlertService = Awaited<ReturnType<typeof startAlertService>>;
