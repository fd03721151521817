import { createRequire } from 'node:module';

/**
 * The slice of gstreamer-superficial the capture uses (the package ships no types). Loaded
 * lazily: importing the pipeline for tests of pure parts must not load the native addon.
 */
export interface GstElement {
  pull(cb: (buf: Buffer | null, caps?: Record<string, unknown> | null) => void): void;
  [prop: string]: unknown;
}

export interface GstPipeline {
  play(): void;
  pause(): void;
  stop(): void;
  sendEOS(): void;
  findChild(name: string): GstElement | undefined;
  pollBus(cb: (msg: GstBusMessage) => void): void;
}

export interface GstBusMessage {
  type: string;
  message?: string;
  _src_element_name?: string;
  [k: string]: unknown;
}

let addon: { Pipeline: new (desc: string) => GstPipeline } | null = null;

export function newPipeline(desc: string): GstPipeline {
  addon ??= createRequire(import.meta.url)('gstreamer-superficial');
  return new addon!.Pipeline(desc);
}

export type Codec = 'h264' | 'h265';

export interface ReceiveChainOptions {
  url: string;
  transport: 'tcp' | 'udp';
  codec: Codec;
  latencyMs?: number;
  /** Scale frames to this width (height follows the aspect); native size when absent. */
  width?: number;
  /** Appsink queue: small, and dropping, so a slow consumer sees fresh frames, not a backlog. */
  maxBuffers?: number;
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/**
 * The receive chain for one camera, as a gst-launch description: RTSP → depay → parse →
 * libav decode → grey at appsink. Grey because recognition reads luminance only and it is a
 * third of the bytes to copy into JavaScript per frame.
 */
export function receiveChain(o: ReceiveChainOptions): string {
  const depay = o.codec === 'h265' ? 'rtph265depay ! h265parse ! avdec_h265' : 'rtph264depay ! h264parse ! avdec_h264';
  const scale = o.width ? ` ! videoscale ! video/x-raw,width=${o.width},pixel-aspect-ratio=1/1` : '';
  return [
    `rtspsrc name=src location=${quote(o.url)} protocols=${o.transport} latency=${o.latencyMs ?? 100} tcp-timeout=5000000 timeout=5000000`,
    depay,
    `videoconvert${scale} ! video/x-raw,format=GRAY8`,
    `appsink name=sink sync=false max-buffers=${o.maxBuffers ?? 2} drop=true`,
  ].join(' ! ');
}
