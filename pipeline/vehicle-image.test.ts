import { describe, expect, it } from 'vitest';
import { VEHICLE_IMAGE_WIDTH, vehicleCrop, vehicleRegion } from './vehicle-image.ts';

describe('vehicle region', () => {
  it('spans about six plate widths and five plate heights, mostly above the plate', () => {
    const [x, y, w, h] = vehicleRegion([500, 400, 100, 30], 1920, 1080);
    expect([w, h]).toEqual([600, 150]);
    expect(x).toBe(250); // centred on the plate
    expect(400 - y).toBeGreaterThan(y + h - 430); // more room above the plate than below
  });

  it('is clipped to the frame', () => {
    expect(vehicleRegion([10, 5, 100, 30], 640, 360)).toEqual([0, 0, 360, 71]);
    const [x, y, w, h] = vehicleRegion([600, 340, 40, 20], 640, 360);
    expect(x + w).toBe(640);
    expect(y + h).toBe(360);
  });

  it('is scaled down to at most the stored width', () => {
    const frame = { seq: 1, width: 3840, height: 2160, capturedAt: 0, data: new Uint8Array(3840 * 2160) };
    const img = vehicleCrop(frame, [1500, 1200, 300, 90]);
    expect(img.width).toBe(VEHICLE_IMAGE_WIDTH);
    expect(img.height).toBe(Math.round(450 * (VEHICLE_IMAGE_WIDTH / 1800)));
  });
});
