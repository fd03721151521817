import { describe, expect, it } from 'vitest';
import { VEHICLE_IMAGE_WIDTH, vehicleCrop, vehicleRegion } from './vehicle-image.ts';

describe('vehicle region', () => {
  it('spans about six plate widths across and four and a half up and down, mostly above the plate', () => {
    const [x, y, w, h] = vehicleRegion([500, 400, 100, 30], 1920, 1080);
    expect([w, h]).toEqual([600, 450]);
    expect(x).toBe(250); // centred on the plate
    const centre = 415;
    expect(centre - y).toBeGreaterThan(y + h - centre); // more room above the plate than below
  });

  it('is clipped to the frame', () => {
    expect(vehicleRegion([10, 5, 100, 30], 640, 360)).toEqual([0, 0, 360, 133]);
    const [x, y, w, h] = vehicleRegion([600, 340, 40, 20], 640, 360);
    expect(x + w).toBe(640);
    expect(y + h).toBe(360);
  });

  it('is scaled down to at most the stored width', () => {
    const frame = { seq: 1, width: 3840, height: 2160, capturedAt: 0, data: new Uint8Array(3840 * 2160) };
    const img = vehicleCrop(frame, [1500, 1200, 300, 90]);
    expect(img.width).toBe(VEHICLE_IMAGE_WIDTH);
    expect(img.height).toBe(Math.round(1350 * (VEHICLE_IMAGE_WIDTH / 1800)));
  });
});
