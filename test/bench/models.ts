/**
 * `npm run bench -- models [--threads 1 --runs 30 --batch 32]`: the own models' inference cost on
 * one core (intra-op threads 1): the plate detector on a 1080p grey frame (scaling included) and
 * the recogniser per plate in a batch (crop sampling included), and at batch 1.
 * Targets: detector <= 15 ms per 1080p frame, recogniser <= 1 ms per plate.
 * And the whole frame as `alpr read` reads a still: a 1280x720 JPEG with three plates 70-130 px
 * wide (as a traffic camera sees them), decoded and read by the default reader (every pass of its
 * detector, the reads in each plate's window, the second opinion). Target: <= 150 ms median.
 * Besides wall time, the process's CPU time per run (user + system, all threads): on a machine
 * shared with other work, wall time measures the queue for the cores as well, CPU time does not.
 */
import { createReader, DEFAULT_READER, PlateDetector } from '../../pipeline/recognition/index.ts';
import { PlateRecognizer } from '../../pipeline/recognition/platerec.ts';
import { blit, createImage, decodeImage, encodeJpeg, PLATE_DESIGNS, renderPlate, rng, toGray } from '../../pipeline/render/index.ts';
import { numericFlags, percentile, round } from './_args.ts';

export async function run(argv: string[]): Promise<Record<string, unknown>> {
  const f = numericFlags(argv, { threads: 1, runs: 30, batch: 32 });
  const random = rng(99);
  const frame = createImage(1920, 1080, 1, [80, 80, 80]);
  const plates = Array.from({ length: f.batch }, (_, i) => {
    const d = PLATE_DESIGNS[i % PLATE_DESIGNS.length]!;
    return renderPlate({ state: d.state, width: 160 + Math.floor(random() * 160), seed: 5000 + i });
  });
  plates.slice(0, 4).forEach((p, i) => blit(frame, toGray(p.image), 200 + i * 420, 500 + (i % 2) * 200));

  const det = await PlateDetector.load({ threads: f.threads });
  const rec = await PlateRecognizer.load({ threads: f.threads });
  const cpu: number[] = [];
  const timeIt = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await fn();
    const ms: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < f.runs; i++) {
      const t0 = performance.now();
      await fn();
      ms.push(performance.now() - t0);
    }
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / f.runs);
    return ms;
  };
  const detMs = await timeIt(() => det.detect([frame]));
  const crops = plates.map((p) => ({ image: p.image }));
  const batchMs = await timeIt(() => rec.read(crops));
  const oneMs = await timeIt(() => rec.read(crops.slice(0, 1)));
  const found = (await det.detect([frame]))[0]!.length;
  await det.close();
  await rec.close();

  const still = createImage(1280, 720, 3, [96, 100, 104]);
  [70, 100, 130].forEach((width, i) =>
    blit(still, renderPlate({ state: PLATE_DESIGNS[i * 7]!.state, width, seed: 7000 + i }).image, 180 + i * 380, 300 + (i % 2) * 120),
  );
  const jpeg = await encodeJpeg(still);
  const reader = await createReader(DEFAULT_READER, { threads: f.threads });
  let read = 0;
  const stillMs = await timeIt(async () => {
    const [plates = []] = await reader.read([{ image: await decodeImage(jpeg) }]);
    read = plates.length;
  });
  await reader.close();
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    bench: 'models',
    threads: f.threads,
    detector: {
      frame: '1920x1080 grey',
      input: det.size({ x: 0, y: 0, w: 1920, h: 1080 }),
      msPerFrameP50: round(percentile(detMs, 50), 2),
      msPerFrameMean: round(mean(detMs), 2),
      cpuMsPerFrame: round(cpu[0]!, 2),
      platesFound: found,
      targetMs: 15,
    },
    recognizer: {
      batch: f.batch,
      msPerPlateP50: round(percentile(batchMs, 50) / f.batch, 3),
      msPerPlateMean: round(mean(batchMs) / f.batch, 3),
      cpuMsPerPlate: round(cpu[1]! / f.batch, 3),
      msBatch1P50: round(percentile(oneMs, 50), 2),
      cpuMsBatch1: round(cpu[2]!, 2),
      targetMs: 1,
    },
    still: {
      frame: '1280x720 JPEG, 3 plates 70-130 px',
      reader: DEFAULT_READER,
      msPerFrameP50: round(percentile(stillMs, 50), 1),
      msPerFrameMean: round(mean(stillMs), 1),
      cpuMsPerFrame: round(cpu[3]!, 1),
      platesRead: read,
      targetMs: 150,
    },
  };
}
