import { randomUUID } from 'node:crypto';
import type { PlateReadInput } from '../../contracts/index.ts';
import { encodeJpeg } from '../../pipeline/render/index.ts';

/** A valid read with overridable fields: what a camera worker would publish. */
export function makeRead(over: Partial<PlateReadInput> = {}): PlateReadInput {
  const at = over.capturedAt ?? new Date().toISOString();
  return {
    id: randomUUID(),
    siteId: 'site-1',
    cameraId: 'cam-1',
    capturedAt: at,
    firstSeenAt: at,
    lastSeenAt: at,
    plate: 'ABC1234',
    confidence: 0.93,
    candidates: [{ text: 'ABC1Z34', confidence: 0.04 }],
    state: 'FL',
    stateConfidence: 0.8,
    location: { lat: 30.4383, lon: -84.2807, description: 'US-27 at Capital Circle, northbound' },
    direction: 'N',
    framesSeen: 7,
    ...over,
  };
}

/** A real JPEG of a grey gradient, as base64 (what a camera worker publishes as a read's crop). */
export async function jpegBase64(width = 16, height = 8): Promise<string> {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
  return (await encodeJpeg({ width, height, channels: 1, data }, 80)).toString('base64');
}

// Encoded once at import, so that fixtures built at a test module's top level can use it.
const SMALL_JPEG = await jpegBase64();

/** A small real JPEG as base64: enough for the image path without binary fixtures. */
export function smallJpegBase64(): string {
  return SMALL_JPEG;
}
