import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect, nkeyAuthenticator, type ConnectionOptions, type NatsConnection, type Msg } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type PubAck,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { z } from 'zod';
import { alertSchema, type Alert } from './alert.ts';
import { natsUsesTls, type AlprConfig } from './config.ts';
import { InvalidPayloadError, PublishFailedError } from './errors.ts';
import { cameraMetricsSchema, type CameraMetrics } from './camera-metrics.ts';
import { cameraStateSchema, supervisorHealthSchema, type CameraState, type SupervisorHealth } from './health.ts';
import { plateReadSchema, type PlateRead, type PlateReadInput } from './read.ts';
import { checkReadFast } from './read-check.ts';
import { inboxPrefixFor, streams, subjects } from './subjects.ts';

/**
 * Typed helpers: the only way parts of the appliance put messages on NATS or take them
 * off. Every payload is validated on the way out and on the way in, so a malformed
 * message is refused at its source and a foreign one never reaches business logic.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

function validate<S extends z.ZodType>(schema: S, subject: string, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new InvalidPayloadError(
      subject,
      r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return r.data;
}

function decodeJson<S extends z.ZodType>(schema: S, subject: string, data: Uint8Array): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(dec.decode(data));
  } catch {
    throw new InvalidPayloadError(subject, ['not JSON']);
  }
  return validate(schema, subject, value);
}

/** Where the services' nkey seeds are: generated there by the embedded server, or put there for an external one. */
export function natsCredentialsDir(config: Pick<AlprConfig, 'dataDir' | 'nats'>): string {
  return path.resolve(config.nats.auth.credentialsDir ?? path.join(config.dataDir, 'nats', 'credentials'));
}

/** The seed file of one identity (natsIdentities): `<credentialsDir>/<identity>.nk`. */
export function natsSeedFile(config: Pick<AlprConfig, 'dataDir' | 'nats'>, identity: string): string {
  return path.join(natsCredentialsDir(config), `${identity}.nk`);
}

/** The embedded server's own TLS files (CA, server certificate), generated on first start unless configured. */
export function natsTlsDir(dataDir: string): string {
  return path.resolve(dataDir, 'nats', 'tls');
}

/** The CA clients verify the server with: configured, or the embedded server's generated one
 * (none for a configured certificate without a CA: the system's CAs then verify it). */
export function natsCaFile(config: Pick<AlprConfig, 'dataDir' | 'nats'>): string | undefined {
  const { tls, embedded } = config.nats;
  return tls.caFile ?? (embedded && !tls.certFile ? path.join(natsTlsDir(config.dataDir), 'ca.pem') : undefined);
}

/**
 * How one identity reaches the bus: its nkey seed (or, for an external server, the shared user
 * and password), its own inbox prefix, and TLS verified against the CA where TLS is on. Read at
 * each connect, so that a seed written on first start is found by services started after it.
 */
export function busConnectionOptions(
  config: Pick<AlprConfig, 'dataDir' | 'nats'>,
  identity: string,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionOptions {
  const opts: ConnectionOptions = { servers: natsServers(config.nats), inboxPrefix: inboxPrefixFor(identity) };
  const { auth } = config.nats;
  if (!config.nats.embedded && auth.user !== undefined) {
    const pass = env.ALPR_NATS_PASSWORD ?? auth.password;
    if (!pass) throw new Error(`nats.auth.user "${auth.user}" needs its password: set ALPR_NATS_PASSWORD (or nats.auth.password)`);
    Object.assign(opts, { user: auth.user, pass });
  } else {
    const seedFile = natsSeedFile(config, identity);
    let seed: string;
    try {
      seed = readFileSync(seedFile, 'utf8').trim();
    } catch (err) {
      throw new Error(
        `no NATS credentials for "${identity}" at ${seedFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ` +
          (config.nats.embedded
            ? 'the embedded nats-server writes them when it starts'
            : 'put the nkey seed issued for this service there (nats.auth.credentialsDir)'),
      );
    }
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (natsUsesTls(config.nats)) {
    const caFile = natsCaFile(config);
    opts.tls = caFile ? { caFile } : {};
  }
  return opts;
}

/** A service's long-lived connection: authenticated as `identity`, reconnecting for ever. */
export function connectBus(opts: {
  config: Pick<AlprConfig, 'dataDir' | 'nats'>;
  identity: string;
  name?: string;
}): Promise<NatsConnection> {
  return connect({
    ...busConnectionOptions(opts.config, opts.identity),
    name: opts.name ?? opts.identity,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
}

/** NATS server URLs for a configuration: the embedded server or the external cluster. A server
 * bound to every interface is reached on loopback, the name its certificate is sure to carry. */
export function natsServers(cfg: AlprConfig['nats']): string[] {
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host;
  return cfg.embedded ? [`nats://${host.includes(':') ? `[${host}]` : host}:${cfg.port}`] : cfg.urls;
}

/** Stream definitions with their limits. Reads refuse new messages when full (discard new)
 * rather than silently dropping the oldest: a publisher that is told "no" can keep the read. */
export function streamConfigs(cfg: AlprConfig['nats']): (Partial<StreamConfig> & { name: string })[] {
  const hours = (h: number) => Math.round(h * 3600 * 1e9);
  return [
    {
      name: streams.reads,
      subjects: [subjects.readsAll],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_age: hours(cfg.readsMaxAgeHours),
      max_bytes: cfg.readsMaxBytes,
      max_msg_size: 1024 * 1024,
      duplicate_window: 2 * 60 * 1e9,
      num_replicas: cfg.replicas,
    },
    {
      name: streams.alerts,
      subjects: [subjects.alertsAll],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_age: hours(cfg.alertsMaxAgeHours),
      max_bytes: 512 * 1024 ** 2,
      max_msg_size: 1024 * 1024,
      duplicate_window: 2 * 60 * 1e9,
      num_replicas: cfg.replicas,
    },
  ];
}

/** A durable consumer's state, or null when it does not exist (its service has not run here yet). */
export function consumerInfoOrNull(jsm: JetStreamManager, stream: string, name: string): Promise<ConsumerInfo | null> {
  return jsm.consumers.info(stream, name).catch((err: Error) => {
    if (/not found/i.test(err.message)) return null;
    throw err;
  });
}

/** Creates the streams or brings their limits up to date with the configuration. */
export async function ensureStreams(nc: NatsConnection, cfg: AlprConfig['nats']): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const sc of streamConfigs(cfg)) {
    try {
      await jsm.streams.info(sc.name);
      await jsm.streams.update(sc.name, sc);
    } catch (err) {
      if (!/not found/i.test(String((err as Error).message))) throw err;
      await jsm.streams.add(sc);
    }
  }
}

async function publishJs(js: JetStreamClient, subject: string, payload: unknown, msgID: string): Promise<PubAck> {
  try {
    return await js.publish(subject, enc.encode(JSON.stringify(payload)), { msgID, timeout: 5000 });
  } catch (err) {
    throw new PublishFailedError(subject, err);
  }
}

/** Publishes a read on alpr.reads.<camera>; the read id is the JetStream message id, so a
 * retried publish within the duplicate window is stored once. */
export async function publishRead(js: JetStreamClient, read: PlateReadInput): Promise<PubAck> {
  const subject = subjects.read(read.cameraId);
  const valid = validate(plateReadSchema, subject, read);
  return publishJs(js, subject, valid, valid.id);
}

export function decodeRead(msg: JsMsg | Msg): PlateRead {
  let value: unknown;
  try {
    value = JSON.parse(dec.decode(msg.data));
  } catch {
    throw new InvalidPayloadError(msg.subject, ['not JSON']);
  }
  // The schema decides (and explains) whatever the fast check does not accept outright.
  return checkReadFast(value) ?? validate(plateReadSchema, msg.subject, value);
}

export async function publishAlert(js: JetStreamClient, alert: Alert): Promise<PubAck> {
  const subject = subjects.alert(alert.read.cameraId);
  const valid = validate(alertSchema, subject, alert);
  return publishJs(js, subject, valid, valid.id);
}

export function decodeAlert(msg: JsMsg | Msg): Alert {
  return decodeJson(alertSchema, msg.subject, msg.data);
}

export function publishCameraState(nc: NatsConnection, state: CameraState): void {
  const subject = subjects.cameraState(state.cameraId);
  nc.publish(subject, enc.encode(JSON.stringify(validate(cameraStateSchema, subject, state))));
}

/** Calls `onState` with each valid camera state; invalid ones go to `onInvalid`. */
export function subscribeCameraStates(
  nc: NatsConnection,
  onState: (s: CameraState) => void,
  onInvalid: (err: InvalidPayloadError) => void = () => {},
): { unsubscribe(): void } {
  const sub = nc.subscribe(subjects.cameraStateAll, {
    callback: (err, msg) => {
      if (err) return;
      try {
        onState(decodeJson(cameraStateSchema, msg.subject, msg.data));
      } catch (e) {
        if (e instanceof InvalidPayloadError) onInvalid(e);
        else throw e;
      }
    },
  });
  return { unsubscribe: () => sub.unsubscribe() };
}

export function publishCameraMetrics(nc: NatsConnection, m: CameraMetrics): void {
  const subject = subjects.cameraMetrics(m.cameraId);
  nc.publish(subject, enc.encode(JSON.stringify(validate(cameraMetricsSchema, subject, m))));
}

/** Calls `onMetrics` with each valid camera metrics message; invalid ones are dropped. */
export function subscribeCameraMetrics(nc: NatsConnection, onMetrics: (m: CameraMetrics) => void): { unsubscribe(): void } {
  const sub = nc.subscribe(subjects.cameraMetricsAll, {
    callback: (err, msg) => {
      if (err) return;
      try {
        onMetrics(decodeJson(cameraMetricsSchema, msg.subject, msg.data));
      } catch (e) {
        if (!(e instanceof InvalidPayloadError)) throw e;
      }
    },
  });
  return { unsubscribe: () => sub.unsubscribe() };
}

export function serveSupervisorHealth(nc: NatsConnection, snapshot: () => SupervisorHealth): { unsubscribe(): void } {
  const sub = nc.subscribe(subjects.supervisorHealth, {
    callback: (err, msg) => {
      if (err) return;
      msg.respond(enc.encode(JSON.stringify(validate(supervisorHealthSchema, subjects.supervisorHealth, snapshot()))));
    },
  });
  return { unsubscribe: () => sub.unsubscribe() };
}

export async function requestSupervisorHealth(nc: NatsConnection, timeoutMs = 1000): Promise<SupervisorHealth> {
  const reply = await nc.request(subjects.supervisorHealth, undefined, { timeout: timeoutMs });
  return decodeJson(supervisorHealthSchema, subjects.supervisorHealth, reply.data);
}

export { jetstream };
export type { NatsConnection, JetStreamClient, JsMsg };
