import { describe, expect, it } from 'vitest';
import {
  busConnectionOptions,
  configSchema,
  inboxPrefixFor,
  natsCaFile,
  natsIdentities,
  subjects,
  validateConfig,
} from '../contracts/index.ts';
import { authorizationConf, leafSitePermissions, natsIdentitiesFor, natsPermissions } from './nats-auth.ts';

/** Whether a NATS subject pattern (`*` one token, `>` the rest) covers a subject. */
function covers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
const may = (list: string[], subject: string) => list.some((p) => covers(p, subject));

describe('NATS permissions of each identity', () => {
  it('lets a camera publish only its own reads, state, metrics and spool check, and hear only its own inbox', () => {
    const p = natsPermissions(natsIdentities.camera('cam-1'));
    expect(p.publish.sort()).toEqual([
      'alpr.cameras.cam-1.metrics',
      'alpr.cameras.cam-1.state',
      'alpr.reads.cam-1',
      'alpr.store.check.cam-1',
    ]);
    expect(p.subscribe).toEqual(['_INBOX.camera-cam-1.>']);
    expect(p.allowResponses).toBe(false);
    for (const denied of [
      subjects.read('cam-2'),
      subjects.alert('cam-1'),
      '$JS.API.STREAM.DELETE.READS',
      '$JS.API.STREAM.PURGE.READS',
      '$JS.API.CONSUMER.CREATE.READS',
      '$JS.API.STREAM.MSG.DELETE.READS',
      '$KV.HOTLIST_ACTIVE.x',
    ]) {
      expect(may(p.publish, denied), denied).toBe(false);
    }
    for (const denied of [
      subjects.readsAll,
      'alpr.reads.cam-1',
      subjects.auditVerify,
      subjects.supervisorHealth,
      subjects.readsStoredCheckFor('cam-1'),
      '_INBOX.x',
      '_INBOX.core.x',
      '_INBOX.camera-cam-2.x',
    ]) {
      expect(may(p.subscribe, denied), denied).toBe(false);
    }
  });

  it('lets only the real service answer each request-reply subject', () => {
    const ids = natsIdentitiesFor(configSchema.parse({ cameras: [] }));
    const answerers = (subject: string) => ids.filter((id) => may(natsPermissions(id).subscribe, subject));
    expect(answerers(subjects.auditVerify)).toEqual(['core']);
    expect(answerers(subjects.readsStoredCheckFor('sim-1'))).toEqual(['core']);
    expect(answerers(subjects.supervisorHealth)).toEqual(['supervisor']);
    expect(answerers(subjects.readsAll)).toEqual([]);
    expect(answerers(subjects.alert('sim-1'))).toEqual([]);
    // Each identity's replies are its own: no one else may subscribe to them.
    for (const id of ids) expect(answerers(`${inboxPrefixFor(id)}.abc`)).toEqual([id]);
  });

  it('keeps stream and consumer management with the core, and the hotlists with the core and matcher', () => {
    const ids = natsIdentitiesFor(configSchema.parse({ cameras: [] }));
    const publishers = (subject: string) => ids.filter((id) => may(natsPermissions(id).publish, subject));
    for (const s of [
      '$JS.API.STREAM.CREATE.X',
      '$JS.API.STREAM.UPDATE.READS',
      '$JS.API.STREAM.DELETE.READS',
      '$JS.API.STREAM.PURGE.READS',
      '$JS.API.STREAM.MSG.DELETE.READS',
      '$JS.API.CONSUMER.DELETE.READS.store-writer',
      '$JS.API.CONSUMER.CREATE.READS.store-writer',
    ]) {
      expect(publishers(s), s).toEqual(['core']);
    }
    // The matcher creates and reads its own consumer only; it reads (never writes) the hotlists.
    expect(publishers('$JS.API.CONSUMER.CREATE.READS.matcher')).toEqual(['core', 'matcher']);
    expect(publishers('$JS.API.CONSUMER.MSG.NEXT.READS.matcher')).toEqual(['core', 'matcher']);
    expect(publishers('$JS.API.DIRECT.GET.KV_HOTLIST_ACTIVE.$KV.HOTLIST_ACTIVE.ncic')).toEqual(['core', 'matcher']);
    expect(publishers('$JS.API.CONSUMER.CREATE.OBJ_HOTLISTS.abc.$O.HOTLISTS.C.xyz')).toEqual(['core', 'matcher']);
    expect(publishers('$KV.HOTLIST_ACTIVE.ncic')).toEqual(['core']);
    expect(publishers('$O.HOTLISTS.C.xyz')).toEqual(['core']);
    expect(publishers(subjects.alert('sim-1'))).toEqual(['core', 'matcher']);
    expect(publishers(subjects.read('sim-1'))).toEqual(['camera-sim-1']);
    expect(publishers(subjects.auditVerify)).toEqual(['cli']);
  });

  it("lets a site's leaf link bring its cameras' messages in and take back only their replies", () => {
    const p = leafSitePermissions();
    for (const ok of [
      subjects.read('site-cam'),
      subjects.cameraState('site-cam'),
      subjects.cameraMetrics('site-cam'),
      subjects.readsStoredCheckFor('site-cam'),
    ])
      expect(may(p.publish, ok), ok).toBe(true);
    for (const denied of [
      subjects.alert('x'),
      subjects.auditVerify,
      subjects.supervisorHealth,
      '$JS.API.STREAM.DELETE.READS',
      '$KV.HOTLIST_ACTIVE.x',
      '$O.HOTLISTS.C.x',
    ])
      expect(may(p.publish, denied), denied).toBe(false);
    const receives = (s: string) => may(p.subscribe, s) && !may(p.subscribeDeny ?? [], s);
    expect(receives(`${inboxPrefixFor('camera-site-cam')}.abc`)).toBe(true);
    for (const denied of [
      subjects.readsAll,
      subjects.read('x'),
      subjects.alert('x'),
      subjects.cameraState('x'),
      ...['core', 'matcher', 'supervisor', 'cli'].map((id) => `${inboxPrefixFor(id)}.abc`),
    ]) {
      expect(receives(denied), denied).toBe(false);
    }
  });

  it('has one identity per service and camera, and knows no other', () => {
    const config = configSchema.parse({
      cameras: [1, 2].map((i) => ({
        id: `cam-${i}`,
        name: `c${i}`,
        url: 'rtsp://10.0.0.1/x',
        deploymentRef: 'D',
        location: { lat: 30, lon: -84, description: 'x' },
      })),
    });
    expect(natsIdentitiesFor(config)).toEqual(['core', 'matcher', 'supervisor', 'cli', 'camera-cam-1', 'camera-cam-2']);
    expect(natsIdentitiesFor(configSchema.parse({}))).toContain('camera-sim-1');
    // A hub runs no camera of its own; a cameras-only site runs no core or matcher, whose seeds
    // would reach the hub's JetStream through the leaf link.
    expect(natsIdentitiesFor(configSchema.parse({ nats: { leafnodes: { listen: { user: 's', password: 'p' } } } }))).toEqual([
      'core',
      'matcher',
      'supervisor',
      'cli',
    ]);
    expect(
      natsIdentitiesFor(configSchema.parse({ ...config, role: 'cameras', nats: { leafnodes: { remotes: ['nats-leaf://hub:7422'] } } })),
    ).toEqual(['supervisor', 'cli', 'camera-cam-1', 'camera-cam-2']);
    expect(() => natsPermissions('admin')).toThrow(/not a NATS identity/);
    expect(() => natsIdentities.camera('a.b')).toThrow(/subject token/);
  });
});

describe('the authorization block of the server configuration', () => {
  const key = (c: string) => 'U' + c.repeat(55);

  it('lists nkey users with their permissions, and no password', () => {
    const conf = authorizationConf([
      { nkey: key('A'), permissions: natsPermissions('cli') },
      { nkey: key('B'), permissions: natsPermissions('supervisor') },
    ]);
    expect(conf).toBe(
      [
        'authorization {',
        '  users: [',
        `    { nkey: "${key('A')}", permissions: { publish: { allow: ["alpr.audit.verify", "alpr.supervisor.health"] }, subscribe: { allow: ["_INBOX.cli.>"] } } }`,
        `    { nkey: "${key('B')}", permissions: { publish: { allow: ["$JS.API.INFO"] }, subscribe: { allow: ["alpr.supervisor.health", "_INBOX.supervisor.>"] }, allow_responses: true } }`,
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it("writes a leaf site's user with its password and the denied inboxes", () => {
    const conf = authorizationConf([{ user: 'sites', password: 'pw"x', permissions: leafSitePermissions() }]);
    expect(conf).toContain(
      '{ user: "sites", password: "pw\\"x", permissions: { publish: { allow: ["alpr.reads.>", "alpr.cameras.*.state", "alpr.cameras.*.metrics", "alpr.store.check.*"] }, subscribe: { allow: ["_INBOX.>"], deny: ["_INBOX.core.>", "_INBOX.matcher.>", "_INBOX.supervisor.>", "_INBOX.cli.>"] } } }',
    );
  });

  it('refuses an empty user list (the server would admit anyone) and anything but a user public key', () => {
    expect(() => authorizationConf([])).toThrow(/admit anyone/);
    expect(() => authorizationConf([{ nkey: 'SU' + 'A'.repeat(56) }])).toThrow(/not an nkey user public key/);
    expect(() => authorizationConf([{ nkey: 'hunter2' }])).toThrow(/not an nkey user public key/);
  });
});

describe('config check of the NATS listener', () => {
  const problems = (input: unknown) => {
    const r = validateConfig(input);
    return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  };

  it('refuses an embedded server off loopback with TLS turned off, with the reason', () => {
    expect(problems({ nats: { host: '0.0.0.0', tls: { enabled: false } } })).toEqual([
      expect.stringMatching(/^nats\.tls\.enabled: the embedded nats-server listens on 0\.0\.0\.0, off loopback, without TLS/),
    ]);
    expect(problems({ nats: { host: '0.0.0.0' } })).toEqual([]); // TLS on by default there
    expect(problems({ nats: { host: '127.0.0.1' } })).toEqual([]);
    expect(problems({ nats: { host: '0.0.0.0', tls: { certFile: '/etc/c.pem' } } })).toEqual([
      expect.stringMatching(/^nats\.tls\.keyFile: certFile and keyFile go together/),
    ]);
  });

  it('refuses shared passwords on the embedded server and an external server off loopback without TLS', () => {
    expect(problems({ nats: { auth: { user: 'alpr', password: 'x' } } })).toEqual([
      expect.stringMatching(/^nats\.auth\.user: the embedded nats-server signs every service in with its own nkey/),
    ]);
    expect(problems({ nats: { embedded: false, urls: ['nats://nats.example:4222'] } })).toEqual([
      expect.stringMatching(/^nats\.urls\.0: nats:\/\/nats\.example:4222 is off loopback: give nats\.tls\.caFile/),
    ]);
    expect(
      problems({ nats: { embedded: false, urls: ['tls://nats.example:4222'], tls: { caFile: '/etc/ca.pem' }, auth: { user: 'alpr' } } }),
    ).toEqual([]);
    expect(problems({ nats: { embedded: false, urls: ['nats://127.0.0.1:4222'] } })).toEqual([]);
  });
});

describe('how a service reaches the bus', () => {
  it('verifies the generated CA, a configured one, or the system CAs for a configured certificate', () => {
    const ca = (nats: unknown) => natsCaFile(configSchema.parse({ dataDir: '/d', nats }));
    expect(ca({})).toBe('/d/nats/tls/ca.pem');
    expect(ca({ tls: { caFile: '/etc/ca.pem' } })).toBe('/etc/ca.pem');
    expect(ca({ tls: { certFile: '/etc/c.pem', keyFile: '/etc/k.pem' } })).toBeUndefined();
    expect(ca({ embedded: false, urls: ['nats://127.0.0.1:4222'] })).toBeUndefined();
  });

  it("signs in with the identity's seed and inbox, over TLS where TLS is on, and says where a missing seed belongs", () => {
    const config = configSchema.parse({ dataDir: '/nonexistent', nats: { host: '0.0.0.0' } });
    expect(() => busConnectionOptions(config, 'core')).toThrow(
      'no NATS credentials for "core" at /nonexistent/nats/credentials/core.nk (ENOENT): the embedded nats-server writes them when it starts',
    );
    const external = configSchema.parse({
      nats: { embedded: false, urls: ['tls://n1:4222'], tls: { caFile: '/etc/ca.pem' }, auth: { user: 'alpr' } },
    });
    expect(() => busConnectionOptions(external, 'core', {})).toThrow(/ALPR_NATS_PASSWORD/);
    expect(busConnectionOptions(external, 'core', { ALPR_NATS_PASSWORD: 'pw' })).toMatchObject({
      servers: ['tls://n1:4222'],
      user: 'alpr',
      pass: 'pw',
      inboxPrefix: '_INBOX.core',
      tls: { caFile: '/etc/ca.pem' },
    });
  });
});
