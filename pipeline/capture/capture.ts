import type { Logger } from '../../contracts/index.ts';
import { backoffMs, FpsMeter } from './timing.ts';
import { lumaPlane, newPipeline, receiveChain, type GstElement, type GstPipeline } from './gst.ts';
import type { CameraSource } from './source.ts';

/** A decoded grey frame. `capturedAt` is when it reached the appsink (epoch ms): GStreamer
 * buffers arrive here without timestamps, and that moment is what latency is measured from. */
export interface Frame {
  seq: number;
  width: number;
  height: number;
  data: Uint8Array;
  capturedAt: number;
}

export type CaptureState = 'connecting' | 'live' | 'failed' | 'stopped';

export interface CaptureOptions {
  /** Where the pictures come from (openSource, rtspSource). */
  source: CameraSource;
  width?: number;
  /** Give up on an attempt that shows no picture within this time. */
  firstFrameTimeoutMs?: number;
  /** A live stream with no frame for this long is declared stalled and reconnected. */
  stallTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /**
   * Hand at most this many frames a second to `frame`; the others are decoded (and counted) but
   * dropped inside GStreamer, never copied into JavaScript. Absent: every frame is handed over.
   * Changed later with `setDeliverFps`.
   */
  deliverFps?: number;
  /** Keep the newest decoded frame apart for `latest()` (only with `deliverFps`). */
  latest?: boolean;
}

export interface CaptureEvents {
  frame(f: Frame): void;
  state(s: CaptureState, reason: string | null): void;
}

export interface CaptureStats {
  state: CaptureState;
  reason: string | null;
  fps: number;
  frames: number;
  lastFrameAt: number | null;
  attempts: number;
  reconnects: number;
  /** Frame rate the stream declares (0 until known). */
  nominalFps: number;
  /** Frames the stream should have delivered while live at its declared rate but did not. */
  dropped: number;
}

/**
 * One camera's capture: runs the receive chain of its source, reconnects with exponential
 * backoff after an error, an end of stream, a stall or a stream that never shows a picture, and
 * reports each state change with its reason. A source that loops (a file) starts again at its
 * end without counting a failure.
 */
export class CameraCapture {
  private pipeline: GstPipeline | null = null;
  /** The chain's rate limiter (when frames are limited) and its input count already accounted. */
  private rate: GstElement | null = null;
  /** The appsink holding only the newest frame (`latest()`), and the pull on it that is out. */
  private latestSink: GstElement | null = null;
  private latestPull: Promise<Frame | null> | null = null;
  private size = { width: 0, height: 0 };
  private rateLimit = 0;
  private counted = 0;
  private pulled = 0;
  private deliverFps: number | undefined;
  private generation = 0;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private attemptStarted = 0;
  private lastWarning: string | null = null;
  private readonly meter = new FpsMeter();
  private st: CaptureStats = {
    state: 'stopped',
    reason: null,
    fps: 0,
    frames: 0,
    lastFrameAt: null,
    attempts: 0,
    reconnects: 0,
    nominalFps: 0,
    dropped: 0,
  };
  private period = { start: 0, last: 0, frames: 0 };
  private droppedClosed = 0;
  private seq = 0;
  /** The source started again at its end: the next frame opens a new period of loss accounting. */
  private replayed = false;

  constructor(
    private readonly opts: CaptureOptions,
    private readonly events: CaptureEvents,
    private readonly logger: Logger,
  ) {
    this.deliverFps = opts.deliverFps;
  }

  /** Frames a second handed to `frame` from now on (only for a capture built with `deliverFps`). */
  setDeliverFps(fps: number): void {
    this.deliverFps = fps;
    this.applyRateLimit();
  }

  /**
   * The limit goes on once the stream's own rate is known: the appsink's caps carry the limited
   * rate after it, and the declared rate is what frame loss is measured against.
   */
  private applyRateLimit(): void {
    if (!this.rate || this.deliverFps === undefined || !this.st.nominalFps) return;
    const limit = this.deliverFps >= this.st.nominalFps ? 2_147_483_647 : Math.max(1, Math.round(this.deliverFps));
    if (limit === this.rateLimit) return;
    this.rateLimit = limit;
    this.rate['max-rate'] = limit;
  }

  /** Accounts frames decoded since the last look: every pulled frame, or the limiter's input count. */
  private observeDecoded(now: number): void {
    const total = this.rate ? Number(this.rate.in) || 0 : this.pulled;
    const n = total - this.counted;
    if (n <= 0) return;
    this.counted = total;
    this.meter.tick(now, n);
    this.st.frames += n;
    this.st.lastFrameAt = now;
    this.period.frames += n;
    this.period.last = now;
  }

  stats(): CaptureStats {
    return { ...this.st, fps: this.meter.fps(Date.now()), dropped: this.droppedClosed + this.periodDropped() };
  }

  private periodDropped(): number {
    const { start, last, frames } = this.period;
    if (!frames || !this.st.nominalFps) return 0;
    return Math.max(0, Math.round(((last - start) / 1000) * this.st.nominalFps) + 1 - frames);
  }

  start(): void {
    this.connect();
    this.watchdog = setInterval(() => this.check(), 500);
  }

  stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.teardown();
    this.setState('stopped', null);
  }

  private setState(s: CaptureState, reason: string | null): void {
    if (this.st.state === s && this.st.reason === reason) return;
    this.st.state = s;
    this.st.reason = reason;
    this.events.state(s, reason);
  }

  /** Builds and plays the chain; `replay`: the same source again from its start, still live. */
  private connect(replay = false): void {
    const gen = ++this.generation;
    if (!replay) {
      this.st.attempts++;
      this.attemptStarted = Date.now();
      this.lastWarning = null;
      this.setState('connecting', this.st.reason);
    }
    let p: GstPipeline;
    const limited = this.deliverFps !== undefined,
      withLatest = limited && this.opts.latest === true;
    try {
      p = newPipeline(
        receiveChain({ decode: this.opts.source.decodeChain(), width: this.opts.width, rateLimiter: limited, latestSink: withLatest }),
      );
    } catch (err) {
      this.fail(gen, `cannot build the receive pipeline: ${(err as Error).message}`);
      return;
    }
    this.pipeline = p;
    this.rate = limited ? (p.findChild('rate') ?? null) : null;
    this.latestSink = withLatest ? (p.findChild('latest') ?? null) : null;
    this.latestPull = null;
    this.size = { width: 0, height: 0 };
    this.rateLimit = 0;
    this.counted = 0;
    this.pulled = 0;
    this.st.nominalFps = 0;
    p.pollBus((msg) => {
      if (gen !== this.generation) return;
      if (msg.type === 'error')
        this.fail(
          gen,
          this.opts.source.explain(
            msg.message ?? 'unknown error',
            msg._src_element_name,
            typeof msg.debug === 'string' ? msg.debug : undefined,
          ),
        );
      else if (msg.type === 'eos' && this.opts.source.loops) this.replay(gen);
      else if (msg.type === 'eos') this.fail(gen, 'stream ended (end of stream from the camera)');
      else if (msg.type === 'warning' && msg.message) this.lastWarning = String(msg.message);
    });
    const sink = p.findChild('sink')!;
    let width = 0,
      height = 0;
    const onSample = (buf: Buffer | null, caps?: Record<string, unknown> | null) => {
      if (gen !== this.generation) return;
      if (caps) {
        width = Number(caps.width) || width;
        height = Number(caps.height) || height;
        this.size = { width, height };
        const fr = /^(\d+)\/(\d+)$/.exec(String(caps.framerate ?? ''));
        // Once limited, the caps carry the limiter's rate, not the stream's.
        if (fr && Number(fr[2]) > 0 && !this.rateLimit) {
          this.st.nominalFps = Number(fr[1]) / Number(fr[2]);
          this.applyRateLimit();
        }
      }
      if (!buf) {
        // Null = EOS or flush: the bus tells which; pulling again would spin.
        return;
      }
      if (!width || !height) {
        sink.pull(onSample);
        return;
      }
      const now = Date.now();
      this.pulled++;
      this.observeDecoded(now);
      if (this.st.state !== 'live' || this.replayed) {
        // Loss is counted from the first frame on; the frames decoded before it are not.
        this.period = { start: now, last: now, frames: 1 };
        this.replayed = false;
        this.attempt = 0;
        this.setState('live', null);
      }
      sink.pull(onSample);
      this.events.frame({ seq: this.seq++, width, height, data: lumaPlane(buf, width, height), capturedAt: now });
    };
    // Play first: a pull on an appsink that is not yet running returns null at once.
    p.play();
    sink.pull(onSample);
  }

  /**
   * The newest decoded frame, pulled now from the `latest` appsink (a capture built with
   * `latest`): the one waiting there, or the next one decoded. Null when there is no such sink,
   * the stream is not live, no frame comes within `timeoutMs`, or the pull of an earlier call that
   * timed out is still out (never a second pull; and a sink that stopped giving frames costs one
   * wait, not one per call). A frame that was already waiting may have come up to one frame
   * interval ago, and its capture time says so: the earliest it may have come.
   */
  latest(timeoutMs = 200): Promise<Frame | null> {
    const pull = this.latestPull ? null : this.pullLatest();
    if (!pull) return Promise.resolve(null);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    return Promise.race([pull, timeout]).finally(() => clearTimeout(timer));
  }

  private pullLatest(): Promise<Frame | null> | null {
    const sink = this.latestSink,
      gen = this.generation;
    const { width, height } = this.size;
    if (!sink || this.st.state !== 'live' || !width || !height) return null;
    const asked = Date.now();
    const pull = new Promise<Frame | null>((resolve) => {
      sink.pull((buf) => {
        if (this.latestPull === pull) this.latestPull = null;
        if (!buf || gen !== this.generation || buf.length < width * height) {
          resolve(null);
          return;
        }
        const now = Date.now();
        const interval = this.st.nominalFps ? 1000 / this.st.nominalFps : 0;
        resolve({
          seq: this.seq,
          width,
          height,
          data: lumaPlane(buf, width, height),
          capturedAt: now - asked < 2 ? Math.round(now - interval) : now,
        });
      });
    });
    this.latestPull = pull;
    return pull;
  }

  private check(): void {
    const now = Date.now();
    const { firstFrameTimeoutMs = 10_000, stallTimeoutMs = 5_000 } = this.opts;
    if (!this.pipeline) return;
    if (this.st.state === 'live') this.observeDecoded(now);
    if (this.st.state === 'connecting' && now - this.attemptStarted > firstFrameTimeoutMs) {
      const hint = this.lastWarning ? ` (last warning: ${this.lastWarning})` : '';
      this.fail(this.generation, `no picture within ${Math.round(firstFrameTimeoutMs / 1000)} s: stream undecodable or silent${hint}`);
    } else if (this.st.state === 'live' && this.st.lastFrameAt && now - this.st.lastFrameAt > stallTimeoutMs) {
      this.fail(this.generation, `stream stalled: no frame for ${Math.round(stallTimeoutMs / 1000)} s`);
    }
  }

  /** A looping source at its end: the chain is built again at once, the capture stays live. */
  private replay(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.teardown();
    this.droppedClosed += this.periodDropped();
    this.period = { start: 0, last: 0, frames: 0 };
    this.replayed = true;
    this.connect(true);
  }

  private fail(gen: number, reason: string): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.teardown();
    this.droppedClosed += this.periodDropped();
    this.period = { start: 0, last: 0, frames: 0 };
    this.setState('failed', reason);
    const delay = backoffMs(this.attempt++, this.opts.backoffInitialMs ?? 500, this.opts.backoffMaxMs ?? 30_000);
    this.logger.warn('camera stream failed; reconnecting', { reason, retryInMs: delay });
    this.st.reconnects++;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private teardown(): void {
    const p = this.pipeline;
    this.pipeline = null;
    this.rate = null;
    this.latestSink = null;
    this.latestPull = null;
    try {
      p?.stop();
    } catch (err) {
      this.logger.warn('stopping the pipeline failed', { err: err as Error });
    }
  }
}
