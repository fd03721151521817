import {
  consumers,
  hotlistBuckets,
  inboxPrefixFor,
  inboxRoot,
  natsIdentities,
  SIM_CAMERA_ID,
  streams,
  subjects,
  type AlprConfig,
} from '../contracts/index.ts';

/**
 * Who may do what on the embedded nats-server: one identity per service, each allowed only the
 * subjects its code uses (derived from contracts/subjects.ts and the stream, consumer and bucket
 * names, never retyped). Anything not listed is refused by the server, so a camera's stolen
 * seed cannot forge another camera's reads, raise an alert, read the hotlists or touch a stream.
 * Pure: the seeds and the configuration file are written by nats-credentials.ts / nats-server.ts.
 */

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** Refused even where `subscribe` allows. */
  subscribeDeny?: string[];
  /** May answer requests it received (request-reply services), to their reply subject only. */
  allowResponses: boolean;
}

/** A user of the server's configuration: a service's nkey public key (or a hub's leaf-site user
 * and password) and its permissions. */
export type NatsUser = ({ nkey: string } | { user: string; password: string }) & {
  /** Without permissions the user may do anything: only a test harness adds such a user. */
  permissions?: NatsPermissions;
};

const api = '$JS.API';
const inbox = (identity: string) => `${inboxPrefixFor(identity)}.>`;

/** Read-only use of a stream through the JetStream API: info, direct and stored gets, and the
 * ordered (ephemeral) consumers that KV keys/watch and object gets create, read and delete. */
function readStream(stream: string): string[] {
  return [
    `${api}.STREAM.INFO.${stream}`,
    `${api}.STREAM.MSG.GET.${stream}`,
    `${api}.DIRECT.GET.${stream}`,
    `${api}.DIRECT.GET.${stream}.>`,
    `${api}.CONSUMER.CREATE.${stream}`,
    `${api}.CONSUMER.CREATE.${stream}.>`,
    `${api}.CONSUMER.INFO.${stream}.*`,
    `${api}.CONSUMER.DELETE.${stream}.*`,
    `${api}.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.FC.${stream}.>`,
    `$JS.ACK.${stream}.>`,
  ];
}

/** One durable consumer of a stream: create it on first start, look it up, pull, acknowledge. */
function ownConsumer(stream: string, name: string): string[] {
  return [
    `${api}.CONSUMER.CREATE.${stream}.${name}`,
    `${api}.CONSUMER.CREATE.${stream}.${name}.>`,
    `${api}.CONSUMER.DURABLE.CREATE.${stream}.${name}`,
    `${api}.CONSUMER.INFO.${stream}.${name}`,
    `${api}.CONSUMER.MSG.NEXT.${stream}.${name}`,
    `$JS.ACK.${stream}.${name}.>`,
  ];
}

/** The streams behind the hotlist buckets (KV and object store naming of nats.js). */
export const hotlistStreams = { active: `KV_${hotlistBuckets.active}`, objects: `OBJ_${hotlistBuckets.objects}` } as const;

/** A camera worker: its own reads, state and metrics, and its own spool check; nothing else. */
function cameraPermissions(identity: string, cameraId: string): NatsPermissions {
  return {
    publish: [
      subjects.read(cameraId),
      subjects.cameraState(cameraId),
      subjects.cameraMetrics(cameraId),
      subjects.readsStoredCheckFor(cameraId),
    ],
    subscribe: [inbox(identity)],
    allowResponses: false,
  };
}

/** The permissions of one identity (natsIdentities); throws for an identity the appliance does not have. */
export function natsPermissions(identity: string): NatsPermissions {
  const camera = /^camera-(.+)$/.exec(identity);
  if (camera) return cameraPermissions(identity, camera[1]!);
  switch (identity) {
    // The core owns JetStream: streams, their consumers (store writer, alert store), the hotlist
    // buckets it imports into; it answers the audit and spool checks and gathers camera state.
    case natsIdentities.core:
      return {
        publish: [
          `${api}.>`,
          '$JS.ACK.>',
          '$JS.FC.>',
          `$KV.${hotlistBuckets.active}.>`,
          `$O.${hotlistBuckets.objects}.>`,
          subjects.alertsAll,
          subjects.supervisorHealth,
        ],
        subscribe: [subjects.cameraStateAll, subjects.cameraMetricsAll, subjects.auditVerify, subjects.readsStoredCheck, inbox(identity)],
        allowResponses: true,
      };
    // The matcher reads every read through its own consumer, reads the hotlists, raises alerts.
    case natsIdentities.matcher:
      return {
        publish: [
          `${api}.INFO`,
          ...ownConsumer(streams.reads, consumers.matcher),
          ...readStream(hotlistStreams.active),
          ...readStream(hotlistStreams.objects),
          subjects.alertsAll,
        ],
        subscribe: [inbox(identity)],
        allowResponses: false,
      };
    // The supervisor probes JetStream and answers health requests.
    case natsIdentities.supervisor:
      return { publish: [`${api}.INFO`], subscribe: [subjects.supervisorHealth, inbox(identity)], allowResponses: true };
    // The command line asks; it answers nothing.
    case natsIdentities.cli:
      return { publish: [subjects.auditVerify, subjects.supervisorHealth], subscribe: [inbox(identity)], allowResponses: false };
    default:
      throw new Error(`"${identity}" is not a NATS identity of the appliance`);
  }
}

/**
 * What a site's leaf link may do on its hub: bring its cameras' reads, state, metrics and spool
 * checks in, and take back only the replies to its cameras (JetStream acknowledgements, spool
 * check answers), never the hub's reads, alerts or its own services' replies. The hub's
 * JetStream API is out of reach through the link anyway (nats-server denies $JS.API.> on a leaf
 * link to a server without JetStream).
 */
export function leafSitePermissions(): NatsPermissions {
  return {
    publish: [subjects.readsAll, subjects.cameraStateAll, subjects.cameraMetricsAll, subjects.readsStoredCheck],
    subscribe: [`${inboxRoot}.>`],
    subscribeDeny: [natsIdentities.core, natsIdentities.matcher, natsIdentities.supervisor, natsIdentities.cli].map(inbox),
    allowResponses: false,
  };
}

/**
 * The identities a configuration's services sign in as: the supervisor's, the CLI's, the core's
 * and matcher's where they run (not at a cameras-only site, whose server is a leaf of the hub:
 * a core seed there would manage the hub's streams through the link), and one per camera (the
 * simulated one when none is configured, except on a hub, whose cameras are at its sites).
 */
export function natsIdentitiesFor(config: Pick<AlprConfig, 'cameras' | 'role' | 'nats'>): string[] {
  const cameraIds = config.cameras.length ? config.cameras.map((c) => c.id) : config.nats.leafnodes.listen ? [] : [SIM_CAMERA_ID];
  const services = config.role === 'full' ? [natsIdentities.core, natsIdentities.matcher] : [];
  return [...services, natsIdentities.supervisor, natsIdentities.cli, ...cameraIds.map((id) => natsIdentities.camera(id))];
}

/** The server configuration's `authorization` block: nkey users only, so anonymous clients are refused. */
export function authorizationConf(users: NatsUser[]): string {
  if (users.length === 0) throw new Error('a nats-server with no users would admit anyone');
  const q = (v: string) => JSON.stringify(v);
  const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;
  const lines = ['authorization {', '  users: ['];
  for (const u of users) {
    if ('nkey' in u && !/^U[A-Z2-7]{55}$/.test(u.nkey)) throw new Error(`"${u.nkey}" is not an nkey user public key`);
    const who = 'nkey' in u ? `nkey: ${q(u.nkey)}` : `user: ${q(u.user)}, password: ${q(u.password)}`;
    const p = u.permissions;
    const deny = p?.subscribeDeny?.length ? `, deny: ${list(p.subscribeDeny)}` : '';
    const perms = p
      ? `, permissions: { publish: { allow: ${list(p.publish)} }, subscribe: { allow: ${list(p.subscribe)}${deny} }${p.allowResponses ? ', allow_responses: true' : ''} }`
      : '';
    lines.push(`    { ${who}${perms} }`);
  }
  lines.push('  ]', '}');
  return lines.join('\n');
}
