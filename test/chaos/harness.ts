import { execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { alertStoreConsumer } from '../../contracts/index.ts';
import { consumers, natsIdentities, streams, subscribeCameraMetrics } from '../../contracts/index.ts';
import {
  defaultClipCache,
  scoreAgainstKey,
  startSimulator,
  type KeyEntry,
  type SceneSpec,
  type Simulator,
} from '../../pipeline/simulator/index.ts';
import { createClickHouseClient } from '../../store/index.ts';
import { bootstrapAccess, setupTokenFromEntries, type AccessFixture } from '../helpers/access.ts';
import { spawnApplianceProcess, stopApplianceProcess, type ApplianceProcess } from '../helpers/appliance-process.ts';
import { connectToAppliance, freePort, tempDir } from '../helpers/nats.ts';

/**
 * The fault run: `alpr appliance` as a process, one simulated RTSP camera streaming, a hotlist
 * holding every plate the camera will show; then kill -9 of each service in turn (nats-server,
 * the core that owns the store, the camera worker, the matcher), the store frozen for a while
 * (SIGSTOP of its owner: reads wait in JetStream, the matcher keeps raising alerts), and at the
 * end an account against the simulator's answer key and the camera worker's own log of the
 * reads JetStream acknowledged, read straight from the store after a clean stop.
 */

export interface ChaosOptions {
  /** Services killed with SIGKILL, in this order (supervisor names). */
  victims: string[];
  /** Seconds of streaming before the first kill, between kills, and after the last fault. */
  warmupS: number;
  gapS: number;
  tailS: number;
  /** Seconds the store's owner is frozen (SIGSTOP) after the kills; 0 for none. */
  storeOutageS: number;
  scene?: Partial<SceneSpec>;
  /** Mount a tmpfs of this many MiB as the data dir (needs root), so that the disk can fill. */
  diskMiB?: number;
  /** Seconds the data dir's disk is kept full (a ballast file) after the other faults; 0 for none. */
  fullDiskS?: number;
  /** Extra YAML lines for the appliance's configuration (e.g. a durability setting). */
  extraConfig?: string[];
  /** Progress lines (the CLI prints them; the test keeps them for a failure message). */
  progress?: (line: string) => void;
}

export interface FaultRecord {
  service: string;
  killedAt: number;
  /** Until the supervisor had it running again (and, for a camera, live). */
  recoveredMs: number;
  /** A camera only: until its new worker had recognised its first frame (it sees nothing before). */
  inferringMs?: number;
  restarts: number;
}

export interface ChaosReport {
  faults: FaultRecord[];
  storeOutage: {
    seconds: number;
    readsWaitingAtFreeze: number;
    readsWaitingAtEnd: number;
    readsStreamedDuring: number;
    readsStreamedByEnd: number;
    alertsRaisedDuring: number;
    readsPublishedDuring: number;
  } | null;
  /** The disk full: what /api/health said meanwhile (distinct states), and how long until all was well again once space came back. */
  fullDisk: { seconds: number; health: string[]; logErrors: string[]; readsPublishedDuring: number; recoveredMs: number } | null;
  /** Reads the camera worker logged as acknowledged by JetStream. */
  published: number;
  /** Of those, not in the store after the run. Must be 0. */
  publishedNotStored: string[];
  /** Rows in `reads` and distinct read ids (rows beyond ids are redeliveries that ReplacingMergeTree collapses; searches read FINAL). */
  storedRows: number;
  storedReads: number;
  /** Against the answer key, for passes the camera could see (not during its own restart). */
  key: {
    passes: number;
    found: number;
    recall: number;
    duplicates: number;
    unmatched: number;
    blindPasses: number;
    blindPlates: string[];
    missed: string[];
    misread: string[];
  };
  alerts: { expected: number; raised: number; missing: string[]; duplicatePairs: number; rows: number };
  appliance: { exitCode: number | null; errors: string[] };
  wallS: number;
}

interface Health {
  services: { name: string; state: string; pid: number | null; restarts: number }[] | null;
  cameras: { cameraId: string; state: string; at: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number, tail: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`chaos: timed out waiting for ${what}\n--- appliance log ---\n${tail()}`);
    await sleep(200);
  }
}

/** The default scene: one small, slow camera (the machine has two shared cores). */
export const CHAOS_SCENE: Partial<SceneSpec> = { width: 640, height: 360, fps: 10, passes: 6, gapS: 4, crossS: 5, seed: 23, parked: false };

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const say = opts.progress ?? (() => {});
  const dir = tempDir('chaos');
  const dataDir = path.join(dir, 'data');
  const [natsPort, apiPort, simPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  let sim: Simulator | null = null;
  let proc: ChildProcess | null = null;
  let nc: NatsConnection | null = null;
  let app: ApplianceProcess | null = null;
  let mounted = false;
  const published = new Map<string, string>();
  const errors: string[] = [];
  const tail = () => app?.tail() ?? '';

  try {
    if (opts.diskMiB) {
      mkdirSync(dataDir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.diskMiB}m`, 'tmpfs', dataDir]);
      mounted = true;
    }
    sim = await startSimulator({
      cameras: ['cam-a'],
      port: simPort,
      scene: { ...CHAOS_SCENE, ...opts.scene },
      cacheDir: defaultClipCache(),
    });
    const clip = sim.clips.get('cam-a')!;
    // Every plate of the clip is on the hotlist: each read must raise an alert.
    const listed = new Map(clip.passes.map((p, i) => [p.plate, `CHAOS-${i}`]));
    const incoming = path.join(dataDir, 'hotlists', 'incoming', 'chaos');
    mkdirSync(incoming, { recursive: true });
    writeFileSync(
      path.join(incoming, 'list.csv.tmp'),
      'plate,state,record_id,category\n' + clip.passes.map((p, i) => `${p.plate},${p.state},CHAOS-${i},stolen vehicle\n`).join(''),
    );
    renameSync(path.join(incoming, 'list.csv.tmp'), path.join(incoming, 'list.csv'));

    const configFile = path.join(dir, 'alpr.yaml');
    writeFileSync(
      configFile,
      [
        `dataDir: ${dataDir}`,
        'logLevel: info',
        `cameras: [{ id: cam-a, name: chaos camera, url: "${sim.url('cam-a')}", deploymentRef: chaos, location: { lat: 30.44, lon: -84.28, description: chaos bench } }]`,
        // On a small disk the reads stream must fit beside the rest (JetStream reserves its limits).
        `nats: { port: ${natsPort}${opts.diskMiB ? `, readsMaxBytes: ${Math.floor((opts.diskMiB / 4) * 2 ** 20)}` : ''} }`,
        `server: { port: ${apiPort} }`,
        'supervisor: { restartInitialMs: 200, stopTimeoutMs: 15000, readyTimeoutMs: 90000 }',
        'access: { enforceDeployments: false }',
        'hotlists: { sources: [{ name: chaos, mapping: standard, staleAfterHours: 8760 }], watchIntervalSeconds: 5 }',
        ...(opts.extraConfig ?? []),
      ].join('\n'),
    );
    app = spawnApplianceProcess(configFile, {
      onEntry: (e, line) => {
        if (e.msg === 'read' && typeof e.id === 'string') published.set(e.id, typeof e.plate === 'string' ? e.plate : '');
        if (e.level === 'error') errors.push(line.slice(0, 500));
      },
    });
    proc = app.proc;

    // Anonymous callers get the status only: the full report is read with a monitoring token,
    // made through the first-start setup link once the core has logged it; it outlives restarts.
    let monitor: AccessFixture | null = null;
    const report = async (): Promise<Response | null> => {
      if (!monitor) {
        const setup = setupTokenFromEntries(app!.entries);
        if (setup) monitor = await bootstrapAccess(api, setup, []).catch(() => null);
        if (!monitor) return null;
      }
      const res = await monitor.health(api).catch(() => null);
      return res && (res.ok || res.status === 503) ? res : null;
    };
    const health = async (): Promise<Health | null> => {
      const res = await report();
      return res ? ((await res.json()) as Health) : null;
    };
    const service = (h: Health | null, name: string) => h?.services?.find((s) => s.name === name);
    const liveSince = (h: Health | null, after: number) =>
      h?.cameras.find((c) => c.cameraId === 'cam-a' && c.state === 'live' && Date.parse(c.at) >= after);

    say('booting the appliance');
    await until(
      'every service running and the camera live',
      async () => {
        const h = await health();
        return h?.services?.every((s) => s.state === 'running') && liveSince(h, 0) ? h : null;
      },
      180_000,
      tail,
    );
    const firstLiveAt = Date.now();
    // The camera metrics the core gathers, watched with the core's own seed.
    nc = await connectToAppliance(dataDir, natsPort, natsIdentities.core);
    // When a camera worker has recognised frames (its counter starts at 0 in each new process).
    let lastInferring = { at: 0, frames: 0 };
    subscribeCameraMetrics(nc, (m) => {
      if (m.cameraId === 'cam-a') lastInferring = { at: Date.now(), frames: m.framesInferred };
    });
    await until(
      'the hotlist imported from the watched folder',
      async () => {
        const done = path.join(incoming, 'done');
        return existsSync(done) && readdirSync(done).some((f) => f.endsWith('list.csv'));
      },
      60_000,
      tail,
    );
    // The matcher swaps the version in once the pointer is written: a little after the file moves.
    await sleep(2000);
    const listActiveAt = Date.now();
    say(`camera live, hotlist active; streaming ${opts.warmupS} s before the first fault`);
    await sleep(opts.warmupS * 1000);

    const faults: FaultRecord[] = [];
    const blind: { from: number; to: number }[] = [];
    for (const victim of opts.victims) {
      const before = await until(
        `${victim} running`,
        async () => {
          const s = service(await health(), victim);
          return s?.state === 'running' && s.pid ? s : null;
        },
        120_000,
        tail,
      );
      const killedAt = Date.now();
      process.kill(before.pid!, 'SIGKILL');
      say(`kill -9 ${victim} (pid ${before.pid})`);
      const after = await until(
        `${victim} back after kill -9`,
        async () => {
          const h = await health();
          const s = service(h, victim);
          if (!(s?.state === 'running' && s.pid !== before.pid)) return null;
          if (victim.startsWith('camera:') && !liveSince(h, killedAt)) return null;
          return s;
        },
        180_000,
        tail,
      );
      const recoveredMs = Date.now() - killedAt;
      let inferringMs: number | undefined;
      if (victim.startsWith('camera:')) {
        const backAt = Date.now();
        // Metrics come every 2 s; a report after the restart with frames recognised.
        await until(
          'the new camera worker recognising frames',
          async () => lastInferring.at > backAt && lastInferring.frames > 0,
          120_000,
          tail,
        );
        inferringMs = Date.now() - killedAt;
        blind.push({ from: killedAt, to: Date.now() });
      }
      faults.push({ service: victim, killedAt, recoveredMs, restarts: after.restarts, ...(inferringMs ? { inferringMs } : {}) });
      say(
        `${victim} back after ${(recoveredMs / 1000).toFixed(1)} s${inferringMs ? `, recognising after ${(inferringMs / 1000).toFixed(1)} s` : ''}`,
      );
      await sleep(opts.gapS * 1000);
    }

    let storeOutage: ChaosReport['storeOutage'] = null;
    if (opts.storeOutageS > 0) {
      const jsm = await jetstreamManager(nc);
      const core = service(await health(), 'core')!;
      const alertsBefore = (await jsm.streams.info(streams.alerts)).state.messages;
      const publishedBefore = published.size;
      process.kill(core.pid!, 'SIGSTOP');
      // Counted by the stream, not by the camera's log lines, which can come a moment late.
      // Read before the consumer, so a read published in between counts in both (never in neither).
      const seqAtFreeze = (await jsm.streams.info(streams.reads)).state.last_seq;
      // Reads the store took before the freeze but had not acknowledged yet (it writes in
      // batches) stay pending too: counted once it can no longer acknowledge anything.
      const atFreeze = await jsm.consumers.info(streams.reads, consumers.storeWriter);
      say(`store frozen (SIGSTOP of core, pid ${core.pid}) for ${opts.storeOutageS} s`);
      await sleep(opts.storeOutageS * 1000);
      // The stream's count on both sides of the consumer's: a read published in between is
      // allowed to count as waiting or not.
      const seqBefore = (await jsm.streams.info(streams.reads)).state.last_seq;
      const waiting = await jsm.consumers.info(streams.reads, consumers.storeWriter);
      const seqAfter = (await jsm.streams.info(streams.reads)).state.last_seq;
      const alertsDuring = (await jsm.streams.info(streams.alerts)).state.messages - alertsBefore;
      process.kill(core.pid!, 'SIGCONT');
      storeOutage = {
        seconds: opts.storeOutageS,
        readsWaitingAtFreeze: atFreeze.num_pending + atFreeze.num_ack_pending,
        readsWaitingAtEnd: waiting.num_pending + waiting.num_ack_pending,
        readsStreamedDuring: seqBefore - seqAtFreeze,
        readsStreamedByEnd: seqAfter - seqAtFreeze,
        alertsRaisedDuring: alertsDuring,
        readsPublishedDuring: published.size - publishedBefore,
      };
      say(`store back: ${storeOutage.readsWaitingAtEnd} reads were waiting in JetStream, ${alertsDuring} alerts raised meanwhile`);
    }

    let fullDisk: ChaosReport['fullDisk'] = null;
    if (opts.fullDiskS) {
      const ballast = path.join(dataDir, 'ballast');
      const fd = openSync(ballast, 'w');
      const chunk = Buffer.alloc(1 << 20, 0x5a);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      const errorsBefore = errors.length;
      const publishedBefore = published.size;
      say(`disk full (ballast file) for ${opts.fullDiskS} s`);
      const seen = new Set<string>();
      const end = Date.now() + opts.fullDiskS * 1000;
      while (Date.now() < end) {
        const res = await report();
        if (!res) seen.add('API unreachable');
        else {
          const h = (await res.json()) as Health & {
            status: string;
            store: { healthy: boolean; lastError: string | null };
            nats: { connected: boolean };
          };
          const down = (h.services ?? []).filter((x) => x.state !== 'running').map((x) => `${x.name} ${x.state}`);
          seen.add(
            `${res.status} ${h.status}; store ${h.store.healthy ? 'healthy' : `unhealthy: ${(h.store.lastError ?? '').slice(0, 160)}`}${down.length ? `; ${down.join(', ')}` : ''}`,
          );
        }
        await sleep(1000);
      }
      rmSync(ballast, { force: true });
      const freedAt = Date.now();
      say('disk space back');
      await until(
        'all well again after the disk was freed',
        async () => {
          const h = (await health()) as (Health & { status: string }) | null;
          return h?.status === 'ok' && h.services?.every((x) => x.state === 'running') && liveSince(h, 0);
        },
        180_000,
        tail,
      );
      fullDisk = {
        seconds: opts.fullDiskS,
        health: [...seen],
        logErrors: [...new Set(errors.slice(errorsBefore).map((l) => l.replace(/"time":"[^"]*",?/, '').slice(0, 300)))].slice(0, 20),
        readsPublishedDuring: published.size - publishedBefore,
        recoveredMs: Date.now() - freedAt,
      };
      say(`all well ${(fullDisk.recoveredMs / 1000).toFixed(1)} s after the disk was freed`);
    }

    say(`streaming ${opts.tailS} s more`);
    await sleep(opts.tailS * 1000);
    await sim.stop();
    const endAt = Date.now();
    say('camera stream stopped; waiting for the store and the matcher to catch up');
    // The worker reads the plates in view when its stream fails; then every consumer drains.
    await until(
      'the camera to notice the end of its stream',
      async () => (await health())?.cameras.some((c) => c.cameraId === 'cam-a' && c.state !== 'live'),
      60_000,
      tail,
    );
    await sleep(3000);
    const jsm = await jetstreamManager(nc);
    await until(
      'every consumer drained',
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
      120_000,
      tail,
    );
    await nc.close();
    nc = null;

    say('stopping the appliance (SIGTERM)');
    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    const exitCode = await exited;

    // The store, opened here once its owner has let go of it.
    const client = await createClickHouseClient({ kind: 'embedded' }, dataDir);
    const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
    const stored = await rows<{ id: string; plate: string; at: string }>(
      "SELECT toString(id) AS id, plate_norm AS plate, toString(toUnixTimestamp64Milli(captured_at)) AS at FROM reads WHERE camera_id = 'cam-a'",
    );
    const alerts = await rows<{ id: string; readId: string; recordId: string }>(
      'SELECT toString(id) AS id, toString(read_id) AS readId, record_id AS recordId FROM alerts',
    );
    // A repeat pass within the suppression window is a sighting of the open alert, not an alert.
    const sightings = await rows<{ id: string; readId: string; recordId: string }>(
      'SELECT toString(s.alert_id) AS id, toString(s.read_id) AS readId, a.record_id AS recordId FROM alert_sightings AS s INNER JOIN alerts AS a ON a.id = s.alert_id',
    );
    await client.close();

    const byId = new Map(stored.map((r) => [r.id, { plate: r.plate, at: Number(r.at) }]));
    const reads = [...byId.entries()].map(([id, r]) => ({ id, cameraId: 'cam-a', plate: r.plate, capturedAt: r.at }));

    // Passes the camera could see: after it first went live, over before the stream stopped,
    // and not overlapping its own restart (a camera that is not running sees nothing).
    const due = sim.key().filter((k) => k.from >= firstLiveAt && k.to <= endAt - 1000);
    const isBlind = (k: KeyEntry) => blind.some((b) => k.from < b.to && k.to > b.from);
    const seeable = due.filter((k) => !isBlind(k));
    const blindPasses = due.filter(isBlind);
    const score = scoreAgainstKey(
      seeable,
      reads.filter((r) => r.capturedAt >= firstLiveAt && !blind.some((b) => r.capturedAt > b.from - 3000 && r.capturedAt < b.to + 3000)),
    );
    // Reads no pass of the whole key explains (plate and time): misreads, with the plate then in view.
    const allKey = sim.key();
    const misread = reads
      .filter((r) => !allKey.some((k) => k.plate === r.plate && r.capturedAt >= k.from - 3000 && r.capturedAt <= k.to + 3000))
      .map(
        (r) =>
          `${r.plate}@${new Date(r.capturedAt).toISOString()} (in view: ${
            allKey
              .filter((k) => r.capturedAt >= k.from - 3000 && r.capturedAt <= k.to + 3000)
              .map((k) => k.plate)
              .join(',') || 'none'
          })`,
      );
    const missed = seeable
      .filter((k) => !reads.some((r) => r.plate === k.plate && r.capturedAt >= k.from - 3000 && r.capturedAt <= k.to + 3000))
      .map((k) => `${k.plate}@${new Date(k.from).toISOString()}`);

    // Alerts: every stored read of a listed plate, captured once the list was active, has one
    // for its record or is a sighting of one; and no (read, record) pair went to two alert ids.
    const alertKeys = new Map<string, Set<string>>();
    for (const a of [...alerts, ...sightings]) {
      const k = `${a.readId}/${a.recordId}`;
      alertKeys.set(k, (alertKeys.get(k) ?? new Set()).add(a.id));
    }
    const expected = reads.filter((r) => listed.has(r.plate) && r.capturedAt >= listActiveAt);
    const missing = expected.filter((r) => !alertKeys.has(`${r.id}/${listed.get(r.plate)}`)).map((r) => `${r.plate} ${r.id}`);

    return {
      faults,
      storeOutage,
      fullDisk,
      published: published.size,
      publishedNotStored: [...published.keys()].filter((id) => !byId.has(id)),
      storedRows: stored.length,
      storedReads: byId.size,
      key: { ...score, blindPasses: blindPasses.length, blindPlates: blindPasses.map((k) => k.plate), missed, misread },
      alerts: {
        expected: expected.length,
        raised: new Set(alerts.map((a) => a.id)).size,
        missing,
        duplicatePairs: [...alertKeys.values()].filter((s) => s.size > 1).length,
        rows: alerts.length,
      },
      appliance: { exitCode, errors: errors.slice(0, 50) },
      wallS: Math.round((Date.now() - t0) / 1000),
    };
  } finally {
    await nc?.close().catch(() => {});
    await stopApplianceProcess(proc, dataDir, 30_000);
    await sim?.stop().catch(() => {});
    if (mounted) {
      try {
        execFileSync('umount', [dataDir]);
      } catch {
        execFileSync('umount', ['-l', dataDir]);
      }
    }
    if (!process.env.ALPR_CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir}`);
  }
}
