import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, nkeyAuthenticator, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  busConnectionOptions,
  configSchema,
  ensureStreams,
  jetstream as js,
  natsIdentities,
  publishRead,
  requestSupervisorHealth,
  serveAuditVerify,
  serveSupervisorHealth,
  bindHotlistBuckets,
  openHotlistBuckets,
  streams,
  subjects,
} from '../../contracts/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startNats, type TestNats } from '../helpers/nats.ts';

/**
 * The bus as an attacker with a camera's seed (or none) finds it: a real nats-server configured
 * with the appliance's users and permissions (appliance/nats-auth.ts).
 */
const natsConfig = configSchema.parse({}).nats;
let nats: TestNats;
let admin: NatsConnection;
let adminJsm: JetStreamManager;
let core: NatsConnection;
let camA: NatsConnection;
const opened: NatsConnection[] = [];
const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const as = async (identity: string) => {
  const nc = await nats.connectAs(identity, { reconnect: false });
  opened.push(nc);
  return nc;
};
const readCount = async () => (await adminJsm.streams.info(streams.reads)).state.messages;
const alertCount = async () => (await adminJsm.streams.info(streams.alerts)).state.messages;

/** What a subscription of `nc` to `subject` receives while the harness publishes there. */
async function received(nc: NatsConnection, subject: string, publishOn: string): Promise<number> {
  let n = 0;
  nc.subscribe(subject, { callback: (err) => void (err ? null : n++) });
  await nc.flush().catch(() => {});
  admin.publish(publishOn, enc.encode('{}'));
  await admin.flush();
  await sleep(300);
  return n;
}

beforeAll(async () => {
  nats = await startNats({ cameras: ['cam-a', 'cam-b'] });
  admin = await nats.connect('harness');
  adminJsm = await jetstreamManager(admin);
  core = await as(natsIdentities.core);
  await ensureStreams(core, natsConfig);
  camA = await as(natsIdentities.camera('cam-a'));
});
afterAll(async () => {
  for (const nc of opened) await nc.close().catch(() => {});
  await admin?.close();
  await nats?.stop();
});

describe('who may connect', () => {
  it('refuses an anonymous client', async () => {
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 2000 })).rejects.toThrow(/authorization/i);
  });

  it('refuses an nkey the server does not list', async () => {
    const stranger = nkeys.createUser().getSeed();
    await expect(
      connect({ servers: nats.url, reconnect: false, timeout: 2000, authenticator: nkeyAuthenticator(stranger) }),
    ).rejects.toThrow(/authorization/i);
  });

  it('refuses a listed identity that uses another inbox than its own', async () => {
    const opts = {
      ...busConnectionOptions({ dataDir: nats.dir, nats: configSchema.parse({ nats: nats.natsConfig }).nats }, natsIdentities.cli),
    };
    const nc = await connect({ ...opts, inboxPrefix: '_INBOX', reconnect: false, timeout: 2000 });
    opened.push(nc);
    // Its requests go out, but the replies would come to an inbox it may not subscribe to.
    await expect(nc.request(subjects.supervisorHealth, undefined, { timeout: 1000 })).rejects.toThrow();
  });
});

describe('a camera worker', () => {
  it('publishes its own reads, state and metrics', async () => {
    const before = await readCount();
    const ack = await publishRead(jetstream(camA), makeRead({ cameraId: 'cam-a', plate: 'OWN1' }));
    expect(ack.stream).toBe(streams.reads);
    expect(await readCount()).toBe(before + 1);
    expect(await received(admin, subjects.cameraState('cam-a'), subjects.cameraState('cam-a'))).toBe(1);
  });

  it("cannot publish another camera's reads, an alert, or a read with core NATS on another subject", async () => {
    const reads = await readCount();
    const alerts = await alertCount();
    await expect(publishRead(jetstream(camA), makeRead({ cameraId: 'cam-b', plate: 'FORGED1' }))).rejects.toThrow();
    await expect(jetstream(camA).publish(subjects.alert('cam-a'), enc.encode('{}'), { timeout: 1500 })).rejects.toThrow();
    camA.publish(subjects.read('cam-b'), enc.encode('{}'));
    camA.publish(subjects.alert('cam-a'), enc.encode('{}'));
    camA.publish(subjects.cameraState('cam-b'), enc.encode('{}'));
    await camA.flush().catch(() => {});
    await sleep(200);
    expect(await readCount()).toBe(reads);
    expect(await alertCount()).toBe(alerts);
  });

  it('cannot create, change, purge or delete a stream or consumer, or delete a message', async () => {
    const cam = await as(natsIdentities.camera('cam-a'));
    // The API check ($JS.API.INFO) is refused too; skip it to try each operation.
    const jsm = await jetstreamManager(cam, { checkAPI: false, timeout: 1500 });
    const seq = (await adminJsm.streams.info(streams.reads)).state.last_seq;
    await expect(jsm.streams.add({ name: 'EVIL', subjects: ['evil.>'] })).rejects.toThrow();
    await expect(jsm.streams.update(streams.reads, { max_age: 1e9 })).rejects.toThrow();
    await expect(jsm.streams.purge(streams.reads)).rejects.toThrow();
    await expect(jsm.streams.deleteMessage(streams.reads, seq)).rejects.toThrow();
    await expect(jsm.streams.delete(streams.alerts)).rejects.toThrow();
    await expect(jsm.consumers.add(streams.reads, { durable_name: 'evil' })).rejects.toThrow();
    await expect(jsm.streams.getMessage(streams.reads, { seq })).rejects.toThrow();
    const info = await adminJsm.streams.info(streams.reads);
    expect(info.state.last_seq).toBe(seq);
    expect(info.config.max_age).toBe(natsConfig.readsMaxAgeHours * 3600 * 1e9);
    expect((await adminJsm.streams.list().next()).map((s) => s.config.name)).not.toContain('EVIL');
    await expect(adminJsm.consumers.info(streams.reads, 'evil')).rejects.toThrow(/not found/);
  });

  it('cannot read other reads, the hotlists, or anyone else’s replies', async () => {
    const cam = await as(natsIdentities.camera('cam-a'));
    expect(await received(cam, subjects.readsAll, subjects.read('cam-b'))).toBe(0);
    expect(await received(cam, subjects.alertsAll, subjects.alert('cam-b'))).toBe(0);
    expect(await received(cam, '_INBOX.core.>', '_INBOX.core.x')).toBe(0);
    expect(await received(cam, '_INBOX.>', '_INBOX.camera-cam-b.x')).toBe(0);
    expect(await received(cam, '>', 'anything.at.all')).toBe(0);
    const coreBuckets = await openHotlistBuckets(core);
    await coreBuckets.kv.put('ncic', '{"secret":true}');
    await coreBuckets.os.putBlob({ name: 'ncic/v1' }, enc.encode('PLATE,FL'));
    await expect(bindHotlistBuckets(await as(natsIdentities.camera('cam-a')))).rejects.toThrow(/permissions violation/i);
    // Straight at the API, past the client's checks: the stored message, directly or not, and the chunks as they are written.
    const thief = await as(natsIdentities.camera('cam-a'));
    await expect(
      thief.request(`$JS.API.DIRECT.GET.KV_HOTLIST_ACTIVE.$KV.HOTLIST_ACTIVE.ncic`, undefined, { timeout: 1000 }),
    ).rejects.toThrow(/permissions violation/i);
    await expect(thief.request('$JS.API.STREAM.MSG.GET.OBJ_HOTLISTS', enc.encode('{"seq":1}'), { timeout: 1000 })).rejects.toThrow(
      /permissions violation/i,
    );
    expect(await received(thief, '$O.HOTLISTS.>', '$O.HOTLISTS.C.x')).toBe(0);
  });

  it('cannot answer the audit check, the health request or the spool check in the real service’s place', async () => {
    const cam = await as(natsIdentities.camera('cam-a'));
    for (const subject of [subjects.auditVerify, subjects.supervisorHealth, subjects.readsStoredCheckFor('cam-a')]) {
      cam.subscribe(subject, { callback: (err, m) => void (err ? null : m.respond(enc.encode('{"ok":true}'))) });
    }
    await cam.flush().catch(() => {});
    const cli = await as(natsIdentities.cli);
    // Nobody allowed is listening: no answer at all, rather than the camera's.
    await expect(cli.request(subjects.auditVerify, undefined, { timeout: 800 })).rejects.toThrow(/no responders|timeout/i);
    await expect(cli.request(subjects.supervisorHealth, undefined, { timeout: 800 })).rejects.toThrow(/no responders|timeout/i);
    await expect(camA.request(subjects.readsStoredCheckFor('cam-a'), enc.encode('{}'), { timeout: 800 })).rejects.toThrow(
      /no responders|timeout/i,
    );
  });
});

describe('the services that answer', () => {
  it('the core answers the audit check and the supervisor the health request, which the CLI may only ask', async () => {
    const sub = serveAuditVerify(core, async () => ({ ok: true, entries: 3, head: null, firstBreak: null }));
    const supervisor = await as(natsIdentities.supervisor);
    const health = serveSupervisorHealth(supervisor, () => ({ startedAt: new Date().toISOString(), services: [] }));
    await supervisor.flush();
    await core.flush();
    const cli = await as(natsIdentities.cli);
    const reply = await cli.request(subjects.auditVerify, undefined, { timeout: 2000 });
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({ ok: true, entries: 3 });
    expect((await requestSupervisorHealth(cli, 2000)).services).toEqual([]);
    // The CLI cannot take the core's place either.
    expect(await received(cli, subjects.auditVerify, subjects.auditVerify)).toBe(0);
    sub.unsubscribe();
    health.unsubscribe();
  });

  it('the matcher reads the hotlists and its own consumer and raises alerts, and touches nothing else', async () => {
    const matcher = await as(natsIdentities.matcher);
    const buckets = await bindHotlistBuckets(matcher);
    expect(JSON.parse((await buckets.kv.get('ncic'))!.string())).toEqual({ secret: true });
    expect(new TextDecoder().decode((await buckets.os.getBlob('ncic/v1'))!)).toBe('PLATE,FL');
    const jsm = await jetstreamManager(matcher);
    await jsm.consumers.add(streams.reads, { durable_name: 'matcher', ack_policy: 'explicit' as never });
    const msgs = await (await js(matcher).consumers.get(streams.reads, 'matcher')).fetch({ max_messages: 1, expires: 1000 });
    for await (const m of msgs) m.ack();
    const alerts = await alertCount();
    expect((await js(matcher).publish(subjects.alert('cam-a'), enc.encode('{}'))).stream).toBe(streams.alerts);
    expect(await alertCount()).toBe(alerts + 1);
    await expect(jsm.consumers.add(streams.reads, { durable_name: 'other' })).rejects.toThrow();
    await expect(jsm.streams.purge(streams.reads)).rejects.toThrow();
    await expect(buckets.kv.put('ncic', '{}')).rejects.toThrow();
    await expect(publishRead(js(matcher), makeRead({ cameraId: 'cam-a', plate: 'NOTMINE' }))).rejects.toThrow();
  });
});
