import { readFile } from 'node:fs/promises';
import { createReader, DEFAULT_READER } from './recognition/index.ts';
import { decodeImage } from './render/index.ts';

/** One line of `alpr read --json`: a stable contract, used by the project's evaluations. */
export interface FileResult {
  file: string;
  ms: number;
  plates: {
    text: string;
    confidence: number;
    /** The serial's box [x, y, w, h]. */
    box: [number, number, number, number];
    state: string | null;
    stateConfidence: number;
    /** The plate's box as the detector found it, where the reader has a plate detector. */
    plateBox?: [number, number, number, number];
  }[];
  error?: string;
}

/**
 * Reads still images one by one (JPEG or PNG) and yields a result per file, best plate first.
 * `ms` is decode plus recognition for that file; loading the model is paid once, before.
 * A file that cannot be read yields an `error` and an empty list, and the rest go on.
 */
export async function* readFiles(
  files: string[],
  opts: { reader?: string; threads?: number; detMaxSide?: number } = {},
): AsyncGenerator<FileResult> {
  const reader = await createReader(opts.reader ?? DEFAULT_READER, { threads: opts.threads ?? 2 });
  try {
    for (const file of files) {
      const t0 = performance.now();
      try {
        const image = await decodeImage(await readFile(file));
        const [plates = []] = await reader.read([{ image }], { detMaxSide: opts.detMaxSide ?? 960 });
        yield {
          file,
          ms: Math.round(performance.now() - t0),
          plates: plates.map((p) => ({
            text: p.text,
            confidence: p.confidence,
            box: p.box,
            state: p.state,
            stateConfidence: p.stateConfidence,
            ...(p.plateBox ? { plateBox: p.plateBox } : {}),
          })),
        };
      } catch (err) {
        yield { file, ms: Math.round(performance.now() - t0), plates: [], error: (err as Error).message };
      }
    }
  } finally {
    await reader.close();
  }
}
