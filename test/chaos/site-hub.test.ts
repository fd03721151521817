import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { alertStoreConsumer } from '../../contracts/index.ts';
import { configSchema, consumers, natsIdentities, streams, subjects } from '../../contracts/index.ts';
import { natsPermissions } from '../../appliance/nats-auth.ts';
import { ensureNkeySeeds } from '../../appliance/nats-credentials.ts';
import { natsServerConf } from '../../appliance/nats-server.ts';
import { defaultClipCache, startSimulator, type Simulator } from '../../pipeline/simulator/index.ts';
import { createClickHouseClient } from '../../store/index.ts';
import { bootstrapAccess, setupTokenFromEntries } from '../helpers/access.ts';
import { spawnApplianceProcess, stopApplianceProcess, type ApplianceProcess } from '../helpers/appliance-process.ts';
import { connectToAppliance, freePort, tempDir } from '../helpers/nats.ts';
import { CHAOS_SCENE } from './harness.ts';

/**
 * A site and its hub as two `alpr appliance` processes (docs/scale-out.md): the site runs only
 * its camera worker on an embedded nats-server without JetStream, joined as a leaf node (with a
 * password) to the hub's embedded server, which stores and matches. Mid-run the hub's
 * nats-server is frozen for a while: the link is gone, the site keeps reading into its spool
 * and publishing again. A server that offers the wrong leaf password is turned away. At the end every read the site had acknowledged is in the hub's store,
 * once, under the site's id, and every read of a listed plate raised its alert at the hub.
 */
const dir = tempDir('site-hub');
const hubData = path.join(dir, 'hub');
const siteData = path.join(dir, 'site');
const camera = 'site-b-cam1';
let sim: Simulator | null = null;
let hub: ApplianceProcess | null = null;
let site: ApplianceProcess | null = null;
let nc: NatsConnection | null = null;
let stopping = false;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    const dead = [hub, site].find((a) => a && a.proc.exitCode !== null && !stopping);
    if (Date.now() > end || dead)
      throw new Error(
        `${Date.now() > end ? 'timed out' : 'an appliance exited'} waiting for ${what}\n--- hub ---\n${hub?.tail()}\n--- site ---\n${site?.tail()}`,
      );
    await sleep(250);
  }
}

afterAll(async () => {
  await nc?.close().catch(() => {});
  await stopApplianceProcess(site?.proc ?? null, siteData);
  await stopApplianceProcess(hub?.proc ?? null, hubData);
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a cameras-only site joined to a hub as a leaf node', () => {
  it('delivers every acknowledged read to the hub, through a link outage, with its alerts', async () => {
    const [hubNats, leafPort, api, siteNats, simPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    sim = await startSimulator({
      cameras: [camera],
      port: simPort,
      scene: { ...CHAOS_SCENE, passes: 4, seed: 31 },
      cacheDir: defaultClipCache(),
    });
    const passes = sim.clips.get(camera)!.passes;
    const plates = passes.map((p) => p.plate);

    // The hub: no cameras of its own (so no simulated one), a hotlist of every plate the site will see.
    const incoming = path.join(hubData, 'hotlists', 'incoming', 'central');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(
      path.join(incoming, 'list.tmp'),
      'plate,state,record_id,category\n' + passes.map((p, i) => `${p.plate},${p.state},HUB-${i},stolen vehicle\n`).join(''),
    );
    renameSync(path.join(incoming, 'list.tmp'), path.join(incoming, 'list.csv'));
    const hubConfig = path.join(dir, 'hub.yaml');
    writeFileSync(
      hubConfig,
      [
        `dataDir: ${hubData}`,
        'site: { id: hub, agency: Test county }',
        `nats: { port: ${hubNats}, leafnodes: { listen: { port: ${leafPort}, user: sites, password: leaf-secret } } }`,
        `server: { port: ${api} }`,
        'supervisor: { restartInitialMs: 200, readyTimeoutMs: 90000 }',
        'access: { enforceDeployments: false }',
        'hotlists: { sources: [{ name: central, mapping: standard, staleAfterHours: 8760 }], watchIntervalSeconds: 5 }',
      ].join('\n'),
    );
    const siteConfig = path.join(dir, 'site.yaml');
    writeFileSync(
      siteConfig,
      [
        `dataDir: ${siteData}`,
        'role: cameras',
        'site: { id: site-b, agency: Test county }',
        `nats: { port: ${siteNats}, leafnodes: { remotes: ["nats-leaf://sites:leaf-secret@127.0.0.1:${leafPort}"] } }`,
        `cameras: [{ id: ${camera}, name: site B lane 1, url: "${sim.url(camera)}", deploymentRef: SITE-B, location: { lat: 30.1, lon: -84.1, description: site B } }]`,
        'supervisor: { restartInitialMs: 200, readyTimeoutMs: 90000 }',
      ].join('\n'),
    );

    hub = spawnApplianceProcess(hubConfig);
    type Health = {
      services: { name: string; state: string; pid: number | null }[] | null;
      cameras: { cameraId: string; state: string }[];
    };
    // The full report needs a principal (anonymous callers get the status only): a monitoring
    // token, made through the hub's first-start setup link.
    const hubBase = `http://127.0.0.1:${api}`;
    const setup = await until('the setup link in the hub log', async () => setupTokenFromEntries(hub!.entries), 120_000);
    const monitor = await bootstrapAccess(hubBase, setup, []);
    const health = async () => (await (await monitor.health(hubBase)).json()) as Health;
    const booted = await until(
      'the hub running',
      async () => {
        const h = await health();
        return h.services?.length && h.services.every((s) => s.state === 'running') ? h : null;
      },
      120_000,
    );
    // A hub whose cameras are at its sites runs none of its own.
    expect(booted.services!.map((s) => s.name)).toEqual(['nats', 'core', 'matcher']);
    // The matcher runs with its index on transparent huge pages (matcher/huge-pages.ts).
    const matcherPid = booted.services!.find((s) => s.name === 'matcher')!.pid!;
    expect(readFileSync(`/proc/${matcherPid}/environ`, 'utf8').split('\0')).toContain('GLIBC_TUNABLES=glibc.malloc.hugetlb=1');
    await until(
      'the hotlist imported',
      async () => existsSync(path.join(incoming, 'done')) && readdirSync(path.join(incoming, 'done')).some((f) => f.endsWith('list.csv')),
      60_000,
    );
    // The matcher swaps the version in once its pointer is written: a little after the file moves.
    await sleep(2000);
    // Watched as the hub's core (its seed under the hub's data dir): what reached the READS stream.
    nc = await connectToAppliance(hubData, hubNats, natsIdentities.core);
    const hubJsm = await jetstreamManager(nc);
    const storedFrom = async (cameraId: string) => {
      const info = await hubJsm.streams.info(streams.reads, { subjects_filter: subjects.read(cameraId) });
      return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
    };

    site = spawnApplianceProcess(siteConfig);

    // Meanwhile a server with the wrong leaf password is turned away: nothing it carries reaches the hub.
    const intruderDir = path.join(dir, 'intruder');
    mkdirSync(intruderDir);
    const intruderPort = await freePort();
    const intruderConfig = configSchema.parse({
      role: 'cameras',
      site: { id: 'intruder' },
      nats: { port: intruderPort, leafnodes: { remotes: [`nats-leaf://sites:guess@127.0.0.1:${leafPort}`] } },
    });
    const intruderCam = natsIdentities.camera('intruder-cam');
    const intruderKeys = ensureNkeySeeds(path.join(intruderDir, 'nats', 'credentials'), [intruderCam]);
    const intruderUsers = [{ nkey: intruderKeys.get(intruderCam)!, permissions: natsPermissions(intruderCam) }];
    writeFileSync(
      path.join(intruderDir, 'nats.conf'),
      natsServerConf(intruderConfig, intruderDir, path.join(intruderDir, 'pid'), {}, { users: intruderUsers }),
    );
    const intruder = spawn('nats-server', ['-c', path.join(intruderDir, 'nats.conf')], { stdio: 'ignore' });
    try {
      const inc = await until(
        'the intruder server up',
        () => connectToAppliance(intruderDir, intruderPort, intruderCam, { reconnect: false }),
        20_000,
      );
      await sleep(2000);
      for (let i = 0; i < 5; i++) inc.publish('alpr.reads.intruder-cam', 'forged');
      await inc.flush();
      await sleep(2000);
      await inc.close();
    } finally {
      intruder.kill('SIGKILL');
    }
    expect(await storedFrom('intruder-cam')).toBe(0);
    // The site's camera state crosses the leaf link into the hub's health.
    await until(
      'the site camera live in the hub health',
      async () => (await health()).cameras.some((c) => c.cameraId === camera && c.state === 'live'),
      120_000,
    );
    await until('two reads from the site at the hub', async () => (await storedFrom(camera)) >= 2, 120_000);

    // The link down: the hub's nats-server frozen (a WAN outage looks the same to the site).
    const natsPid = (await health()).services!.find((s) => s.name === 'nats')!.pid!;
    const acknowledged = () => site!.entries.filter((e) => e.msg === 'read' && typeof e.id === 'string').map((e) => e.id as string);
    const beforeOutage = acknowledged().length;
    process.kill(natsPid, 'SIGSTOP');
    await sleep(10_000);
    process.kill(natsPid, 'SIGCONT');
    const retried = site.entries.filter((e) => e.msg === 'publishing a read failed; retrying').length;
    // The site went on reading: reads held during the outage are acknowledged once it is back.
    await until('reads acknowledged after the outage', async () => acknowledged().length >= beforeOutage + 2, 120_000);

    stopping = true;
    const exited = new Promise((r) => site!.proc.once('exit', r));
    site.proc.kill('SIGTERM');
    await exited;
    const ids = acknowledged();
    const jsm = await jetstreamManager(nc);
    await until(
      'the hub consumers drained',
      async () => {
        for (const [stream, name] of [
          [streams.reads, consumers.storeWriter],
          [streams.reads, consumers.matcher],
          [streams.alerts, alertStoreConsumer],
        ] as const) {
          const ci = await jsm.consumers.info(stream, name);
          if (ci.num_pending + ci.num_ack_pending > 0) return false;
        }
        return true;
      },
      60_000,
    );
    await nc.close();
    nc = null;
    await stopApplianceProcess(hub.proc, hubData);

    const client = await createClickHouseClient({ kind: 'embedded' }, hubData);
    const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
    const stored = await rows<{ id: string; site: string; camera: string; plate: string }>(
      'SELECT toString(id) AS id, site_id AS site, camera_id AS camera, plate_norm AS plate FROM reads FINAL',
    );
    const alerts = await rows<{ readId: string; recordId: string }>(
      'SELECT toString(read_id) AS readId, record_id AS recordId FROM alerts',
    );
    await client.close();

    const why = JSON.stringify({ ids, retried, stored: stored.length, alerts: alerts.length });
    console.log(`site→hub figures: ${why}`);
    expect(ids.length, why).toBeGreaterThan(beforeOutage);
    const storedIds = new Set(stored.map((r) => r.id));
    expect(
      ids.filter((id) => !storedIds.has(id)),
      why,
    ).toEqual([]);
    expect(stored.length, why).toBe(storedIds.size);
    expect(new Set(stored.map((r) => `${r.site}/${r.camera}`)), why).toEqual(new Set([`site-b/${camera}`]));
    const listedReads = stored.filter((r) => plates.includes(r.plate));
    expect(listedReads.length, why).toBeGreaterThan(0);
    const alerted = new Set(alerts.map((a) => a.readId));
    expect(
      listedReads.filter((r) => !alerted.has(r.id)).map((r) => r.plate),
      why,
    ).toEqual([]);
  }, 400_000);
});
