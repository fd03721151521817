import path from 'node:path';
import { ReadSpool, reconcileSpool } from './read-spool.ts';
import {
  connectBus,
  jetstream,
  natsIdentities,
  newReadId,
  publishCameraMetrics,
  publishCameraState,
  publishRead,
  cameraReader,
  cameraSource,
  type AlprConfig,
  type CameraConfig,
  type CameraState,
  type Logger,
  type PlateReadInput,
} from '../contracts/index.ts';
import { CameraCapture, lowerOtherThreads, nextPace, openSource, type Frame, type Pace } from './capture/index.ts';
import { RecentSamples, assessMaintenance, recordRead, type MinuteBucket } from './metrics/metrics.ts';
import { gateFromParent, type GateRelease } from './gate/index.ts';
import { createReader, type PlateReader } from './recognition/index.ts';
import { encodeJpeg } from './render/index.ts';
import { resizeRegion, type Image } from './render/raster.ts';
import { startSimulatedCamera, SIM_CAMERA_ID } from './sim-camera.ts';
import { vehicleCrop } from './vehicle-image.ts';
import {
  changedRegion,
  DEFAULT_TRACKER,
  emptyTracker,
  isParked,
  knownStates,
  followedPlates,
  recognitionUrgency,
  lookRegion,
  thumbnail,
  trackStep,
  usableObservations,
  type Observation,
  type TrackRead,
  type TrackerState,
} from './tracking/index.ts';
import type { Region } from './recognition/index.ts';

/**
 * The camera service: one per camera, in its own process. Capture → recognition → tracking →
 * publish. Recognition takes the newest frame whenever it is free (frames decoded meanwhile
 * are skipped by design and counted), so a slow model lowers the inference rate instead of
 * building a backlog and latency.
 */

export interface WorkerOptions {
  /** Decode only, no recognition: what the benchmark uses to find the decode limit. */
  decodeOnly?: boolean;
  /** A reader other than the configured one (benchmarks, evaluations). */
  readerName?: string;
  threads?: number;
  detMaxSide?: number;
}

export function parseWorkerArgs(args: string[]): { cameraId: string; opts: WorkerOptions } {
  const [cameraId, ...flags] = args;
  if (!cameraId) throw new Error('camera service needs a camera id: camera <id> [--decode-only] [--threads N]');
  const opts: WorkerOptions = {};
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (f === '--decode-only') opts.decodeOnly = true;
    else if (f === '--threads') opts.threads = Number(flags[++i]);
    else if (f === '--reader') opts.readerName = flags[++i];
    else if (f === '--det-max-side') opts.detMaxSide = Number(flags[++i]);
    else throw new Error(`unknown camera service flag ${f}`);
  }
  return { cameraId, opts };
}

/** The plate crop, and the vehicle's region where the agency stores vehicle images (recognition.vehicleImage). */
type Crop = Image & { vehicle?: Image };

/**
 * Nice offset of a recognising worker's other threads (decoders) above its main thread. The
 * larger it is, the more of a core shared with decoders a read gets (~90 % at +10, ~75 % at +5),
 * so frame → read latency trades against decoding. +10 cannot starve the decoders: the recognition
 * gate runs reads on one less than the cores, so decoders always have a core (without the gate,
 * +10 loses frames at many cameras). Latency at this setting: docs/benchmarks.md (Pipeline).
 */
const DECODER_NICE_OFFSET = 10;

/** Plate crop for the read's image: the serial's box widened to take in the state name. */
function plateCrop(frame: Frame, box: [number, number, number, number]): Crop {
  const [x, y, w, h] = box;
  const cx = Math.max(0, Math.floor(x - w * 0.15)),
    cy = Math.max(0, Math.floor(y - h * 0.7));
  const cw = Math.min(frame.width - cx, Math.ceil(w * 1.3)),
    ch = Math.min(frame.height - cy, Math.ceil(h * 2.4));
  const scale = Math.min(1, 400 / Math.max(cw, 1));
  const img: Image = { width: frame.width, height: frame.height, channels: 1, data: frame.data };
  return resizeRegion(
    img,
    cx,
    cy,
    Math.max(1, cw),
    Math.max(1, ch),
    Math.max(1, Math.round(cw * scale)),
    Math.max(1, Math.round(ch * scale)),
  );
}

export async function startCameraWorker(config: AlprConfig, logger: Logger, args: string[]) {
  const { cameraId, opts } = parseWorkerArgs(args);
  let camera: CameraConfig | undefined = config.cameras.find((c) => c.id === cameraId);
  let simulator: Awaited<ReturnType<typeof startSimulatedCamera>> | null = null;
  if (!camera && cameraId === SIM_CAMERA_ID && config.cameras.length === 0) {
    simulator = await startSimulatedCamera(config, logger.child({ part: 'simulator' }));
    camera = simulator.camera;
  }
  if (!camera) throw new Error(`camera "${cameraId}" is not in the configuration`);
  const cam = camera;
  const log = logger.child({ camera: cam.id });

  const nc = await connectBus({ config, identity: natsIdentities.camera(cam.id) });
  const js = jetstream(nc);
  // Reads stay in an fsync'd spool until the core confirms them stored (docs/durability.md).
  let spool: ReadSpool | null = null;
  try {
    spool = config.durability.readSpool ? ReadSpool.open(path.resolve(config.dataDir, 'spool', `${cam.id}.jsonl`)) : null;
  } catch (err) {
    // A full disk at start: the camera still reads plates, without the power-loss guarantee.
    log.error('read spool cannot be opened; reads go out without their power-loss guarantee', { err: err as Error });
  }
  if (spool?.size) log.warn('reads left unconfirmed by an earlier run: checking them with the store', { reads: spool.size });
  const enabledCameras = Math.max(1, config.cameras.filter((c) => c.enabled).length);
  // One process per camera: with several cameras on few cores, one intra-op thread each avoids
  // oversubscription; alone, two threads read fastest.
  const threads = opts.threads ?? (enabledCameras > 1 ? 1 : 2);
  // The camera's own reader, else the appliance's (recognition.reader); a flag overrides both.
  const readerName = opts.readerName ?? cameraReader(config, cam);
  const reader: PlateReader | null = opts.decodeOnly ? null : await createReader(readerName, { threads });
  const source = openSource(cameraSource(cam));
  // Only where the agency's policy defines it (guidelines 6a): a wider picture can show people.
  const vehicleImages = config.recognition.vehicleImage;

  // Reads across the box's cameras run most urgent first (pipeline/gate) when the parent serves a gate.
  const gate = gateFromParent();
  let tracker: TrackerState<Crop> = emptyTracker();
  const inferMs = new RecentSamples(500);
  const latencyMs = new RecentSamples(500);
  const gateWaitMs = new RecentSamples(500);
  let buckets: MinuteBucket[] = [];
  let framesInferred = 0,
    readsTotal = 0;
  let pending: Frame | null = null;
  let prevThumb: Uint8Array | null = null;
  let lastFullAt = 0;
  let busy = false;
  let lastLookAt = 0;
  // A little under the interval, so that frames arriving with jitter are not skipped in pairs.
  const idleLookIntervalMs = 1000 / Math.min(cam.idleRecognitionFps, cam.recognitionFps) - 10;
  let pace: Pace = { slowdown: 1 };
  let lastLook = { at: Date.now(), dropped: 0 };
  let stopped = false;
  const inflight = new Set<Promise<void>>();

  const state = (s: CameraState['state'], reason: string | null) => {
    const st = capture.stats();
    if (nc.isClosed()) return;
    publishCameraState(nc, {
      cameraId: cam.id,
      state: s,
      reason,
      fps: st.fps,
      lastFrameAt: st.lastFrameAt ? new Date(st.lastFrameAt).toISOString() : null,
      at: new Date().toISOString(),
    });
  };

  const publish = async (r: TrackRead<Crop>) => {
    const read: PlateReadInput = {
      id: newReadId(cam.id, r.best.t),
      siteId: config.site.id,
      cameraId: cam.id,
      capturedAt: new Date(r.best.t).toISOString(),
      firstSeenAt: new Date(r.firstSeen).toISOString(),
      lastSeenAt: new Date(r.lastSeen).toISOString(),
      plate: r.text,
      confidence: r.confidence,
      candidates: r.candidates,
      state: r.state,
      stateConfidence: r.stateConfidence,
      location: cam.location,
      direction: cam.direction,
      framesSeen: r.frames,
      box: r.best.box,
      // Encoded on libuv's pool: the next frame's recognition goes on meanwhile.
      cropJpeg: r.best.ref ? (await encodeJpeg(r.best.ref, 80)).toString('base64') : undefined,
      vehicleJpeg: r.best.ref?.vehicle ? (await encodeJpeg(r.best.ref.vehicle, 70)).toString('base64') : undefined,
    };
    try {
      spool?.add(read);
    } catch (err) {
      // A full or failing disk must not cost the read itself: it still goes out, without the
      // power-loss guarantee, and the log says so.
      log.error('read spool append failed; publishing the read without its power-loss guarantee', { err: err as Error, id: read.id });
    }
    // Same id on every retry: JetStream's duplicate window stores it once however often we try.
    const emittedAt = Date.now();
    for (let attempt = 0; !stopped || attempt < 3; attempt++) {
      try {
        await publishRead(js, read);
        const publishMs = Date.now() - emittedAt;
        readsTotal++;
        buckets = recordRead(buckets, Date.now(), r.confidence);
        // Reads flushed at a stream failure or shutdown have no triggering frame: no latency.
        const frameToReadMs = r.triggerAt <= Date.now() ? Date.now() - r.triggerAt : undefined;
        if (frameToReadMs !== undefined) latencyMs.add(frameToReadMs);
        log.info('read', {
          id: read.id,
          plate: read.plate,
          state: read.state,
          confidence: read.confidence,
          frames: read.framesSeen,
          trigger: r.trigger,
          frameToReadMs,
          publishMs,
          recognisedAfterMs: emittedAt - r.triggerAt,
        });
        return;
      } catch (err) {
        log.warn('publishing a read failed; retrying', { err: err as Error, attempt, id: read.id });
        await new Promise((res) => setTimeout(res, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
    log.error('read dropped after retries at shutdown', { id: read.id, plate: read.plate });
  };

  const emit = (reads: TrackRead<Crop>[]) => {
    for (const r of reads) {
      const p = publish(r).finally(() => inflight.delete(p));
      inflight.add(p);
    }
  };

  /**
   * Where recognition looks in this frame: what moved since the last look plus the plates being
   * tracked; the whole frame every FULL_LOOK_MS, or when most of it changed. Null: nothing to see.
   */
  const FULL_LOOK_MS = 2000;
  const lookAt = (frame: Frame): Region | undefined | null => {
    const step = Math.max(4, Math.round(frame.width / 160));
    const th = thumbnail(frame.data, frame.width, frame.height, step);
    const prev = prevThumb;
    prevThumb = th.data;
    if (!prev || prev.length !== th.data.length || frame.capturedAt - lastFullAt >= FULL_LOOK_MS) {
      lastFullAt = frame.capturedAt;
      return undefined;
    }
    const moved = changedRegion(prev, th.data, th.w, th.h, step);
    // Parked plates already read are left to the periodic full look: watching them would keep
    // the region (and the cost) large for nothing.
    const watched = tracker.tracks.filter((t) => !isParked(t)).map((t) => t.box);
    const region = lookRegion([...(moved ? [moved] : []), ...watched], frame.width, frame.height);
    if (!region) return null;
    if (region.w * region.h > 0.6 * frame.width * frame.height) {
      lastFullAt = frame.capturedAt;
      return undefined;
    }
    return region;
  };

  /** A frame that waited longer than this for its turn is swapped for the newest decoded one. */
  const FRESH_AFTER_WAIT_MS = 10;
  const infer = async (first: Frame) => {
    busy = true;
    let release: GateRelease = () => {};
    try {
      let frame = first;
      let region = lookAt(frame);
      const asked = performance.now();
      const urgency = recognitionUrgency(tracker.tracks);
      if (region !== null) {
        release = await gate.acquire(urgency);
        const waited = performance.now() - asked;
        gateWaitMs.add(waited);
        // After a wait the newest decoded frame is read (else the newest delivered one, up to a
        // delivery interval old), with what moved in both looks (the ones between are skipped).
        const newer = (waited > FRESH_AFTER_WAIT_MS ? await capture.latest() : null) ?? pending;
        pending = null;
        if (newer) {
          frame = newer;
          const later = lookAt(frame);
          region = region && later ? lookRegion([region, later], frame.width, frame.height, 0) : later === null ? region : undefined;
        }
      }
      lastLookAt = frame.capturedAt;
      const t0 = performance.now();
      const image: Image = { width: frame.width, height: frame.height, channels: 1, data: frame.data };
      if (region === null) {
        // Nothing moved and nothing tracked: time still passes for the tracks' timeouts.
        const step = trackStep(tracker, [], frame.capturedAt, DEFAULT_TRACKER);
        tracker = step.state;
        emit(step.reads);
        return;
      }
      // Tracks whose state vote is already clear need not have their state read again (their
      // look-alike characters are still resolved by it).
      const stateKnownAt = [knownStates(tracker.tracks, undefined, frame.capturedAt)];
      // Plates already read are followed, not read again, by readers that can tell them apart.
      const followAt = [followedPlates(tracker.tracks, frame.capturedAt)];
      const [plates = []] = await reader!.read([{ image, region }], {
        detMaxSide: opts.detMaxSide ?? 640,
        stateKnownAt,
        followAt,
        skipCutPlates: true,
      });
      inferMs.add(performance.now() - t0);
      framesInferred++;
      const obs: Observation<Crop>[] = usableObservations(
        plates.map((p) => ({
          t: frame.capturedAt,
          box: p.box,
          text: p.text,
          confidence: p.confidence,
          state: p.state,
          stateConfidence: p.stateConfidence,
          ...(p.plateBox ? { line: { plateBox: p.plateBox, rect: p.rect } } : {}),
        })),
        frame.width,
        frame.height,
      ).map((o) => ({
        ...o,
        ref: vehicleImages ? { ...plateCrop(frame, o.box), vehicle: vehicleCrop(frame, o.box) } : plateCrop(frame, o.box),
      }));
      log.debug('frame read', {
        seq: frame.seq,
        region,
        ms: Math.round(performance.now() - t0),
        gateMs: Math.round(t0 - asked),
        urgency,
        waitedMs: Date.now() - frame.capturedAt,
        plates: plates.map((p) => `${p.text}@${p.box.join(',')}:${p.confidence}:${p.state}:${p.stateConfidence}`),
        kept: obs.length,
      });
      const step = trackStep(tracker, obs, frame.capturedAt, DEFAULT_TRACKER);
      tracker = step.state;
      emit(step.reads);
    } catch (err) {
      log.error('recognition failed on a frame', { err: err as Error });
    } finally {
      release();
      busy = false;
      const next = pending;
      pending = null;
      if (next && !stopped) void infer(next);
    }
  };

  const capture: CameraCapture = new CameraCapture(
    // At most recognitionFps frames a second reach recognition; the capture drops the others
    // after decoding them, before they cost a copy into JavaScript.
    { source, ...(reader ? { deliverFps: cam.recognitionFps, latest: true } : {}) },
    {
      frame: (f) => {
        if (!reader || stopped) return;
        // With every plate in view read, the next one is looked for at the idle rate.
        if (f.capturedAt - lastLookAt < idleLookIntervalMs && tracker.tracks.every((t) => t.emitted)) return;
        if (busy) {
          pending = f;
          return;
        }
        void infer(f);
      },
      state: (s, reason) => {
        if (s === 'failed' && reason) log.warn('camera failed', { reason });
        if (s === 'live') {
          log.info('camera live');
          // The stream's decoder threads exist now (and a few more start with the first frames).
          if (reader) for (const ms of [0, 2000]) setTimeout(() => lowerOtherThreads(DECODER_NICE_OFFSET), ms).unref();
        }
        // The plates in view when a stream dies are read now, not when it comes back.
        if (s === 'failed' && reader) {
          const step = trackStep(tracker, [], Date.now() + DEFAULT_TRACKER.lostMs + 1, DEFAULT_TRACKER);
          tracker = step.state;
          emit(step.reads);
        }
        state(s, reason);
      },
    },
    log,
  );

  const metricsTimer = setInterval(() => {
    const st = capture.stats();
    const now = Date.now();
    const next = nextPace(pace, st.dropped - lastLook.dropped, st.state === 'live' ? ((now - lastLook.at) / 1000) * st.nominalFps : 0);
    if ((next.slowdown === 1) !== (pace.slowdown === 1))
      log.info(next.slowdown === 1 ? 'recognition back to its full pace' : 'frames lost: recognition slows for the decoder', {
        slowdown: next.slowdown,
      });
    if (reader && next.slowdown !== pace.slowdown) capture.setDeliverFps(cam.recognitionFps / next.slowdown);
    pace = next;
    lastLook = { at: now, dropped: st.dropped };
    state(st.state, st.reason);
    if (nc.isClosed()) return;
    publishCameraMetrics(nc, {
      cameraId: cam.id,
      at: new Date().toISOString(),
      decodedFps: st.fps,
      framesDecoded: st.frames,
      framesInferred,
      // Decoded but not read: dropped before delivery by the frame-rate limit, or left while busy.
      framesSkipped: reader ? Math.max(0, st.frames - framesInferred - (pending ? 1 : 0) - (busy ? 1 : 0)) : 0,
      framesDropped: st.dropped,
      queueDepth: pending ? 1 : 0,
      inferenceMsP50: inferMs.percentile(50),
      inferenceMsP99: inferMs.percentile(99),
      recognitionWaitMsP50: gateWaitMs.percentile(50),
      recognitionWaitMsP99: gateWaitMs.percentile(99),
      frameToReadMsP50: latencyMs.percentile(50),
      frameToReadMsP99: latencyMs.percentile(99),
      readsTotal,
      ...assessMaintenance(buckets, Math.floor(Date.now() / 60_000)),
    });
  }, 2000);

  // The spool's check (appliance/durability.ts): reads the store holds are forgotten, one the
  // stream lost is published again under its own id.
  const republished = new Map<string, number>();
  let checking = false;
  const checkSpool = async () => {
    if (!spool || checking || stopped || nc.isClosed()) return;
    checking = true;
    try {
      await reconcileSpool({
        spool,
        nc,
        js,
        cameraId: cam.id,
        checkSeconds: config.durability.spoolCheckSeconds,
        republished,
        logger: log,
      });
    } catch (err) {
      log.warn('checking the read spool failed; will retry', { err: err as Error });
    } finally {
      checking = false;
    }
  };
  const spoolTimer = spool ? setInterval(() => void checkSpool(), Math.min(5000, config.durability.spoolCheckSeconds * 1000)) : null;

  capture.start();
  log.info('camera worker started', {
    source: source.kind,
    url: source.label,
    reader: reader?.name ?? null,
    decodeOnly: !!opts.decodeOnly,
    threads,
  });

  return {
    info: { camera: cam.id, source: source.kind, url: source.label, reader: reader?.name ?? null },
    async stop() {
      stopped = true;
      clearInterval(metricsTimer);
      capture.stop();
      if (reader) {
        // Plates still in view are read on the way out rather than lost.
        const step = trackStep(tracker, [], Date.now() + DEFAULT_TRACKER.lostMs + 1, DEFAULT_TRACKER);
        emit(step.reads);
      }
      await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 5000))]);
      if (spoolTimer) clearInterval(spoolTimer);
      spool?.close();
      state('stopped', null);
      await nc.drain().catch(() => {});
      await reader?.close().catch(() => {});
      await simulator?.stop();
    },
  };
}
