import type { Frame } from './capture/index.ts';
import { resizeRegion, type Image } from './render/raster.ts';

/**
 * The vehicle image an agency may store with a read (recognition.vehicleImage, off by default:
 * guidelines 6a): the frame's region around the plate's vehicle. Measured in plate widths, since
 * the box is the serial's line of text, whose height says little about the car: a car is about six
 * plates wide and four to five tall, with the plate low on it, so the region reaches further above
 * the plate than below. Small enough (at most VEHICLE_IMAGE_WIDTH wide, grey) to cost a few kB to a
 * few tens of kB as a JPEG.
 */
export const VEHICLE_IMAGE_WIDTH = 480;
/** Region width and height, in plate (box) widths. */
const WIDE = 6;
const HIGH = 4.5;
/** Of the region's height, the share above the plate box's centre. */
const ABOVE = 0.75;

/** The region [x, y, w, h] around the plate box [x, y, w, h], clipped to the frame. Pure. */
export function vehicleRegion(
  box: readonly [number, number, number, number],
  width: number,
  height: number,
): [number, number, number, number] {
  const [x, y, w, h] = box;
  const cx = x + w / 2;
  const cy = y + h / 2;
  const rw = w * WIDE;
  const rh = w * HIGH;
  const x0 = Math.max(0, Math.round(cx - rw / 2));
  const y0 = Math.max(0, Math.round(cy - rh * ABOVE));
  const x1 = Math.min(width, Math.round(cx + rw / 2));
  const y1 = Math.min(height, Math.round(cy + rh * (1 - ABOVE)));
  return [x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0)];
}

/** The vehicle region of a frame, scaled down to at most VEHICLE_IMAGE_WIDTH wide. */
export function vehicleCrop(frame: Frame, box: readonly [number, number, number, number]): Image {
  const [x, y, w, h] = vehicleRegion(box, frame.width, frame.height);
  const scale = Math.min(1, VEHICLE_IMAGE_WIDTH / w);
  const img: Image = { width: frame.width, height: frame.height, channels: 1, data: frame.data };
  return resizeRegion(img, x, y, w, h, Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale)));
}
