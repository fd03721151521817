import { describe, expect, it } from 'vitest';
import { cameraSource, configSchema } from '../../contracts/index.ts';
import { receiveChain } from './gst.ts';
import { openSource } from './source.ts';

const rtsp = (url: string, transport: 'tcp' | 'udp' = 'tcp') => openSource({ kind: 'rtsp', url, transport });

describe('camera sources', () => {
  it('builds the receive chain per codec and transport', () => {
    const chain = (o: Parameters<typeof receiveChain>[0]) => receiveChain(o);
    const tcp = rtsp('rtsp://h/x');
    expect(chain({ decode: tcp.decodeChain() })).toMatch(
      /protocols=tcp.*rtph264depay ! h264parse ! avdec_h264 ! videoconvert ! video\/x-raw,format=\(string\)\{I420,[A-Z0-9,]*\} ! appsink name=sink sync=false max-buffers=2 drop=true/,
    );
    expect(chain({ decode: tcp.decodeChain() })).not.toMatch(/videorate/);
    expect(chain({ decode: tcp.decodeChain(), rateLimiter: true })).toMatch(/GRAY8\} ! videorate name=rate drop-only=true ! appsink/);
    // The newest-frame sink hangs off a tee; each branch has its own queue, or neither sink ever gets a frame.
    expect(chain({ decode: tcp.decodeChain(), rateLimiter: true, latestSink: true })).toMatch(
      /GRAY8\} ! tee name=split ! queue [^!]+ ! videorate name=rate drop-only=true ! appsink name=sink [^!]+ split\. ! queue [^!]+ ! appsink name=latest sync=false max-buffers=1 drop=true$/,
    );
    expect(rtsp('rtsp://h/x', 'udp').decodeChain()).toMatch(/protocols=udp/);
  });

  it('tries the other codec after an RTSP stream that does not link, and keeps credentials out of its label', () => {
    const src = rtsp('rtsp://admin:secret@10.0.0.5/s');
    expect(src.label).toBe('rtsp://***@10.0.0.5/s');
    expect(src.loops).toBe(false);
    expect(src.decodeChain()).toMatch(/avdec_h264/);
    expect(src.explain('Internal data stream error.', 'src', 'streaming stopped, reason not-linked (-1)')).toMatch(/trying H265 next/);
    expect(src.decodeChain()).toMatch(/rtph265depay ! h265parse ! avdec_h265/);
    expect(src.explain('Unauthorized', 'src')).toMatch(/refused the credentials/);
  });

  it('plays a file in a loop, paced by its timestamps, with only its video linked', () => {
    const src = openSource({ kind: 'file', path: 'clips/lane "1".mp4' });
    expect(src.loops).toBe(true);
    expect(src.decodeChain()).toMatch(/^filesrc name=src location="\/.*clips\/lane \\"1\\"\.mp4" ! decodebin ! video\/x-raw ! clocksync$/);
    expect(src.explain('Resource not found.', 'src')).toMatch(/cannot open the video file/);
  });

  it('takes a camera given by url as an RTSP source', () => {
    const cam = { id: 'c', name: 'c', location: { lat: 0, lon: 0, description: 'd' }, deploymentRef: 'r' };
    const cfg = configSchema.parse({
      cameras: [
        { ...cam, url: 'rtsp://h/x', transport: 'udp' },
        { ...cam, id: 'f', source: { kind: 'file', path: '/v.mkv' } },
      ],
    });
    expect(cfg.cameras.map((c) => cameraSource(c))).toEqual([
      { kind: 'rtsp', url: 'rtsp://h/x', transport: 'udp' },
      { kind: 'file', path: '/v.mkv' },
    ]);
    expect(openSource(cameraSource(cfg.cameras[1]!)).kind).toBe('file');
  });
});
