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

export interface ReceiveChainOptions {
  /** The source's part, up to decoded raw video (CameraSource.decodeChain). */
  decode: string;
  /** Scale frames to this width (height follows the aspect); native size when absent. */
  width?: number;
  /** Appsink queue: small, and dropping, so a slow consumer sees fresh frames, not a backlog. */
  maxBuffers?: number;
  /**
   * A `videorate` named `rate` before the appsink, so that frames nobody will look at are dropped
   * inside GStreamer (its `max-rate` is set at run time) instead of each being copied into
   * JavaScript: 3 MB a 1080p I420 frame, a tenth of a core per 25 fps camera.
   * Its `in` counter still counts every decoded frame.
   */
  rateLimiter?: boolean;
  /**
   * A second appsink named `latest` beside the limited one, holding only the newest decoded frame
   * and pulled only on demand: a frame read after waiting for its turn at recognition is then at
   * most one frame interval old, not up to one delivery interval (125 ms at 8 a second). Frames
   * nobody pulls are dropped inside GStreamer, never copied into JavaScript.
   */
  latestSink?: boolean;
}

/** A string as a gst-launch property value. */
export const gstQuote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/**
 * Raw formats the appsink takes: 8-bit YUV layouts whose first plane is the luma, which is all
 * recognition reads. The decoder's own output (I420 from H.264 and H.265 cameras) passes
 * through untouched: converting it to GRAY8 costs videoconvert about twice what decoding a 1080p
 * frame costs, so a camera's decoding would take about three times the CPU.
 */
const LUMA_FIRST_FORMATS = 'I420,YV12,NV12,NV21,Y42B,Y444,GRAY8';

/**
 * The receive chain for one camera, as a gst-launch description: the source's decoding chain →
 * appsink, converting only a format whose luma does not come first.
 */
export function receiveChain(o: ReceiveChainOptions): string {
  const scale = o.width ? ` ! videoscale ! video/x-raw,width=${o.width},pixel-aspect-ratio=1/1` : '';
  return (
    [
      o.decode,
      `videoconvert${scale} ! video/x-raw,format=(string){${LUMA_FIRST_FORMATS}}`,
      ...(o.latestSink ? ['tee name=split', 'queue max-size-buffers=2 leaky=downstream'] : []),
      ...(o.rateLimiter ? ['videorate name=rate drop-only=true'] : []),
      `appsink name=sink sync=false max-buffers=${o.maxBuffers ?? 2} drop=true`,
    ].join(' ! ') +
    (o.latestSink ? ' split. ! queue max-size-buffers=1 leaky=downstream ! appsink name=latest sync=false max-buffers=1 drop=true' : '')
  );
}

/**
 * The luma plane of a frame in one of LUMA_FIRST_FORMATS, as a width×height grey image. Rows in
 * GStreamer's default layout are padded to 4 bytes, so only a width that is not a multiple of 4
 * costs a copy; otherwise the plane is a view of the buffer.
 */
export function lumaPlane(buf: Uint8Array, width: number, height: number): Uint8Array {
  const stride = (width + 3) & ~3;
  if (buf.length < stride * (height - 1) + width)
    throw new Error(`frame buffer of ${buf.length} bytes is too small for ${width}x${height}`);
  if (stride === width) return buf.subarray(0, width * height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) out.set(buf.subarray(y * stride, y * stride + width), y * width);
  return out;
}
