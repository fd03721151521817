import { gstQuote } from './gst.ts';
import type { CameraSource } from './source.ts';

export type Codec = 'h264' | 'h265';

export interface RtspChainOptions {
  url: string;
  transport: 'tcp' | 'udp';
  codec: Codec;
  latencyMs?: number;
}

/** RTSP → depay → parse → libav decode, as a gst-launch description. */
export function rtspDecodeChain(o: RtspChainOptions): string {
  const depay = o.codec === 'h265' ? 'rtph265depay ! h265parse ! avdec_h265' : 'rtph264depay ! h264parse ! avdec_h264';
  return `rtspsrc name=src location=${gstQuote(o.url)} protocols=${o.transport} latency=${o.latencyMs ?? 100} tcp-timeout=5000000 timeout=5000000 ! ${depay}`;
}

/** The URL without the credentials it may carry. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * A network camera's RTSP stream. It alternates H.264 and H.265 chains when a stream does not
 * link, so a camera sending either works without configuration.
 */
export function rtspSource(config: { url: string; transport?: 'tcp' | 'udp'; latencyMs?: number }): CameraSource {
  let codec: Codec = 'h264';
  return {
    kind: 'rtsp',
    label: redactUrl(config.url),
    loops: false,
    decodeChain: () => rtspDecodeChain({ url: config.url, transport: config.transport ?? 'tcp', codec, latencyMs: config.latencyMs }),
    explain(message, element, debug) {
      // rtspsrc reports a depayloader that cannot take the stream's codec as "Internal data
      // stream error."; only the debug text says "not-linked".
      if (/not-linked|not negotiated|no suitable/i.test(`${message} ${debug ?? ''}`)) {
        codec = codec === 'h264' ? 'h265' : 'h264';
        return `${message} (${element ?? 'pipeline'}); trying ${codec.toUpperCase()} next`;
      }
      if (/not found/i.test(message)) return `camera URL not found: ${message}`;
      if (/Could not open resource/i.test(message)) return `cannot connect to the camera: ${message}`;
      if (/Could not read from resource/i.test(message))
        return `no playable stream from the camera (it answered but sent no media in time): ${message}`;
      if (/Unauthorized/i.test(message)) return `camera refused the credentials: ${message}`;
      return `${element ? `${element}: ` : ''}${message}`;
    },
  };
}
