import { BaselineReader } from './baseline.ts';
import { registerReader } from './reader.ts';
// The project's own models (models/platerec, models/platedet) register themselves: platerec-v1, own-v1.
import './own.ts';

export { createReader, registerReader, readerNames, type PlateReader, type PlateResult, type ReadInput, type ReadOptions, type ReaderFactory } from './reader.ts';
export { BaselineReader, stateBands } from './baseline.ts';
export { PpOcr, defaultModelDir, type PpOcrOptions } from './ppocr.ts';
export { plateSyntax, stateFromText, conformToState, fitsStateFormat, textSimilarity, editDistance, type SyntaxVerdict } from './syntax.ts';
export { ctcDecode, dbBoxes, detSize, detTensor, recTensor, rectBox, mergeLines, type TextRect, type Region } from './ppocr-math.ts';

/** The model the appliance uses until the models issue registers a better one. */
export const DEFAULT_READER = 'ppocr-v4-baseline';
registerReader(DEFAULT_READER, (opts) => BaselineReader.create({ threads: opts.threads ?? 2 }));
