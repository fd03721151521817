import { randomInt } from 'node:crypto';

/**
 * Read ids: UUIDv7 (RFC 9562) whose 48-bit time is the read's capture millisecond and whose
 * "random" bits are a 30-bit tag of the camera and a per-process counter (the RFC's monotonic
 * counter method). Unique in practice (a camera would need two processes issuing the same counter
 * value in the same millisecond), and cheap to store: the store keeps reads sorted by camera and
 * time, where consecutive ids differ in a few low bytes and compress to a few bytes instead of
 * the 16 a random UUID costs (store/migrations/060_reads_by_camera.sql). Any valid UUID is still
 * accepted as a read id; this is what the pipeline issues.
 */
// Drawn at the first id, not at import: the dashboard's bundle imports contracts/ too, and a
// browser has no node:crypto to call at load.
let counter: number | null = null;

/** FNV-1a over the camera id, folded to 30 bits. */
function cameraTag(cameraId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < cameraId.length; i++) {
    h ^= cameraId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x3fffffff;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function newReadId(cameraId: string, capturedAtMs: number): string {
  const ms = Math.max(0, Math.min(Math.floor(capturedAtMs), 2 ** 48 - 1));
  counter = ((counter ?? randomInt(2 ** 32)) + 1) >>> 0;
  const tag = cameraTag(cameraId);
  const t = hex(ms, 12);
  // variant bits 10, then the tag's top 2 bits; then its low 28 bits; then the counter.
  const variant = hex(0x8 | (tag >>> 28), 1);
  return `${t.slice(0, 8)}-${t.slice(8)}-7000-${variant}${hex((tag >>> 16) & 0xfff, 3)}-${hex(tag & 0xffff, 4)}${hex(counter, 8)}`;
}

/** The capture millisecond a pipeline-issued id carries (any UUIDv7's time field). */
export function readIdTime(id: string): number | null {
  if (id[14] !== '7') return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
