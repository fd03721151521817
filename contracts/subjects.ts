/**
 * Every NATS subject the appliance uses, in one place. Nothing publishes or subscribes
 * to a literal subject elsewhere: the typed helpers in bus.ts take these definitions.
 */

/** A wildcard-free subject token: camera ids and site ids become tokens. */
export function subjectToken(value: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw new Error(`"${value}" cannot be a NATS subject token`);
  return value;
}

export const subjects = {
  /** One read per vehicle pass, published by the camera's pipeline worker (JetStream READS). */
  read: (cameraId: string) => `alpr.reads.${subjectToken(cameraId)}`,
  readsAll: 'alpr.reads.>',
  /** Hotlist hits raised by the matcher (JetStream ALERTS). */
  alert: (cameraId: string) => `alpr.alerts.${subjectToken(cameraId)}`,
  alertsAll: 'alpr.alerts.>',
  /** Camera state changes (connecting / live / failed), core NATS, latest wins. */
  cameraState: (cameraId: string) => `alpr.cameras.${subjectToken(cameraId)}.state`,
  cameraStateAll: 'alpr.cameras.*.state',
  /** Pipeline metrics of one camera (fps, inference time, read rate, maintenance flag), core NATS. */
  cameraMetrics: (cameraId: string) => `alpr.cameras.${subjectToken(cameraId)}.metrics`,
  cameraMetricsAll: 'alpr.cameras.*.metrics',
  /** Request-reply: the supervisor answers with the state of every service it runs. */
  supervisorHealth: 'alpr.supervisor.health',
  /** Request-reply: a camera worker asks the core which of its spooled reads the store holds
   * (durability.readSpool). Outside alpr.reads.> on purpose: the READS stream would capture it. */
  readsStoredCheckFor: (cameraId: string) => `alpr.store.check.${subjectToken(cameraId)}`,
  readsStoredCheck: 'alpr.store.check.*',
  /** Request-reply: the core verifies the audit chain and answers with the first break, if any (no entry content). */
  auditVerify: 'alpr.audit.verify',
} as const;

/** JetStream stream names. */
export const streams = {
  reads: 'READS',
  alerts: 'ALERTS',
} as const;

/** Durable consumer names, one per consuming service. */
export const consumers = {
  storeWriter: 'store-writer',
  matcher: 'matcher',
} as const;

/**
 * Who connects to NATS. Each service signs in as its own identity with only the subjects it
 * needs (appliance/nats-auth.ts); each identity's replies come to its own inbox prefix, so
 * that no one can subscribe to another's replies (JetStream answers, hotlist chunks).
 */
export const natsIdentities = {
  core: 'core',
  matcher: 'matcher',
  supervisor: 'supervisor',
  /** `alpr audit verify` and other command-line requests: may only ask. */
  cli: 'cli',
  camera: (cameraId: string) => `camera-${subjectToken(cameraId)}`,
} as const;

/** The first token of every reply subject. */
export const inboxRoot = '_INBOX';

/** The reply-subject prefix of an identity: `_INBOX.<identity>`, never the bare shared `_INBOX`.
 * The identity is a token of its own, so that a hub can let sites' leaf links carry the replies
 * to their cameras (`_INBOX.>`) while refusing its own services' (`_INBOX.core.>`, ...). */
export function inboxPrefixFor(identity: string): string {
  return `${inboxRoot}.${subjectToken(identity)}`;
}

/** Id of the camera the appliance simulates when none is configured (its NATS identity is granted like a camera's). */
export const SIM_CAMERA_ID = 'sim-1';
