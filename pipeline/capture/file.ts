import path from 'node:path';
import { gstQuote } from './gst.ts';
import type { CameraSource } from './source.ts';

/**
 * A local video file played in a loop, at its own frame rate, in place of a camera: a recorded
 * clip replayed through the whole pipeline, or a bench without a network camera.
 * decodebin takes any container and codec the installed plugins know; only its video pad is
 * linked (the caps filter), and clocksync paces the frames to the file's timestamps, since the
 * appsink does not (a camera's stream comes at its own pace).
 */
export function fileSource(config: { path: string }): CameraSource {
  const file = path.resolve(config.path);
  return {
    kind: 'file',
    label: file,
    loops: true,
    decodeChain: () => `filesrc name=src location=${gstQuote(file)} ! decodebin ! video/x-raw ! clocksync`,
    explain(message, element) {
      if (/not found|Could not open/i.test(message)) return `cannot open the video file ${file}: ${message}`;
      if (/not-linked|no suitable|missing/i.test(message)) return `no video GStreamer can decode in ${file}: ${message}`;
      return `${element ? `${element}: ` : ''}${message}`;
    },
  };
}
