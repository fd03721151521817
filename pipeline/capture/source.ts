import type { CameraSourceConfig } from '../../contracts/index.ts';
import { fileSource } from './file.ts';
import { rtspSource } from './rtsp.ts';

/**
 * Where a camera's pictures come from, as the capture needs it: the head of the GStreamer
 * chain, up to decoded raw video. The capture adds the rest (luma-first conversion, the rate
 * limiter, the appsinks) and handles reconnection, stalls and frame accounting the same way
 * for every kind.
 *
 * A new kind (MJPEG over HTTP, a V4L2 device) is one file that implements this, an entry in
 * SOURCES below and its branch in contracts/config.ts's cameraSourceSchema; the mapped type of
 * SOURCES fails to compile while a configured kind has no implementation.
 */
export interface CameraSource {
  readonly kind: CameraSourceConfig['kind'];
  /** How logs name the source: never with credentials. */
  readonly label: string;
  /**
   * Whether the end of the stream starts it again at once (a file played in a loop) rather than
   * being a failure to reconnect from after a backoff (a camera that hung up).
   */
  readonly loops: boolean;
  /** gst-launch description from the source element to decoded raw video; built afresh at each (re)connection. */
  decodeChain(): string;
  /**
   * An error of the chain in words an operator can act on. It may change what the next
   * decodeChain() builds (RTSP tries the other codec after a stream that does not link).
   */
  explain(message: string, element?: string, debug?: string): string;
}

type SourceFactories = { [K in CameraSourceConfig['kind']]: (config: Extract<CameraSourceConfig, { kind: K }>) => CameraSource };

const SOURCES: SourceFactories = { rtsp: rtspSource, file: fileSource };

/** The source a camera's configuration describes (contracts' cameraSource() resolves `url` to RTSP). */
export function openSource(config: CameraSourceConfig): CameraSource {
  return (SOURCES[config.kind] as (c: CameraSourceConfig) => CameraSource)(config);
}
