import type { UsState } from '../../contracts/index.ts';
import type { Image } from '../render/raster.ts';
import type { Region, TextRect } from './ppocr-math.ts';

/** One plate found in one image. */
export interface PlateResult {
  /** Serial in canonical form (A-Z, 0-9). */
  text: string;
  /** 0..1: OCR confidence times the syntax prior. */
  confidence: number;
  /** [x, y, w, h] of the serial in image pixels. */
  box: [number, number, number, number];
  /** The rotated rectangle the serial was read from (crop-and-rectify geometry). */
  rect: TextRect;
  state: UsState | null;
  stateConfidence: number;
  /** The plate detector's box the serial was found in, where the reader has one: with `rect`,
   * where the serial sits on the plate, which a tracker can hand back as a `PlacedLine`. */
  plateBox?: [number, number, number, number];
}

/** Where a tracked plate's serial sat on it when last read: the detector's box and the serial's
 * rectangle in that frame. On the next frame the serial is where the same geometry puts it on
 * the plate's new box, and need not be searched for. `text`: what the track reads so far; a
 * placed read is taken only when it agrees (it then confirms a read made the full way). */
export interface PlacedLine {
  plateBox: [number, number, number, number];
  rect: TextRect;
  text: string;
}

export interface ReadInput {
  image: Image;
  /** Look only here (for example where motion is); the whole image when absent. */
  region?: Region;
}

/** A plate being tracked whose state of issue is settled: its box in image pixels, and where
 * its serial sat on it (a reader may read the serial there directly). */
export interface KnownState {
  box: [number, number, number, number];
  state: UsState;
  line?: PlacedLine;
}

/** A plate already read and now only followed (its track's read is out): where it is
 * expected in this image (serial box, image pixels) and what it reads. */
export interface FollowedPlate {
  box: [number, number, number, number];
  text: string;
}

export interface ReadOptions {
  /** Longer side of the detection input; larger finds smaller plates, slower. */
  detMaxSide?: number;
  /** Look for the state of issue (costs one batched recognition of the bands around each plate). */
  state?: boolean;
  /** Where the state of issue is already known (plates being tracked, per input): plates
   * found there skip reading the state, the costliest part of reading a plate again, and
   * their look-alike characters are resolved by that state's formats. */
  stateKnownAt?: KnownState[][];
  /** Plates being followed, per input: a reader that finds a plate where one is expected may
   * report it with the known text instead of reading it again (an optional saving). */
  followAt?: FollowedPlate[][];
  /** Video: a plate the detector finds against the frame's edge is partly out of view; a reader
   * may leave it for a later frame, where it is whole (an optional saving). */
  skipCutPlates?: boolean;
}

/**
 * What recognition models implement. `read` takes a batch (frames of several cameras, or
 * several stills) so that a model can run them together; results are per input, best first.
 */
export interface PlateReader {
  readonly name: string;
  read(inputs: ReadInput[], opts?: ReadOptions): Promise<PlateResult[][]>;
  close(): Promise<void>;
}

export interface ReaderFactoryOptions {
  threads?: number;
}

export type ReaderFactory = (opts: ReaderFactoryOptions) => Promise<PlateReader>;

const registry = new Map<string, ReaderFactory>();

/** Registers a model under a name; the models issue adds its own and points the config at it. */
export function registerReader(name: string, factory: ReaderFactory): void {
  registry.set(name, factory);
}

export function readerNames(): string[] {
  return [...registry.keys()];
}

export async function createReader(name: string, opts: ReaderFactoryOptions = {}): Promise<PlateReader> {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown plate reader "${name}" (known: ${readerNames().join(', ') || 'none'})`);
  return f(opts);
}

/** Confidences and scores leave a reader rounded to three decimals: more is noise, and it keeps reads and logs short. */
export const roundScore = (v: number): number => Math.round(v * 1000) / 1000;
