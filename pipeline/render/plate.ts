import { normalizePlate, type UsState } from '../../contracts/index.ts';
import { measureText, textMask, type TextStyle } from './font.ts';
import { blendMask, createImage, fillRect, rng, type Image, type Rgb } from './raster.ts';
import { PLATE_DESIGNS, plateDesign, randomSerial } from './states.ts';

export interface RenderPlateOptions {
  state: UsState;
  /** Serial as printed ("ABC 1234"); random in the state's format when absent. */
  serial?: string;
  /** Plate width in pixels; the height is half of it (US plates are 12 × 6 in). */
  width?: number;
  channels?: 1 | 3;
  /** Seed for the random serial and the wear. */
  seed?: number;
  /** 0..1: brightness noise and faded paint, for training variety. */
  wear?: number;
}

/** A rendered plate with its labels: what the simulator pastes and what training data needs. */
export interface RenderedPlate {
  image: Image;
  state: UsState;
  /** Serial as printed, e.g. "ABC 1234". */
  serial: string;
  /** Serial in the canonical read form, e.g. "ABC1234". */
  text: string;
  /** Box of the serial characters within the image: [x, y, w, h]. */
  textBox: [number, number, number, number];
  /** Box of the state name within the image. */
  nameBox: [number, number, number, number];
}

function drawCentered(
  img: Image,
  text: string,
  style: TextStyle,
  cx: number,
  top: number,
  color: Rgb,
  maxWidth: number,
): [number, number, number, number] {
  // Long names (DISTRICT OF COLUMBIA) are condensed to fit, as on the real plates.
  let s = style;
  const w = measureText(text, s);
  if (w > maxWidth) s = { ...s, aspect: ((s.aspect ?? 0.5) * maxWidth) / w, spacing: ((s.spacing ?? 0.12) * maxWidth) / w };
  const m = textMask(text, s);
  const x = Math.round(cx - (m.width - 2 * m.offset) / 2) - m.offset;
  const y = Math.round(top) - m.offset;
  blendMask(img, m.mask, m.width, m.height, x, y, color);
  return [x + m.offset, y + m.offset, m.width - 2 * m.offset, m.height - 2 * m.offset];
}

/** Renders one plate of `state`. Deterministic for a given seed. */
export function renderPlate(opts: RenderPlateOptions): RenderedPlate {
  const design = plateDesign(opts.state);
  const random = rng(opts.seed ?? 1);
  const serial = (opts.serial ?? randomSerial(design, random)).toUpperCase();
  const W = Math.max(40, Math.round(opts.width ?? 320));
  const H = Math.round(W / 2);
  const img = createImage(W, H, opts.channels ?? 3, design.background);

  // Border, then a slightly darker band so the plate edge shows against any car paint.
  const border = Math.max(1, Math.round(W * 0.012));
  fillRect(img, 0, 0, W, border, design.accent);
  fillRect(img, 0, H - border, W, border, design.accent);
  fillRect(img, 0, 0, border, H, design.accent);
  fillRect(img, W - border, 0, border, H, design.accent);

  const nameH = H * 0.15;
  const nameTop = design.namePosition === 'top' ? H * 0.06 : H * 0.8;
  const nameBox = drawCentered(
    img,
    design.name,
    { height: nameH, aspect: 0.55, weight: 0.14, spacing: 0.16 },
    W / 2,
    nameTop,
    design.accent,
    W * 0.84,
  );

  const textH = H * 0.46;
  const textTop = H * 0.28;
  const textBox = drawCentered(
    img,
    serial,
    { height: textH, aspect: 0.5, weight: 0.13, spacing: 0.1 },
    W / 2,
    textTop,
    design.text,
    W * 0.9,
  );

  if (design.slogan) {
    const sloganTop = design.namePosition === 'top' ? H * 0.82 : H * 0.06;
    drawCentered(
      img,
      design.slogan,
      { height: H * 0.09, aspect: 0.55, weight: 0.14, spacing: 0.14 },
      W / 2,
      sloganTop,
      design.accent,
      W * 0.84,
    );
  }

  const wear = opts.wear ?? 0;
  if (wear > 0) {
    const d = img.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.max(0, Math.min(255, d[i]! + (random() - 0.5) * 60 * wear));
  }
  return { image: img, state: design.state, serial, text: normalizePlate(serial), textBox, nameBox };
}

/** A random plate from any of the 51 jurisdictions (uniform), for simulators and training sets. */
export function randomPlate(random: () => number, opts: Omit<RenderPlateOptions, 'state' | 'serial' | 'seed'> = {}): RenderedPlate {
  const design = PLATE_DESIGNS[Math.floor(random() * PLATE_DESIGNS.length)]!;
  return renderPlate({ ...opts, state: design.state, seed: Math.floor(random() * 2 ** 31) });
}
