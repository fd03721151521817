import jpeg from 'jpeg-js';
import { randomUUID } from 'node:crypto';
import type { PlateReadInput } from '../../contracts/index.ts';

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

/** A small real JPEG (grey gradient) as base64: enough for the image path without binary fixtures. */
export function smallJpegBase64(width = 16, height = 8): string {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.fill((i * 7) % 256, i * 4, i * 4 + 3).writeUInt8(255, i * 4 + 3);
  return Buffer.from(jpeg.encode({ data, width, height }, 80).data).toString('base64');
}
