import { conformToState, fitsStateFormat, type UsState } from '../../contracts/index.ts';
import type { Image } from '../render/raster.ts';
import { PpOcr, type PpOcrOptions } from './ppocr.ts';
import { formatPrior } from './format-prior.ts';
import { joinRows, type Line, nearEnough, stateBands, stateNear, timestampOverlay } from './lines.ts';
import { mergeLines, type PlateSteps, rectBox, type TextRect } from './ppocr-math.ts';
import { type PlateReader, type PlateResult, type ReadInput, type ReadOptions, roundScore as round } from './reader.ts';
import { plateSyntax, roundGlyphsAsZero, stateFromText } from './syntax.ts';

/**
 * Baseline reader on PP-OCRv4: find every text line, read them all in one batch, keep the
 * lines that can be serials, and tell the state from the name printed above or below the
 * serial. The name is small (a third of the serial's height), so rather than trust detection
 * to find it, the bands above and below each serial are read directly at full resolution.
 */

/** A state read this surely near a serial is taken without reading further lines or bands for it. */
const SURE_STATE = 0.8;

export interface BaselineReadOptions extends ReadOptions {
  /** Each input is the window around one plate (a detector found it): only its tallest text
   * lines are read as serials. */
  plateWindows?: boolean;
  /** Each read keeps its serial's per-step probabilities (`SteppedResult`), for a second
   * reader's opinion; off by default, since they are a reader's working, not a read. */
  withSteps?: boolean;
}

/** A read with the recogniser's per-step probabilities of its serial line (`withSteps`). */
export type SteppedResult = PlateResult & { steps?: PlateSteps };

/** Recognition width a name line is squeezed into at most. The cost of recognition is its
 * width, and a camera reads the state of each plate on its first frames: 192 columns read the
 * state almost as well as 320 (about 1.5 points of us-crops stateExact less); 160 loses more. */
const NAME_MAX_W = 192;

/**
 * A read in no serial format is less likely to be a plate's serial at all: besides vanity plates,
 * such reads are the numbers around a plate (a dealer's phone number, a camera's overlay, a
 * sticker's) that outrank the plate when read more clearly. Like plateSyntax's prior for
 * all-letter reads, it orders the reads of one image; it removes none.
 */
const OUTSIDE_FORMATS_PRIOR = 0.8;

/** Lines at least this share of the tallest line's height are serial candidates in a plate window. */
const SERIAL_SHARE_OF_TALLEST = 0.7;

export class BaselineReader implements PlateReader {
  readonly name = 'ppocr-v4-baseline';
  private constructor(private readonly ocr: PpOcr) {}

  static async create(opts: PpOcrOptions = {}): Promise<BaselineReader> {
    return new BaselineReader(await PpOcr.load(opts));
  }

  async read(inputs: ReadInput[], opts: BaselineReadOptions = {}): Promise<SteppedResult[][]> {
    const { detMaxSide = 960, state = true } = opts;
    const rects = await this.ocr.detect(inputs, detMaxSide);
    const crops: { image: Image; rect: TextRect; input: number }[] = [];
    rects.forEach((rs, input) => {
      for (const rect of mergeLines(rs)) {
        // Vertical slivers and specks are not lines of text a plate could carry.
        if (rect.w < rect.h * 0.8 || rect.h < 6) continue;
        crops.push({ image: inputs[input]!.image, rect, input });
      }
    });
    // In a plate's window the serial is the tallest text; the smaller lines (state name,
    // slogan) are read only when a state is wanted there. Recognition costs by the padded
    // width of its batch, and a long name line beside a short serial tripled it.
    let serialCrops = crops,
      nameCrops: typeof crops = [];
    if (opts.plateWindows) {
      const tallest = new Map<number, number>();
      for (const c of crops) tallest.set(c.input, Math.max(tallest.get(c.input) ?? 0, c.rect.h));
      const isSerial = (c: (typeof crops)[number]) => c.rect.h >= SERIAL_SHARE_OF_TALLEST * tallest.get(c.input)!;
      serialCrops = joinRows(crops.filter(isSerial));
      nameCrops = crops.filter((c) => !isSerial(c));
    }
    const toLines = async (cs: typeof crops, maxW?: number): Promise<Line[]> => {
      const texts = await this.ocr.recognize(cs, maxW);
      return cs.map((c, i) => ({
        input: c.input,
        rect: c.rect,
        text: texts[i]!.text,
        confidence: texts[i]!.confidence,
        steps: texts[i]!.steps,
      }));
    };
    const lines = await toLines(serialCrops);

    const plates: { line: Line; text: string; confidence: number }[] = [];
    const verdicts = lines.map((line) => plateSyntax(line.text));
    const overlay = timestampOverlay(lines, verdicts);
    lines.forEach((line, i) => {
      const v = verdicts[i]!;
      if (v.ok && !overlay.has(line)) plates.push({ line, text: v.text, confidence: line.confidence * v.prior });
    });

    const states = new Map<Line, { state: UsState; score: number } | null>();
    const knownAt = (p: { line: Line }) => {
      const [bx, by, bw, bh] = rectBox(p.line.rect);
      const cx = bx + bw / 2,
        cy = by + bh / 2;
      return opts.stateKnownAt?.[p.line.input]?.find(
        ({ box: [x, y, w, h] }) => cx > x - w && cx < x + 2 * w && cy > y - 2 * h && cy < y + 3 * h,
      );
    };
    if (state) {
      const wanted = plates.filter((p) => !knownAt(p));
      // Name lines are read in two rounds: first those above a wanted serial (where most plates
      // print the state), then the rest only for serials whose state that left unsure. Each
      // line costs a recognition by its width (~20 ms of a core at NAME_MAX_W), and a window
      // holds a slogan, a county, a dealer's frame besides the name. Lines out of every wanted
      // serial's reach (`stateNear`) could name none of them and are not read.
      const reach = (c: (typeof crops)[number], p: (typeof plates)[number]) => c.input === p.line.input && nearEnough(c.rect, p.line);
      const above = (c: (typeof crops)[number], p: (typeof plates)[number]) => c.rect.cy < p.line.rect.cy;
      const inReach = nameCrops.filter((c) => wanted.some((p) => reach(c, p)));
      const first = inReach.filter((c) => wanted.some((p) => reach(c, p) && above(c, p)));
      if (first.length) lines.push(...(await toLines(first, NAME_MAX_W)));
      const unsure = wanted.filter((p) => !((stateNear(p.line, lines)?.score ?? 0) > SURE_STATE));
      const rest = inReach.filter((c) => !first.includes(c) && unsure.some((p) => reach(c, p)));
      if (rest.length) lines.push(...(await toLines(rest, NAME_MAX_W)));
      const bandCrops: { image: Image; rect: TextRect; plate: Line }[] = [];
      for (const p of plates) {
        const near = stateNear(p.line, lines);
        states.set(p.line, near);
        if ((near && near.score > SURE_STATE) || knownAt(p)) continue;
        const image = inputs[p.line.input]!.image;
        for (const b of stateBands(p.line.rect, image)) bandCrops.push({ image, rect: b, plate: p.line });
      }
      const bandTexts = await this.ocr.recognize(bandCrops);
      bandCrops.forEach((b, i) => {
        const m = stateFromText(bandTexts[i]!.text);
        if (!m) return;
        const score = m.score * bandTexts[i]!.confidence;
        const cur = states.get(b.plate);
        if (!cur || score > cur.score) states.set(b.plate, { state: m.state, score });
      });
    }

    // A state read here decides look-alikes and formats; else the state the plate's track settled.
    const formatsOf = (p: { line: Line }): UsState | undefined => {
      const s = states.get(p.line);
      return s && s.score >= 0.5 ? s.state : knownAt(p)?.state;
    };
    await this.widenMisfits(inputs, plates, formatsOf);

    const out: SteppedResult[][] = inputs.map(() => []);
    for (const p of plates) {
      const s = states.get(p.line) ?? null;
      const stateForFormat = formatsOf(p);
      // The state's formats (every state's where none was read) pick between look-alikes and drop marks read as characters.
      const { text, fits } = formatPrior(p.text, p.line.steps, stateForFormat ?? null);
      out[p.line.input]!.push({
        text: roundGlyphsAsZero(stateForFormat ? conformToState(text, stateForFormat) : text, s?.state ?? stateForFormat ?? null),
        confidence: round(p.confidence * (fits ? 1 : OUTSIDE_FORMATS_PRIOR)),
        box: rectBox(p.line.rect),
        rect: p.line.rect,
        state: s?.state ?? null,
        stateConfidence: round(s?.score ?? 0),
        ...(opts.withSteps && p.line.steps ? { steps: p.line.steps } : {}),
      });
    }
    for (const list of out) list.sort((a, b) => b.confidence - a.confidence);
    return out;
  }

  /**
   * Reads serials already placed (tracked plates whose state is known: `PlacedLine`), with
   * recognition alone: the text detector was a third of a re-read's time. A serial that reads
   * otherwise than `expect` (the track's text so far) or unsure is null: the caller reads that
   * plate the full way, so a misplaced line costs time, never a read, and a placed read only
   * ever confirms what a full read found.
   */
  async readPlacedSerials(
    items: { image: Image; rect: TextRect; state: UsState; expect: string }[],
    minConfidence: number,
  ): Promise<(PlateResult | null)[]> {
    const texts = await this.ocr.recognize(items);
    return items.map(({ rect, state, expect }, i) => {
      const v = plateSyntax(texts[i]!.text);
      if (!v.ok) return null;
      const text = conformToState(v.text, state);
      const confidence = round(texts[i]!.confidence * v.prior);
      // Equal to the track's text and a format of its state: a short reading the track took for
      // the serial ("5407" of "654077M") is not confirmed here but read the full way, widened.
      if (text !== expect || confidence < minConfidence || !fitsStateFormat(text, state)) return null;
      return { text, confidence, box: rectBox(rect), rect, state: null, stateConfidence: 0 };
    });
  }

  /**
   * Detection sometimes leaves out a character that stands apart from the rest: Montana's lone
   * county digit beside a dash ("6-54077M"), Wyoming's county number left of the bucking horse
   * ("4 434R", the horse about as wide as a character is tall). When the state is known and the
   * serial read fits none of its formats, the line is read again with room on both sides
   * (`WIDENINGS`, the narrower first: a wider view takes in more marks of the plate, and a
   * reading it spoils falls to the next), and the wider reading is taken if it holds the first
   * and fits. Costs a recognition or two, only for the misfits. The state is the one read here
   * or the one the plate's track settled: a track that knows its state no longer reads it, and
   * without this its later frames would keep the short reading ("5407" for "654077M").
   */
  private async widenMisfits(
    inputs: ReadInput[],
    plates: { line: Line; text: string; confidence: number }[],
    stateOf: (p: { line: Line }) => UsState | undefined,
  ): Promise<void> {
    let misfits = plates.flatMap((p) => {
      const state = stateOf(p);
      return state && !fitsStateFormat(p.text, state) ? [{ p, state }] : [];
    });
    for (const room of WIDENINGS) {
      if (!misfits.length) return;
      const wide = misfits.map(({ p }) => ({
        image: inputs[p.line.input]!.image,
        rect: widened(p.line.rect, room),
      }));
      const texts = await this.ocr.recognize(wide);
      misfits = misfits.filter(({ p, state }, i) => {
        const v = plateSyntax(texts[i]!.text);
        if (!(v.ok && v.text.includes(p.text) && fitsStateFormat(v.text, state))) return true;
        p.text = v.text;
        p.confidence = Math.min(p.confidence, texts[i]!.confidence * v.prior);
        p.line.rect = wide[i]!.rect;
        p.line.steps = texts[i]!.steps;
        return false;
      });
    }
  }

  /**
   * Reads serial lines again with `room` line heights added across (half each side), with their
   * per-step probabilities: for a line whose ends another reader saw past (`cutShort`).
   */
  async readWider(
    items: { image: Image; rect: TextRect }[],
    room = WIDENINGS[0]!,
  ): Promise<{ text: string; confidence: number; steps?: PlateSteps }[]> {
    if (!items.length) return [];
    const texts = await this.ocr.recognize(items.map(({ image, rect }) => ({ image, rect: widened(rect, room) })));
    return texts.map((t) => ({ text: t.text, confidence: t.confidence, steps: t.steps }));
  }

  close(): Promise<void> {
    return this.ocr.close();
  }
}

/** A line with `room` of its heights added across it, half each side. */
const widened = (rect: TextRect, room: number): TextRect => ({ ...rect, w: rect.w + room * rect.h });

/** Room added to a misfit serial's line, both sides together, in its heights: 0.9 a side reaches
 * a lone character past a dash, 2 a side one past an emblem as wide as a character is tall. */
const WIDENINGS = [1.8, 4];
