import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/**
 * One of the project's own models as exported by models/train: `<name>.onnx` with its
 * `<name>.json` (input size, alphabet, classes …) beside it. Sessions run sequentially with
 * the threads asked for: the pipeline gives each camera worker its own, so parallelism comes
 * from cameras, not from one model fanning out over cores other workers need.
 */
export async function loadOwnModel<Meta>(dir: string, name: string, threads = 1): Promise<{ session: ort.InferenceSession; meta: Meta }> {
  const meta = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Meta;
  const session = await ort.InferenceSession.create(path.join(dir, `${name}.onnx`), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return { session, meta };
}
