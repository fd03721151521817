/**
 * `npm run eval -- ocr|detect|e2e [--set eu-frames|us-frames] [--reader NAME] [--limit N] [--threads N]`: measures the
 * recognition models on the real plates in ../shared/datasets/openalpr-eval (EVALUATION ONLY:
 * nothing here trains or tunes). The last output line is one JSON object with the figures.
 *
 * - ocr:    us-crops (751 US plate crops): plateExact, stateExact, msPerPlate. Readers that read
 *           plate crops directly (readPlates) get the crop; others read it as an image.
 * - detect: a frame set (--set: eu-frames, 108 frames, the default; us-frames, 113 real US
 *           traffic frames), one labelled plate each: recall (a detected plate box with IoU >= 0.5
 *           with the label), msPerFrame.
 * - e2e:    the same frames through `alpr read`'s code path (readFiles): exact (the labelled
 *           plate among the plates read), top1 (it is the most confident read), found (a read lies
 *           on the labelled plate: at least half of its serial box inside the plate's box),
 *           misread (found, but no read on the plate spells it), notFound, plateRecall (a read's
 *           plate box, the detector's, has IoU >= 0.5 with the label; null for readers without a
 *           plate detector), and the median and p95 milliseconds a frame, decode included.
 *
 * A read is correct when its text, upper-cased with everything but A-Z and 0-9 removed, equals
 * the label exactly (the datasets' README convention).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { normalizePlate } from '../../contracts/index.ts';
import { readFiles } from '../../pipeline/index.ts';
import { createReader, DEFAULT_READER, type PlateReader } from '../../pipeline/recognition/index.ts';
import { decodeImage, type Image } from '../../pipeline/render/index.ts';
import { detectorFor } from './detectors.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EVAL_DIR = process.env.ALPR_EVAL_DIR ?? path.resolve(here, '../../../shared/datasets/openalpr-eval');

type PlateCropReader = PlateReader & { readPlates?(images: Image[]): Promise<{ text: string; state: string | null }[]> };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    reader: { type: 'string' },
    detector: { type: 'string' },
    limit: { type: 'string' },
    threads: { type: 'string', default: '1' },
    batch: { type: 'string', default: '16' },
    verbose: { type: 'boolean', default: false },
    set: { type: 'string', default: 'eu-frames' },
  },
});
const FRAME_SETS = ['eu-frames', 'us-frames'];
const task = positionals[0];
if (!task || !['ocr', 'detect', 'e2e'].includes(task)) {
  console.error(
    'usage: npm run eval -- ocr|detect|e2e [--set eu-frames|us-frames] [--reader NAME] [--detector NAME] [--limit N] [--threads N]',
  );
  process.exit(2);
}
if (!FRAME_SETS.includes(values.set)) {
  console.error(`--set must be one of ${FRAME_SETS.join(', ')} (frames with one labelled plate each)`);
  process.exit(2);
}
if (!existsSync(EVAL_DIR)) {
  console.error(`evaluation data not found at ${EVAL_DIR} (the shared openalpr-eval folder, or set ALPR_EVAL_DIR): nothing measured`);
  process.exit(3);
}
const limit = values.limit ? Number(values.limit) : Infinity;
const threads = Number(values.threads);
const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

async function ocr(): Promise<Record<string, unknown>> {
  const dir = path.join(EVAL_DIR, 'us-crops');
  const rows = readFileSync(path.join(dir, 'groundtruth.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','))
    .filter((r) => r.length >= 3 && r[0]!.endsWith('.png'))
    .slice(0, limit);
  const readerName = values.reader ?? DEFAULT_READER;
  const reader = (await createReader(readerName, { threads })) as PlateCropReader;
  const images = await Promise.all(rows.map((r) => decodeImage(readFileSync(path.join(dir, r[0]!)))));
  let plateOk = 0,
    stateOk = 0,
    ms = 0;
  const batch = Number(values.batch);
  const misses: string[] = [];
  for (let i = 0; i < images.length; i += batch) {
    const chunk = images.slice(i, i + batch);
    const t0 = performance.now();
    let got: { text: string; state: string | null }[];
    if (reader.readPlates) got = await reader.readPlates(chunk);
    else got = (await reader.read(chunk.map((image) => ({ image })))).map((list) => list[0] ?? { text: '', state: null });
    ms += performance.now() - t0;
    got.forEach((g, j) => {
      const [file, state, plate] = rows[i + j]!;
      const okText = normalizePlate(g.text) === normalizePlate(plate!);
      const okState = (g.state ?? '').toLowerCase() === state!.toLowerCase();
      plateOk += okText ? 1 : 0;
      stateOk += okState ? 1 : 0;
      if ((!okText || !okState) && values.verbose)
        misses.push(`${file} ${plate} ${state!.toUpperCase()} -> ${g.text} ${g.state ?? '-'}${okText ? ' (state only)' : ''}`);
    });
    process.stderr.write(`\rocr ${Math.min(i + batch, images.length)}/${images.length}`);
  }
  process.stderr.write('\n');
  if (values.verbose) console.log(misses.join('\n'));
  await reader.close();
  return {
    task: 'ocr',
    reader: readerName,
    plates: images.length,
    plateExact: round(plateOk / images.length),
    stateExact: round(stateOk / images.length),
    msPerPlate: round(ms / images.length, 2),
    threads,
    batch,
  };
}

/** The frames of --set, each with its labelled plate box ([x, y, w, h]) and text. */
function labelledFrames(): { file: string; box: [number, number, number, number]; plate: string }[] {
  const dir = path.join(EVAL_DIR, values.set);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .slice(0, limit)
    .map((f) => {
      const [file, x, y, w, h, plate] = readFileSync(path.join(dir, f), 'utf8').trim().split('\t');
      return { file: path.join(dir, file!), box: [Number(x), Number(y), Number(w), Number(h)], plate: plate! };
    });
}

export function iou(a: [number, number, number, number], b: [number, number, number, number]): number {
  const x0 = Math.max(a[0], b[0]),
    y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]),
    y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a[2] * a[3] + b[2] * b[3] - inter || 1);
}

/** Share of a read's serial box that lies inside the labelled plate box. */
function insideShare(read: [number, number, number, number], plate: [number, number, number, number]): number {
  const w = Math.max(0, Math.min(read[0] + read[2], plate[0] + plate[2]) - Math.max(read[0], plate[0]));
  const h = Math.max(0, Math.min(read[1] + read[3], plate[1] + plate[3]) - Math.max(read[1], plate[1]));
  return (w * h) / (read[2] * read[3] || 1);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function detect(): Promise<Record<string, unknown>> {
  const frames = labelledFrames();
  const name = values.detector ?? 'platedet';
  const det = await detectorFor(name, threads);
  let found = 0,
    ms = 0;
  for (const [i, f] of frames.entries()) {
    const image = await decodeImage(readFileSync(f.file));
    const t0 = performance.now();
    const boxes = await det.detect(image);
    ms += performance.now() - t0;
    const best = Math.max(0, ...boxes.map((b) => iou(b, f.box)));
    if (best >= 0.5) found++;
    else if (values.verbose) console.log(`${path.basename(f.file)} best IoU ${best.toFixed(2)} of ${boxes.length} boxes`);
    process.stderr.write(`\rdetect ${i + 1}/${frames.length}`);
  }
  process.stderr.write('\n');
  await det.close();
  return {
    task: 'detect',
    set: values.set,
    detector: name,
    frames: frames.length,
    recall: round(found / frames.length),
    msPerFrame: round(ms / frames.length, 1),
    threads,
  };
}

async function e2e(): Promise<Record<string, unknown>> {
  const frames = labelledFrames();
  const readerName = values.reader ?? DEFAULT_READER;
  const byFile = new Map(frames.map((f) => [f.file, f]));
  let exact = 0,
    top1 = 0,
    found = 0,
    plateFound = 0,
    plateBoxes = false;
  const ms: number[] = [];
  for await (const r of readFiles(
    frames.map((f) => f.file),
    { reader: readerName, threads },
  )) {
    const f = byFile.get(r.file)!;
    const label = normalizePlate(f.plate);
    const hit = r.plates.some((p) => normalizePlate(p.text) === label);
    const best = [...r.plates].sort((a, b) => b.confidence - a.confidence)[0];
    const first = !!best && normalizePlate(best.text) === label;
    exact += hit ? 1 : 0;
    top1 += first ? 1 : 0;
    // A frame read right counts as found even where the read's box missed the label's.
    found += hit || r.plates.some((p) => insideShare(p.box, f.box) >= 0.5) ? 1 : 0;
    plateBoxes ||= r.plates.some((p) => p.plateBox);
    plateFound += r.plates.some((p) => p.plateBox && iou(p.plateBox, f.box) >= 0.5) ? 1 : 0;
    ms.push(r.ms);
    if (values.verbose && !first)
      console.log(
        `${path.basename(r.file)} ${f.plate} -> ${r.plates.map((p) => `${p.text}:${p.confidence}`).join(' ') || '-'}${hit ? ' (read, not first)' : ''}`,
      );
    process.stderr.write(`\re2e ${ms.length}/${frames.length}`);
  }
  process.stderr.write('\n');
  const n = ms.length;
  ms.sort((a, b) => a - b);
  return {
    task: 'e2e',
    set: values.set,
    reader: readerName,
    frames: n,
    exact: round(exact / n),
    top1: round(top1 / n),
    misread: round((found - exact) / n),
    notFound: round((n - found) / n),
    plateRecall: plateBoxes ? round(plateFound / n) : null,
    msPerFrame: round(ms.reduce((a, b) => a + b, 0) / n, 1),
    msP50: percentile(ms, 0.5),
    msP95: percentile(ms, 0.95),
    threads,
  };
}

const result = task === 'ocr' ? await ocr() : task === 'detect' ? await detect() : await e2e();
console.log(JSON.stringify(result));
process.exit(0);
