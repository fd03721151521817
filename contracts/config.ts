import { z } from 'zod';

/**
 * The appliance's one configuration schema. Every object is strict (unknown keys are
 * rejected: a misspelt key that silently falls back to a default is how a camera ends
 * up unrecorded or a retention period ends up wrong), and every field is described so
 * that `alpr config check` and the README can explain it.
 */

/** The appliance's time zone when none is configured: Florida's peninsula. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

/** An IANA time zone name this runtime knows (Intl refuses the rest). */
export const ianaTimeZone = z
  .string()
  .min(1)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone, e.g. America/New_York');

/** Statutory ceiling (F.S. 316.0778, CJJIS guidelines 6e): no read lives longer than 3 anniversary years. */
export const STATUTORY_MAX_HOLD_YEARS = 3;

const identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'lower-case letters, digits, "-" or "_", starting with a letter or digit (it becomes part of a NATS subject)',
  );

const hostSchema = z.string().min(1).describe('Interface to bind; 127.0.0.1 keeps the service off the network.');

/** Whether a listener bound to this host is reachable only from the box itself (0.0.0.0 and :: are every interface). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** CJIS Security Policy: an account locks after at most this many consecutive failed sign-ins. */
export const CJIS_MAX_LOCKOUT_ATTEMPTS = 5;

export const directionSchema = z
  .enum(['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW', 'unknown'])
  .describe('Direction of travel of the vehicles the camera faces.');

export const locationSchema = z
  .strictObject({
    lat: z.number().min(-90).max(90).describe('Latitude in decimal degrees (WGS84).'),
    lon: z.number().min(-180).max(180).describe('Longitude in decimal degrees (WGS84).'),
    description: z
      .string()
      .min(1)
      .max(200)
      .describe('Where the camera is, in words an investigator understands (road, mile marker, intersection).'),
  })
  .describe('Where the camera stands: every read carries it.');

/**
 * The plate readers the pipeline registers (pipeline/recognition): named here so that the
 * configuration is checked against them before any camera starts (a test keeps the two lists
 * equal). The default is the one the appliance has always used.
 */
export const PLATE_READERS = ['platedet-ppocr-platerec-v1', 'platedet-ppocr-v1', 'ppocr-v4-baseline', 'platerec-v1', 'own-v1'] as const;
export type PlateReaderName = (typeof PLATE_READERS)[number];
export const DEFAULT_PLATE_READER: PlateReaderName = 'platedet-ppocr-platerec-v1';

const readerSchema = z.enum(PLATE_READERS);

const rtspUrl = z.string().regex(/^rtsps?:\/\/[^\s]+$/, 'an rtsp:// or rtsps:// URL');
const rtspTransport = z.enum(['tcp', 'udp']);

/**
 * Where a camera's pictures come from, one branch per kind. A new kind is a branch here and
 * one file in pipeline/capture/ that turns it into a GStreamer chain (docs/pipeline.md).
 */
export const cameraSourceSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('rtsp').describe("A network camera's RTSP stream (H.264 or H.265)."),
      url: rtspUrl.describe('RTSP URL of the stream; credentials in it are kept out of logs and the audit.'),
      transport: rtspTransport.default('tcp').describe('RTSP transport; TCP survives lossy links without smeared frames.'),
    }),
    z.strictObject({
      kind: z
        .literal('file')
        .describe('A local video file played in a loop at its own frame rate: a recorded clip or a test bench in place of a camera.'),
      path: z.string().min(1).describe('Path of the video file (any container and codec the GStreamer plugins installed decode).'),
    }),
  ])
  .describe('Where the pictures come from; instead of url.');

export const cameraSchema = z
  .strictObject({
    id: identifier.describe('Stable camera identifier; used in NATS subjects (alpr.reads.<id>) and stored with every read.'),
    name: z.string().min(1).max(120).describe('Human-readable camera name shown on the dashboard.'),
    url: rtspUrl.optional().describe('RTSP URL of the camera stream (H.264 or H.265): short for source { kind: rtsp, url, transport }.'),
    transport: rtspTransport.default('tcp').describe('RTSP transport of url; TCP survives lossy links without smeared frames.'),
    source: cameraSourceSchema.optional(),
    reader: readerSchema.optional().describe('Plate reader for this camera, instead of recognition.reader.'),
    recognitionFps: z
      .number()
      .min(1)
      .max(30)
      .default(8)
      .describe(
        'Most frames per second that go through recognition (the rest are only decoded). A plate crosses a fixed camera in about a second and a read needs three agreeing frames; every frame more costs CPU that other cameras on the box need.',
      ),
    idleRecognitionFps: z
      .number()
      .min(1)
      .max(30)
      .default(4)
      .describe(
        'Frames per second that go through recognition while every plate in view has been read (or none is in view): enough to notice a plate coming in, which then brings the camera back to recognitionFps. Never above recognitionFps. Half the looks between vehicles are half the CPU they cost.',
      ),
    location: locationSchema,
    direction: directionSchema.default('unknown'),
    deploymentRef: z
      .string()
      .min(1)
      .max(120)
      .describe('Reference of the deployment authorisation (guidelines 2d, 5b, 5e) under which this camera operates.'),
    enabled: z.boolean().default(true).describe('A disabled camera keeps its configuration but is not captured.'),
  })
  .superRefine(
    (cam, ctx) => {
      if (cam.url === undefined && cam.source === undefined)
        ctx.addIssue({ code: 'custom', path: ['url'], message: 'a camera needs url (its RTSP stream) or source' });
      if (cam.url !== undefined && cam.source !== undefined)
        ctx.addIssue({ code: 'custom', path: ['source'], message: 'give url or source, not both' });
      // The camera-level transport belongs to url; a source carries its own.
      if (cam.source !== undefined && cam.transport !== undefined && cam.transport !== 'tcp')
        ctx.addIssue({ code: 'custom', path: ['transport'], message: 'transport goes inside source (kind rtsp)' });
    },
    // Also when other fields of the camera are wrong: every problem is reported at once.
    { when: (p) => typeof p.value === 'object' && p.value !== null },
  )
  .describe('One fixed camera.');

export const storageSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('embedded').describe('ClickHouse in-process through chDB, owned by the core service.'),
      path: z.string().min(1).optional().describe('chDB data directory; defaults to <dataDir>/clickhouse.'),
      pinSearchTablesMiB: z
        .union([z.literal('auto'), z.number().int().min(0)])
        .default('auto')
        .describe(
          "Memory (MiB) in which the search tables' files (plate dictionary, read index by plate, candidate terms, then the reads) are kept locked, so that plate searches never wait on the disk once the page cache has been reclaimed. auto: a quarter of the physical memory; 0: off. Locking needs root (CAP_IPC_LOCK) or a LimitMEMLOCK this large; about 33 bytes a stored read.",
        ),
    }),
    z.strictObject({
      kind: z.literal('remote').describe('A ClickHouse server reached over HTTP(S) with @clickhouse/client.'),
      url: z.url().describe('ClickHouse HTTP(S) endpoint, e.g. https://clickhouse.example:8443.'),
      username: z.string().default('default').describe('ClickHouse user.'),
      password: z.string().default('').describe('ClickHouse password; prefer the ALPR_CLICKHOUSE_PASSWORD environment variable.'),
      database: identifier.default('alpr').describe('Database holding the appliance tables.'),
    }),
  ])
  .describe('Where reads, alerts and audit records are stored.');

/** Bytes the store may keep locked in memory for the searches (storage.pinSearchTablesMiB). */
export function pinBudgetBytes(storage: z.infer<typeof storageSchema>, physicalMemoryBytes: number): number {
  if (storage.kind !== 'embedded') return 0; // a remote server's files are not on this box
  return storage.pinSearchTablesMiB === 'auto' ? Math.floor(physicalMemoryBytes / 4) : storage.pinSearchTablesMiB * 1024 ** 2;
}

export const leafnodesSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: hostSchema.default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).default(7422).describe('Port sites connect to as leaf nodes.'),
        user: z
          .string()
          .min(1)
          .optional()
          .describe(
            'User a site must present (with password); without one any site that reaches the port is let in, so set it whenever the port is off loopback.',
          ),
        password: z.string().min(1).optional().describe('Password of `user`; prefer the ALPR_LEAF_PASSWORD environment variable.'),
      })
      .optional()
      .describe('Central appliance (hub): accept leaf-node connections from sites, whose cameras then publish into this JetStream.'),
    remotes: z
      .array(z.string().regex(/^(nats-leaf|tls):\/\//, 'a leaf remote URL starts nats-leaf:// (or tls://)'))
      .default([])
      .describe(
        'Site: hub URLs this embedded nats-server joins as a leaf node (user:password@ in the URL when the hub asks for them). With role cameras the site runs no JetStream of its own: publishes are acknowledged by the hub, and the camera spool holds reads while the link is down.',
      ),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Site: the CA that signed the hub's leaf-port certificate (the hub's <dataDir>/nats/tls/ca.pem), verified on tls:// remotes.",
      ),
  })
  .describe('Leaf-node links of the embedded nats-server between sites and a central appliance (docs/scale-out.md).');

export const natsAuthSchema = z
  .strictObject({
    credentialsDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Directory of the services' nkey seed files (<identity>.nk: core, matcher, supervisor, cli, camera-<id>), mode 0600. Default <dataDir>/nats/credentials: the embedded server generates missing ones there on first start and lists only their public keys in its configuration. With an external server, put there the seeds its operator issued.",
      ),
    user: z
      .string()
      .min(1)
      .optional()
      .describe(
        'External NATS only: every service signs in with this user and password instead of its own nkey (the password from ALPR_NATS_PASSWORD, or `password`).',
      ),
    password: z.string().min(1).optional().describe('Password of `user`; prefer the ALPR_NATS_PASSWORD environment variable.'),
  })
  .describe(
    'How services authenticate to NATS. The embedded server refuses anonymous clients and gives each service only the subjects it needs (docs/bus-security.md).',
  );

export const natsTlsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        'TLS between the services and NATS. Default: on when the embedded server listens off loopback (refused off there), or for an external server given a CA or tls:// URLs.',
      ),
    certFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Embedded server: its certificate (PEM). Default: generated with openssl under <dataDir>/nats/tls, signed by the appliance's own CA.",
      ),
    keyFile: z.string().min(1).optional().describe('Embedded server: the key of certFile (PEM, mode 0600).'),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe('CA the clients verify the server with (PEM). Default: the generated <dataDir>/nats/tls/ca.pem.'),
    names: z
      .array(z.string().regex(/^[A-Za-z0-9.:-]+$/, 'a host name or IP address'))
      .default([])
      .describe(
        "Extra names (host names or IP addresses) the generated certificate carries, besides localhost, 127.0.0.1, ::1, this host's name and nats.host: the names sites and clients use to reach this server (a hub's public name). A change issues a new certificate from the same CA.",
      ),
  })
  .describe('TLS of the NATS client port (and of a leaf port off loopback).');

export const natsSchema = z
  .strictObject({
    embedded: z
      .boolean()
      .default(true)
      .describe('Start a nats-server with JetStream as a child of the appliance. When false, connect to `urls`.'),
    host: hostSchema.default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(4222).describe('Client port of the embedded nats-server.'),
    urls: z.array(z.string().min(1)).default([]).describe('Servers of an external NATS cluster (used when embedded is false).'),
    binary: z.string().default('nats-server').describe('Path or name of the nats-server executable (Debian package nats-server).'),
    goMaxProcs: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(1)
      .describe(
        'Cores the embedded nats-server may run Go code on at once (GOMAXPROCS). One by default: on the 2-core appliance its idle scheduler threads otherwise spin for work on the core the store needs, ~8 -> ~6.6 µs of its CPU per stored read, and one core delivers far more reads than cameras make (README, store ingest).',
      ),
    readsMaxAgeHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(72)
      .describe('How long reads wait in JetStream when the store cannot take them (the outage the appliance rides out).'),
    readsMaxBytes: z
      .number()
      .int()
      .positive()
      .default(2 * 1024 ** 3)
      .describe('Disk bound of the reads stream; when full, publishers are refused rather than old reads silently dropped.'),
    alertsMaxAgeHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(72)
      .describe('How long alerts stay in their stream for late subscribers.'),
    replicas: z
      .union([z.literal(1), z.literal(3), z.literal(5)])
      .default(1)
      .describe(
        'Copies JetStream keeps of the reads and alerts streams: 1 on one embedded server; 3 (or 5) on an external NATS cluster of at least that many nodes, so that losing one node loses nothing (docs/scale-out.md).',
      ),
    leafnodes: leafnodesSchema.default(leafnodesSchema.parse({})),
    auth: natsAuthSchema.default(natsAuthSchema.parse({})),
    tls: natsTlsSchema.default(natsTlsSchema.parse({})),
  })
  .describe('NATS JetStream messaging between the parts.');

/**
 * CJIS: credentials and reads never cross the network in clear text, and no one reaches the bus
 * anonymously. Loopback stays plain so that a single box (and the tests) need no certificates.
 */
function checkNatsSecurity(nats: z.infer<typeof natsSchema>, issue: (path: (string | number)[], message: string) => void): void {
  const tls = nats.tls;
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) issue(['tls', 'keyFile'], 'certFile and keyFile go together');
  if (nats.embedded) {
    if (!isLoopbackHost(nats.host) && !natsUsesTls(nats)) {
      issue(
        ['tls', 'enabled'],
        `the embedded nats-server listens on ${nats.host}, off loopback, without TLS: reads, alerts and the services' sign-ins would cross the network in clear text; leave nats.tls on (a CA and certificate are generated on first start) or keep nats.host on 127.0.0.1`,
      );
    }
    if (nats.auth.user !== undefined || nats.auth.password !== undefined) {
      issue(
        ['auth', 'user'],
        'the embedded nats-server signs every service in with its own nkey (generated on first start): a shared user and password are for an external server only',
      );
    }
    return;
  }
  if (nats.auth.password !== undefined && nats.auth.user === undefined) issue(['auth', 'user'], 'a password needs its user');
  nats.urls.forEach((url, i) => {
    const host = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url)?.[1];
    if (host && !isLoopbackHost(host) && !natsUsesTls(nats)) {
      issue(
        ['urls', i],
        `${url} is off loopback: give nats.tls.caFile (or tls:// URLs) so that the services verify the server and nothing crosses the network in clear text`,
      );
    }
  });
}

/** Whether clients reach NATS over TLS: the embedded server serves it off loopback (or when asked); an external one when a CA or tls:// URL is given. */
export function natsUsesTls(nats: {
  embedded: boolean;
  host: string;
  urls: string[];
  tls: { enabled?: boolean; caFile?: string };
}): boolean {
  if (nats.tls.enabled !== undefined) return nats.tls.enabled;
  return nats.embedded ? !isLoopbackHost(nats.host) : nats.tls.caFile !== undefined || nats.urls.some((u) => u.startsWith('tls://'));
}

export const retentionSchema = z
  .strictObject({
    tacticalDays: z
      .number()
      .int()
      .min(1)
      .max(365 * STATUTORY_MAX_HOLD_YEARS)
      .default(30)
      .describe('Days a read and its image stay available for tactical use before they are purged (guidelines 6e: 30).'),
    holdMaxYears: z
      .number()
      .int()
      .min(1)
      .max(STATUTORY_MAX_HOLD_YEARS)
      .default(STATUTORY_MAX_HOLD_YEARS)
      .describe('Longest a read tied to an open case may be kept, in anniversary years from capture (statutory maximum 3).'),
  })
  .describe('Retention of stored reads and images.');

export const serverSchema = z
  .strictObject({
    host: hostSchema.default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080).describe('HTTP(S) port of the API and dashboard; 0 picks a free one.'),
    tls: z
      .strictObject({
        certFile: z.string().min(1).describe('PEM certificate chain.'),
        keyFile: z.string().min(1).describe('PEM private key.'),
      })
      .optional()
      .describe('Serve HTTPS with this certificate; required by CJIS when the API leaves the box.'),
    behindTlsProxy: z
      .boolean()
      .default(false)
      .describe(
        'The API is reached only through a reverse proxy that terminates TLS (nginx, a load balancer): lets host leave loopback without server.tls. The proxy must be the only way in (firewall the port) and access.cookieSecure stays true, since browsers reach the API over HTTPS.',
      ),
  })
  .describe('The HTTP API and dashboard.');

/** A tile server's URL template: http(s), with {z}, {x} and {y}, and a host the CSP can name (tileOrigin). */
const tileUrlTemplate = z
  .string()
  .max(500)
  .regex(/^https?:\/\/[^\s"'<>;,]+$/, 'an http(s) URL without spaces, quotes or semicolons')
  .refine((u) => ['{z}', '{x}', '{y}'].every((p) => u.includes(p)), 'a tile URL template with {z}, {x} and {y}')
  .refine((u) => URL.canParse(u.replace(/\{[zxy]\}/g, '0')), 'a valid URL once {z}, {x} and {y} are filled in');

/** The origin a tile URL template fetches from: what the dashboard's CSP must allow in img-src. */
export function tileOrigin(template: string): string {
  return new URL(template.replace(/\{[zxy]\}/g, '0')).origin;
}

export const mapSchema = z
  .strictObject({
    tileUrl: tileUrlTemplate
      .optional()
      .describe(
        "Raster tiles under the cameras, from a tile server the agency runs ({z}/{x}/{y}, Web Mercator, e.g. https://tiles.example.gov/{z}/{x}/{y}.png); the dashboard's content policy then allows that host for images. Left out, the map draws the bundled US state and county boundaries alone: an appliance reaches no public tile server.",
      ),
    tileAttribution: z.string().max(200).default('').describe('Credit line the tile server asks to be shown on the map.'),
    maxZoom: z
      .number()
      .int()
      .min(1)
      .max(22)
      .default(19)
      .describe('Deepest zoom the tile server has tiles for; the map scales those beyond it.'),
  })
  .describe('The dashboard map of cameras, alerts and geographic searches.');

export const dashboardSchema = z
  .strictObject({ map: mapSchema.default(mapSchema.parse({})) })
  .describe('What the dashboard shows beyond the API (the map).');

export const supervisorSchema = z
  .strictObject({
    restartInitialMs: z
      .number()
      .int()
      .min(10)
      .default(500)
      .describe('Delay before the first restart of a crashed service; doubles each time.'),
    restartMaxMs: z.number().int().min(10).default(30_000).describe('Longest delay between restarts.'),
    crashWindowMs: z.number().int().min(1000).default(60_000).describe('Window in which crashes are counted.'),
    maxCrashesInWindow: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('Crashes within the window after which the supervisor stops restarting a service.'),
    stopTimeoutMs: z.number().int().min(100).default(10_000).describe('Time a service gets to stop after SIGTERM before it is killed.'),
    readyTimeoutMs: z.number().int().min(100).default(60_000).describe('Time a service gets to report ready at boot.'),
  })
  .describe('How the supervisor restarts and stops services.');

export const durabilitySchema = z
  .strictObject({
    storeFsync: z
      .boolean()
      .default(true)
      .describe(
        'The store fsyncs every inserted part and its directory before an insert returns (ClickHouse fsync_after_insert, fsync_part_directory on every table), so a read, alert or audit entry the appliance acknowledged survives power loss. Costs insert throughput: see docs/durability.md.',
      ),
    readSpool: z
      .boolean()
      .default(true)
      .describe(
        "Each camera worker writes a read to an fsync'd spool (<dataDir>/spool/<camera>.jsonl) before publishing it and keeps it until the core confirms it stored, publishing it again if JetStream lost it. nats-server 2.9 flushes JetStream to disk only every two minutes: without the spool, reads it acknowledged in that window can be lost to a power failure.",
      ),
    spoolCheckSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(10)
      .describe(
        'How often a camera worker asks the core which of its spooled reads are stored (a read is asked about once it is this old).',
      ),
  })
  .describe('What survives a power failure, and what it costs (docs/durability.md).');

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour clock');

export const DEFAULT_BANNER = [
  'You are accessing a criminal justice information system of a law enforcement agency.',
  'Use is restricted to authorized users for criminal justice purposes only (CJJIS ALPR guidelines 2b; F.S. 316.0777).',
  'All activity, including every search and image view, is logged and audited.',
  'Unauthorized use or disclosure may result in disciplinary action, civil liability and criminal prosecution.',
  'By signing in you consent to this monitoring.',
].join(' ');

export const auditAnchorSchema = z
  .strictObject({
    intervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(5)
      .describe(
        "How often the audit log's head is anchored (when it has moved): a cut of the log's end after an anchor is detected; entries written since the last anchor are covered by the next one.",
      ),
    keyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .default('ALPR_AUDIT_ANCHOR_KEY')
      .describe(
        'Environment variable holding the anchor key (at least 64 hex digits). When it is unset, a key is generated on first start in <dataDir>/keys/audit-anchor.key (mode 0600); either way the key is never in the store.',
      ),
    syslog: z
      .strictObject({
        host: z.string().min(1).describe('Syslog collector (a SIEM) that receives each anchor.'),
        port: z.number().int().min(1).max(65535).default(514).describe('UDP port of the collector.'),
      })
      .optional()
      .describe(
        'Also send each anchor as an RFC 5424 message (facility log audit) over UDP, so that a copy of the head lives off the box.',
      ),
  })
  .describe(
    "Anchors of the audit log's hash chain outside the store: a keyed MAC (HMAC-SHA256) of the head appended to <dataDir>/audit-anchors.jsonl, sent to the alert webhook and syslog when configured; `alpr audit verify` checks them.",
  );

export const throttleSchema = z
  .strictObject({
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15)
      .describe(
        'Sliding window over which the limits below are counted; also the span over which refused anonymous requests from one address are summed into one audit entry.',
      ),
    addressFailures: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe(
        'Failed credential attempts (sign-in, unlock, password change, enrolment, setup) from one client address per window; further attempts are answered 429. Must stay below lockoutAttempts, so that one address cannot lock an account in a burst.',
      ),
    addressAttempts: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(30)
      .describe('Credential attempts of any outcome from one client address per window.'),
    accountAttempts: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe('Credential attempts naming one account per window, from any address; names that do not exist are counted alike.'),
  })
  .describe('Rate limits of the credential routes, answered 429 with Retry-After before any password hash is computed.');

export const accessSchema = z
  .strictObject({
    banner: z
      .string()
      .min(20)
      .max(4000)
      .default(DEFAULT_BANNER)
      .describe('System-use notification shown before sign-in; every user must accept it to sign in.'),
    sessionIdleMinutes: z
      .number()
      .int()
      .min(1)
      .max(30)
      .default(30)
      .describe('Minutes without activity after which a session locks and needs password and code again (CJIS: at most 30).'),
    sessionMaxHours: z
      .number()
      .int()
      .min(1)
      .max(24)
      .default(12)
      .describe('Hours after sign-in at which a session ends whatever its activity.'),
    lockoutAttempts: z
      .number()
      .int()
      .min(1)
      .max(
        CJIS_MAX_LOCKOUT_ATTEMPTS,
        `at most ${CJIS_MAX_LOCKOUT_ATTEMPTS}: the CJIS Security Policy locks an account after no more than ${CJIS_MAX_LOCKOUT_ATTEMPTS} consecutive failed sign-ins`,
      )
      .default(5)
      .describe('Consecutive failed sign-ins after which the account locks (CJIS: at most 5).'),
    lockoutMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(30)
      .describe('How long a lockout lasts; 0 keeps it until an administrator unlocks the account.'),
    passwordMinLength: z.number().int().min(8).max(128).default(12).describe('Shortest password accepted.'),
    scrypt: z
      .strictObject({
        cost: z
          .number()
          .int()
          .min(2)
          .max(2 ** 20)
          .refine((n) => (n & (n - 1)) === 0, 'a power of two')
          .default(2 ** 15)
          .describe('scrypt N (CPU/memory cost, a power of two); 2^15 with r=8 uses 32 MiB per hash.'),
        blockSize: z.number().int().min(1).max(32).default(8).describe('scrypt r.'),
        parallelization: z.number().int().min(1).max(16).default(1).describe('scrypt p.'),
      })
      .default({ cost: 2 ** 15, blockSize: 8, parallelization: 1 })
      .describe('Cost of the memory-hard password hash; stored with each hash, so raising it affects new passwords only.'),
    enrolmentHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 14)
      .default(72)
      .describe('Validity of the one-time enrolment link an administrator issues to a new user (and of the first-start setup link).'),
    requiredCourses: z
      .array(z.string().min(1).max(120))
      .max(20)
      .default([])
      .describe('Courses a user must hold current to reach data; empty: any current training record suffices.'),
    dutyHours: z
      .strictObject({
        start: clockTime.default('07:00').describe('Start of the duty day.'),
        end: clockTime.default('19:00').describe('End of the duty day (may be before start for a night shift).'),
        days: z.array(z.number().int().min(0).max(6)).min(1).default([1, 2, 3, 4, 5]).describe('Duty days, 0 = Sunday.'),
        timeZone: ianaTimeZone
          .optional()
          .describe("IANA time zone of the duty hours; left out, the appliance's own (site.timeZone), the zone the dashboard shows."),
      })
      .default({ start: '07:00', end: '19:00', days: [1, 2, 3, 4, 5] })
      .describe('Duty hours: searches outside them are reported as anomalies by the audit report.'),
    searchesPerDayAlert: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('Searches by one user in one day above which the audit report flags unusual volume.'),
    enforceDeployments: z
      .boolean()
      .default(true)
      .describe('Refuse reads from cameras without an active deployment authorisation (guidelines 2d, 5b). Turn off only on a test bench.'),
    cookieSecure: z
      .boolean()
      .default(true)
      .describe(
        'Mark the session cookie Secure (sent over HTTPS, and by browsers to localhost). Leave on: off is refused unless the API stays on loopback and no TLS proxy fronts it.',
      ),
    auditAnchor: auditAnchorSchema.default(auditAnchorSchema.parse({})),
    throttle: throttleSchema.default(throttleSchema.parse({})),
  })
  .superRefine((a, ctx) => {
    if (a.lockoutAttempts > 1 && a.throttle.addressFailures >= a.lockoutAttempts) {
      ctx.addIssue({
        code: 'custom',
        path: ['throttle', 'addressFailures'],
        message: `must be below lockoutAttempts (${a.lockoutAttempts}): one address could otherwise lock any account by guessing`,
      });
    }
  })
  .describe('Users, sign-in, sessions and the compliance rules the appliance enforces.');

const hotlistSourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, "-" or "_" (it names a stored object and a NATS key)');

export const hotlistSourceSchema = z
  .strictObject({
    name: hotlistSourceName.describe('Source name: ncic, fcic, dhsmv, or an agency list. Names the hotlist in alerts and the API.'),
    kind: z
      .enum(['extract', 'agency'])
      .default('extract')
      .describe('extract: files from FCIC/NCIC/DHSMV (CJI); agency: a list the agency keeps by hand in the API.'),
    format: z.enum(['csv', 'jsonl']).default('csv').describe('File format of imports for this source (see hotlist/README.md).'),
    mapping: z
      .union([z.enum(['standard', 'ncic', 'fcic', 'dhsmv']), z.record(z.string(), z.string().min(1).max(64))])
      .default('standard')
      .describe(
        'Field mapping: a built-in one, or { field: "column header" } for plate, state, plateType, recordId, category, ori, enteredAt, expiresAt, priority, notes.',
      ),
    maxEdits: z
      .union([z.literal(0), z.literal(1)])
      .default(1)
      .describe('Edit distance allowed on top of the OCR confusion classes (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G).'),
    confusion: z.boolean().default(true).describe('Match across OCR confusion classes.'),
    candidates: z
      .boolean()
      .default(true)
      .describe("Also match the read's runner-up candidate texts (exactly or through the confusion classes; never with an edit on top)."),
    wildcards: z.boolean().default(true).describe('Honour wildcard entries (partial plates such as ABC* or A?C123).'),
    minScore: z.number().min(0).max(1).default(0.5).describe('Hits scoring below this raise no alert.'),
    staleAfterHours: z
      .number()
      .positive()
      .max(24 * 365)
      .default(48)
      .describe('An extract older than this (from its extract date) is stale (guidelines 5d: the record must still be active).'),
    staleAction: z
      .enum(['mark', 'suppress'])
      .default('mark')
      .describe('What a hit from a stale extract does: raise an alert marked stale, or raise none.'),
    watch: z.boolean().default(true).describe('Import files for this source dropped into the watched folder (<watchDir>/<name>/).'),
  })
  .describe('One hotlist source and its match policy.');

export const DEFAULT_HOTLIST_SOURCES = [
  { name: 'ncic', mapping: 'ncic', staleAfterHours: 24 },
  { name: 'fcic', mapping: 'fcic', staleAfterHours: 24 },
  { name: 'dhsmv', mapping: 'dhsmv', staleAfterHours: 168 },
  { name: 'agency', kind: 'agency', maxEdits: 1, staleAfterHours: 24 * 365 },
] as const;

export const hotlistsSchema = z
  .strictObject({
    sources: z
      .array(hotlistSourceSchema)
      .min(1)
      .default(() => DEFAULT_HOTLIST_SOURCES.map((s) => hotlistSourceSchema.parse(s)))
      .describe('Hotlist sources; by default ncic, fcic, dhsmv and one agency list.'),
    watchDir: z
      .string()
      .min(1)
      .optional()
      .describe('Folder watched for extract files (one subfolder per source); defaults to <dataDir>/hotlists/incoming.'),
    watchIntervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(86_400)
      .default(60)
      .describe('How often the watched folder is scanned for new files.'),
    maxBadLineFraction: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.05)
      .describe('A file with a larger share of malformed lines is refused whole.'),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 ** 3)
      .describe('Largest hotlist file accepted.'),
    historicalMaxPlates: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(1000)
      .describe('Most newly listed plates searched in stored reads of the tactical window after an import (historical hits).'),
    escalationMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(5)
      .describe('An alert not acknowledged within this many minutes is escalated.'),
    suppressionMinutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .default(20)
      .describe(
        'Repeated hits of the same plate and list record within this many minutes of the last one update that one alert (hit count, last camera, sighting trail) instead of raising another; 0 raises one alert per hit.',
      ),
    suppressionByCategory: z
      .record(
        z.string().min(1),
        z
          .number()
          .min(0)
          .max(24 * 60),
      )
      .default({ amber: 10, missing_person: 10, endangered_person: 10, silver_alert: 10, expired_tag: 30, expired_license: 30 })
      .describe('Suppression window in minutes by record category (stolen_vehicle, amber …), overriding suppressionMinutes.'),
    liveMaxAgeMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(5)
      .describe(
        'A hit on a read captured longer ago than this when it is raised (a list addition, an import, a late delivery) is historical: listed for investigators and supervisors, never in the live queue.',
      ),
    webhook: z
      .strictObject({
        url: z.url().describe('Endpoint that receives alert events as JSON (POST).'),
        secretEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .default('ALPR_WEBHOOK_SECRET')
          .describe('Environment variable holding the HMAC-SHA256 signing secret.'),
        maxAttempts: z.number().int().min(1).max(20).default(8).describe('Deliveries tried per event before it is dropped (and logged).'),
        timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('Timeout of one delivery.'),
      })
      .optional()
      .describe('Optional signed webhook for alert events (x-alpr-signature: t=<unix>,v1=<hex HMAC of "t.body">).'),
  })
  .describe('Hotlists (the extract), matching policy and alert notifications.');

const recognitionSchema = z
  .strictObject({
    slots: z
      .number()
      .int()
      .min(0)
      .max(256)
      .default(0)
      .describe(
        "Frame reads that run at once across all the cameras of the box, most urgent first: a frame that may complete a vehicle's read goes before one that only watches the road. Run all at once, reads share the cores evenly and each comes out late. 0: one less than the cores (at least 1), leaving a core to decode the streams.",
      ),
    reader: readerSchema
      .default(DEFAULT_PLATE_READER)
      .describe(
        `Plate reader the cameras use (a camera's own reader goes first): ${PLATE_READERS.join(', ')}. The default finds plates with the project's detector, reads them with PP-OCRv4 and checks each with the project's recogniser (docs/models.md).`,
      ),
    vehicleImage: z
      .boolean()
      .default(false)
      .describe(
        "Store a vehicle image with each read: the frame's region around the plate's vehicle (about 6 plate widths across and 4.5 up and down, at most 480 px wide, a grey JPEG of a few kB to a few tens of kB), kept as long as the read and shown with alerts and search results. Off by default: CJJIS guidelines 6a allow storing beyond the plate image, its text, time and place only what the agency's ALPR policy defines, and a wider picture can show people (drivers, passengers, passers-by), which is personal information. Turn it on only where the policy says so.",
      ),
  })
  .describe('How the camera workers share the CPU for plate recognition, and what they keep of a read beyond its plate.');

/** The reader a camera runs: its own, else the appliance's recognition.reader. */
export function cameraReader(cfg: { recognition: { reader: PlateReaderName } }, cam: { reader?: PlateReaderName }): PlateReaderName {
  return cam.reader ?? cfg.recognition.reader;
}

/** A camera's source: `source`, or the RTSP stream `url` names (the shorter form, still valid). */
export function cameraSource(cam: { url?: string; transport: 'tcp' | 'udp'; source?: CameraSourceConfig }): CameraSourceConfig {
  if (cam.source) return cam.source;
  if (cam.url === undefined) throw new Error('a camera needs url or source');
  return { kind: 'rtsp', url: cam.url, transport: cam.transport };
}

/** Reads that may run at once: the configured slots, or one less than the cores (at least 1). */
export function recognitionSlots(cfg: { recognition: { slots: number } }, cores: number): number {
  return cfg.recognition.slots > 0 ? cfg.recognition.slots : Math.max(1, cores - 1);
}

export const configSchema = z
  .strictObject({
    site: z
      .strictObject({
        id: identifier.default('site-1').describe('Identifier of this appliance (site); stored with every read.'),
        agency: z.string().min(1).default('Unnamed agency').describe('Agency that owns the appliance and its data (guidelines 4c).'),
        timeZone: ianaTimeZone
          .default(DEFAULT_TIME_ZONE)
          .describe(
            'IANA time zone of the appliance: every date the dashboard shows, the audit reports and the duty hours (unless access.dutyHours.timeZone says otherwise) are in it.',
          ),
      })
      .default({ id: 'site-1', agency: 'Unnamed agency', timeZone: DEFAULT_TIME_ZONE })
      .describe('The appliance and its owning agency.'),
    role: z
      .enum(['full', 'cameras'])
      .default('full')
      .describe(
        'full: the whole appliance. cameras: only the camera workers, for a site whose NATS server is a leaf node of a central appliance that stores and matches its reads (docs/scale-out.md); needs nats.leafnodes.remotes (or an external nats.urls).',
      ),
    dataDir: z.string().min(1).default('./data').describe('Directory for the JetStream store, the embedded ClickHouse and logs.'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Least severe log level written.'),
    cameras: z
      .array(cameraSchema)
      .default([])
      .describe(
        'Fixed cameras; with none configured the appliance runs a simulated camera (not on a hub that accepts leaf-node sites, nats.leafnodes.listen).',
      ),
    storage: storageSchema.default(() => storageSchema.parse({ kind: 'embedded' })),
    nats: natsSchema.default(natsSchema.parse({})),
    retention: retentionSchema.default(retentionSchema.parse({})),
    server: serverSchema.default(serverSchema.parse({})),
    supervisor: supervisorSchema.default(supervisorSchema.parse({})),
    access: accessSchema.default(accessSchema.parse({})),
    hotlists: hotlistsSchema.default(hotlistsSchema.parse({})),
    durability: durabilitySchema.default(durabilitySchema.parse({})),
    recognition: recognitionSchema.default(recognitionSchema.parse({})),
    dashboard: dashboardSchema.default(dashboardSchema.parse({})),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.cameras.forEach((cam, i) => {
      if (seen.has(cam.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `duplicate camera id "${cam.id}"` });
      seen.add(cam.id);
    });
    if (cfg.role === 'cameras' && cfg.nats.embedded && cfg.nats.leafnodes.remotes.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['role'],
        message:
          'a cameras-only site publishes through a leaf NATS server: set nats.leafnodes.remotes to the hub, or nats.embedded false and nats.urls to that server',
      });
    }
    if (cfg.role === 'full' && cfg.nats.leafnodes.remotes.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'leafnodes', 'remotes'],
        message: 'only a cameras-only site joins a hub as a leaf node: a full appliance would run a second JetStream with the same streams',
      });
    }
    if (!cfg.nats.embedded && (cfg.nats.leafnodes.listen || cfg.nats.leafnodes.remotes.length > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'leafnodes'],
        message: 'leaf nodes are set on the embedded nats-server; an external one is configured in its own file',
      });
    }
    const listen = cfg.nats.leafnodes.listen;
    if (listen && (listen.user === undefined) !== (listen.password === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['nats', 'leafnodes', 'listen', 'password'], message: 'user and password go together' });
    }
    // An open leaf port would let any server that reaches it publish reads into the central store.
    if (listen && listen.user === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'leafnodes', 'listen', 'user'],
        message: `sites joining on ${listen.host}:${listen.port} must authenticate: set a user and password (ALPR_LEAF_PASSWORD) they present`,
      });
    }
    if (listen && !isLoopbackHost(listen.host) && cfg.nats.tls.enabled === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'tls', 'enabled'],
        message: `the leaf-node port listens on ${listen.host}, off loopback: the leaf password and every read would cross the network in clear text; leave nats.tls on`,
      });
    }
    checkNatsSecurity(cfg.nats, (path, message) => ctx.addIssue({ code: 'custom', path: ['nats', ...path], message }));
    if (cfg.nats.embedded && cfg.nats.replicas > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['nats', 'replicas'],
        message: 'an embedded nats-server is one node: replicas above 1 need an external cluster (embedded: false)',
      });
    }
    if (!cfg.nats.embedded && cfg.nats.urls.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['nats', 'urls'], message: 'external NATS (embedded: false) needs at least one URL' });
    }
    const sourceNames = new Set<string>();
    cfg.hotlists.sources.forEach((src, i) => {
      if (sourceNames.has(src.name))
        ctx.addIssue({ code: 'custom', path: ['hotlists', 'sources', i, 'name'], message: `duplicate hotlist source "${src.name}"` });
      sourceNames.add(src.name);
    });
    // CJIS: credentials and session cookies never cross the network in clear text.
    if (!isLoopbackHost(cfg.server.host) && !cfg.server.tls && !cfg.server.behindTlsProxy) {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'tls'],
        message: `the API listens on ${cfg.server.host}, off loopback, without TLS: set server.tls (certFile, keyFile), or server.behindTlsProxy: true when a TLS-terminating proxy is the only way in`,
      });
    }
    if (!cfg.access.cookieSecure && (cfg.server.behindTlsProxy || !isLoopbackHost(cfg.server.host))) {
      ctx.addIssue({
        code: 'custom',
        path: ['access', 'cookieSecure'],
        message: `must stay true when the API is reached over the network (${cfg.server.behindTlsProxy ? 'behind a TLS proxy' : `server.host ${cfg.server.host}`}): without Secure, a browser would send the session cookie over plain HTTP`,
      });
    }
    if (cfg.supervisor.restartMaxMs < cfg.supervisor.restartInitialMs) {
      ctx.addIssue({ code: 'custom', path: ['supervisor', 'restartMaxMs'], message: 'must be at least restartInitialMs' });
    }
  })
  .describe('ALPR appliance configuration.');

export type AlprConfig = z.infer<typeof configSchema>;
export type AlprConfigInput = z.input<typeof configSchema>;
export type CameraConfig = z.infer<typeof cameraSchema>;
export type CameraSourceConfig = z.infer<typeof cameraSourceSchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type MapConfig = z.infer<typeof mapSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;
export type ThrottleConfig = z.infer<typeof throttleSchema>;
export type HotlistsConfig = z.infer<typeof hotlistsSchema>;
export type HotlistSourceConfig = z.infer<typeof hotlistSourceSchema>;

/** One problem found in a configuration, with the dotted path of the offending key. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: AlprConfig } | { ok: false; problems: ConfigProblem[] };

/** Validates a parsed document and returns every problem at once, never only the first. */
export function validateConfig(doc: unknown): ConfigResult {
  const result = configSchema.safeParse(doc ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
      message: issue.code === 'unrecognized_keys' ? `unknown key(s): ${issue.keys.join(', ')}` : issue.message,
    })),
  };
}
