import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { blit, createImage, encodeJpeg, encodePng, fillRect, renderPlate } from '../../pipeline/render/index.ts';
import { tempDir } from '../helpers/nats.ts';

/** `alpr read --json FILE...`: the exact line contract the project's evaluations rely on. */
const BIN = path.resolve('bin/alpr.mjs');

function scene(state: 'FL' | 'TX', serial: string) {
  const img = createImage(960, 540, 3, [105, 110, 118]);
  fillRect(img, 280, 160, 420, 300, [70, 30, 30]);
  const p = renderPlate({ state, serial, width: 260, seed: 4 });
  blit(img, p.image, 350, 320);
  return { img, plate: p };
}

describe('alpr read --json', () => {
  it('prints one JSON line per file, plates best first, and an error line for a bad file', async () => {
    const dir = tempDir('read');
    // Serials in their state's formats (contracts/plate-formats.ts): a read outside them is ranked lower by design.
    const a = scene('FL', 'JKT D48');
    const b = scene('TX', 'DHM-4417');
    writeFileSync(path.join(dir, 'a.png'), await encodePng(a.img));
    writeFileSync(path.join(dir, 'b.jpg'), await encodeJpeg(b.img, 90));
    writeFileSync(path.join(dir, 'c.jpg'), 'not an image');
    const files = ['a.png', 'b.jpg', 'c.jpg'].map((f) => path.join(dir, f));
    const run = promisify(execFile)(process.execPath, [BIN, 'read', '--json', ...files], { timeout: 120_000 });
    const out = await run.then(
      (r) => r.stdout,
      (err: { code: number; stdout: string }) => {
        expect(err.code).toBe(1); // a file could not be read
        return err.stdout;
      },
    );
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.file)).toEqual(files);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(l.error ? ['error', 'file', 'ms', 'plates'] : ['file', 'ms', 'plates']);
      expect(typeof l.ms).toBe('number');
    }
    const [ra, rb, rc] = lines as {
      plates: { text: string; confidence: number; box: number[]; state: string | null; stateConfidence: number }[];
      error?: string;
    }[];
    expect(ra!.plates[0]).toMatchObject({ text: 'JKTD48', state: 'FL' });
    expect(rb!.plates[0]).toMatchObject({ text: 'DHM4417', state: 'TX' });
    for (const p of [ra!.plates[0]!, rb!.plates[0]!]) {
      expect(Object.keys(p).sort()).toEqual(['box', 'confidence', 'plateBox', 'state', 'stateConfidence', 'text']);
      expect(p.confidence).toBeGreaterThan(0.8);
      expect(p.box).toHaveLength(4);
      // Inside the plate drawn at (350, 320), 260 x 130, give or take 15 px (its box may take the frame's edge).
      const [x, y, w, h] = p.box as [number, number, number, number];
      expect(x).toBeGreaterThan(335);
      expect(x + w).toBeLessThan(625);
      expect(y).toBeGreaterThan(305);
      expect(y + h).toBeLessThan(465);
      // The detector's plate box holds the serial's centre.
      const [px, py, pw, ph] = (p as unknown as { plateBox: [number, number, number, number] }).plateBox;
      expect(x + w / 2).toBeGreaterThan(px);
      expect(x + w / 2).toBeLessThan(px + pw);
      expect(y + h / 2).toBeGreaterThan(py);
      expect(y + h / 2).toBeLessThan(py + ph);
    }
    expect(rc!.plates).toEqual([]);
    expect(rc!.error).toMatch(/not a JPEG or PNG/);
  }, 150_000);
});
