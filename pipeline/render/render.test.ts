import { describe, expect, it } from 'vitest';
import { US_STATES } from '../../contracts/index.ts';
import { renderPlate, randomPlate } from './plate.ts';
import { rng } from './raster.ts';
import { PLATE_DESIGNS } from './states.ts';

describe('plate renderer', () => {
  it('has a design for each of the 50 states and DC', () => {
    expect(PLATE_DESIGNS.map((d) => d.state).sort()).toEqual([...US_STATES].sort());
  });

  it('renders every state deterministically, with its labels', () => {
    for (const d of PLATE_DESIGNS) {
      const a = renderPlate({ state: d.state, seed: 5, width: 160 });
      const b = renderPlate({ state: d.state, seed: 5, width: 160 });
      expect(a.image.width).toBe(160);
      expect(a.image.height).toBe(80);
      expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
      expect(a.text).toMatch(/^[A-Z0-9]{5,8}$/);
      const [x, y, w, h] = a.textBox;
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x + w).toBeLessThanOrEqual(160);
      expect(y + h).toBeLessThanOrEqual(80);
    }
  });

  it('draws the serial: text pixels differ from the background', () => {
    const p = renderPlate({ state: 'FL', serial: 'ABC 1234', width: 200, channels: 1 });
    expect(p.text).toBe('ABC1234');
    const [x, y, w, h] = p.textBox;
    const values = new Set<number>();
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) values.add(p.image.data[yy * 200 + xx]!);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(100);
  });

  it('draws a random state from a seeded generator', () => {
    const a = randomPlate(rng(3)),
      b = randomPlate(rng(3));
    expect(a.text).toBe(b.text);
    expect(a.state).toBe(b.state);
  });
});
