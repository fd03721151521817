import type { Frame } from './capture/index.ts';
import { resizeRegion, type Image } from './render/raster.ts';

/**
 * The vehicle image an agency may store with a read (recognition.vehicleImage, off by default:
 * guidelines 6a): the frame's region around the plate's vehicle. A car is about six plates wide;
 * the plate sits low on it, so the region reaches further above the plate than below. Small
 * enough (at most VEHICLE_IMAGE_WIDTH wide, grey) to cost a few tens of kB as a JPEG.
 */
export const VEHICLE_IMAGE_WIDTH = 480;
const WIDE = 6;
const HIGH = 5;
/** Of the region's height, the share above the plate's top edge. */
const ABOVE = 0.7;

/** The region [x, y, w, h] around the plate box [x, y, w, h], clipped to the frame. Pure. */
export function vehicleRegion(
  box: readonly [number, number, number, number],
  width: number,
  height: number,
): [number, number, number, number] {
  const [x, y, w, h] = box;
  const rw = w * WIDE;
  const rh = h * HIGH;
  const x0 = Math.max(0, Math.floor(x + w / 2 - rw / 2));
  const y0 = Math.max(0, Math.floor(y - (rh - h) * ABOVE));
  const x1 = Math.min(width, Math.ceil(x + w / 2 + rw / 2));
  const y1 = Math.min(height, Math.ceil(y + h + (rh - h) * (1 - ABOVE)));
  return [x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)];
}

/** The vehicle region of a frame, scaled down to at most VEHICLE_IMAGE_WIDTH wide. */
export function vehicleCrop(frame: Frame, box: readonly [number, number, number, number]): Image {
  const [x, y, w, h] = vehicleRegion(box, frame.width, frame.height);
  const scale = Math.min(1, VEHICLE_IMAGE_WIDTH / w);
  const img: Image = { width: frame.width, height: frame.height, channels: 1, data: frame.data };
  return resizeRegion(img, x, y, w, h, Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale)));
}
