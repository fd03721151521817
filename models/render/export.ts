/**
 * Exports what the Python training scripts need from the project's TypeScript renderer
 * (pipeline/render/), into models/.cache/ (git-ignored):
 *
 * - designs.json: the 51 plate designs (name, slogan, colours, serial formats, name position);
 * - glyphs.bin:   the renderer's stroke font as coverage masks, every plate character in several
 *                 weights and widths (the Python plate composer draws serials with them);
 * - plates.bin:   a pool of plates rendered by `renderPlate` itself (grey, 256x128), with labels.
 *
 *   node --import tsx models/render/export.ts [--plates N] [--seed S]
 *
 * Deterministic for a given seed. Binary layouts are described in models/train/synth.py.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PLATE_DESIGNS, renderPlate, resize, rng, textMask, toGray } from '../../pipeline/render/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = path.join(here, '..', '.cache');
const { values } = parseArgs({ options: { plates: { type: 'string', default: '12000' }, seed: { type: 'string', default: '7' } } });
const nPlates = Number(values.plates);
const seed = Number(values.seed);
mkdirSync(cache, { recursive: true });

writeFileSync(path.join(cache, 'designs.json'), JSON.stringify(PLATE_DESIGNS, null, 1));

// Glyph atlas: 64 px cap height, each glyph in its own cell of GW x GH bytes.
const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-';
const STYLES: { aspect: number; weight: number }[] = [];
for (const aspect of [0.38, 0.46, 0.54, 0.62]) for (const weight of [0.09, 0.13, 0.18]) STYLES.push({ aspect, weight });
const GH = 80,
  GW = 64;
const atlas = Buffer.alloc(16 + CHARS.length * STYLES.length * GW * GH);
atlas.writeUInt32LE(CHARS.length, 0);
atlas.writeUInt32LE(STYLES.length, 4);
atlas.writeUInt32LE(GW, 8);
atlas.writeUInt32LE(GH, 12);
let off = 16;
for (const s of STYLES) {
  for (const ch of CHARS) {
    const m = textMask(ch, { height: 64, aspect: s.aspect, weight: s.weight, spacing: 0 });
    // Mask origin sits `offset` px above/left of the glyph box; store the glyph box plus its stroke margin.
    for (let y = 0; y < Math.min(GH, m.height); y++) {
      for (let x = 0; x < Math.min(GW, m.width); x++) atlas[off + y * GW + x] = Math.round(255 * m.mask[y * m.width + x]!);
    }
    off += GW * GH;
  }
}
writeFileSync(path.join(cache, 'glyphs.bin'), atlas);
writeFileSync(path.join(cache, 'glyphs.json'), JSON.stringify({ chars: CHARS, styles: STYLES, cell: [GW, GH], capHeight: 64 }));

// Plate pool: renderPlate at random widths (detail varies with size), resized to 256x128 grey.
const random = rng(seed);
const REC = 16 + 256 * 128;
const pool = Buffer.alloc(8 + nPlates * REC);
pool.writeUInt32LE(nPlates, 0);
pool.writeUInt32LE(REC, 4);
for (let i = 0; i < nPlates; i++) {
  const design = PLATE_DESIGNS[Math.floor(random() * PLATE_DESIGNS.length)]!;
  const width = 120 + Math.floor(random() * 280);
  const p = renderPlate({ state: design.state, width, channels: 3, seed: Math.floor(random() * 2 ** 31), wear: random() * 0.5 });
  const img = resize(toGray(p.image), 256, 128);
  const o = 8 + i * REC;
  pool.write(p.text.padEnd(10, ' ').slice(0, 10), o, 'latin1');
  pool.writeUInt16LE(PLATE_DESIGNS.indexOf(design), o + 10);
  pool.set(img.data, o + 16);
  if ((i + 1) % 2000 === 0) process.stderr.write(`plates ${i + 1}/${nPlates}\n`);
}
writeFileSync(path.join(cache, 'plates.bin'), pool);
console.log(JSON.stringify({ designs: PLATE_DESIGNS.length, glyphs: CHARS.length * STYLES.length, plates: nPlates, dir: cache }));
