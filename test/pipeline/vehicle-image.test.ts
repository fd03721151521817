import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRead, ensureStreams, plateReadSchema, type NatsConnection, type PlateRead } from '../../contracts/index.ts';
import { startSimulator, freePort, type Simulator } from '../../pipeline/simulator/index.ts';
import { getPlateImage, getVehicleImage, insertReads } from '../../store/index.ts';
import { startNats, tempDir, type TestNats } from '../helpers/nats.ts';
import { startTestStore } from '../helpers/store.ts';
import { spawnWorker, testCamera, testConfig, waitFor } from './harness.ts';

/**
 * Issue 31, point 3: the vehicle image is kept with a read only where the agency turns it on
 * (recognition.vehicleImage, off by default, guidelines 6a). Two real camera workers on the
 * simulator's RTSP cameras, one with the setting and one without; their reads go to a real store.
 */
const scene = { width: 640, height: 360, fps: 10, passes: 2, gapS: 3, crossS: 4, seed: 5 };

let nats: TestNats;
let nc: NatsConnection;
let sim: Simulator;
let store: Awaited<ReturnType<typeof startTestStore>>;
const reads: PlateRead[] = [];
const workers: { kill(): Promise<void> }[] = [];
const dataDir = tempDir('vehicle-image');

beforeAll(async () => {
  nats = await startNats({ cameras: ['cam-v', 'cam-p'] });
  nc = await nats.connect('test');
  await ensureStreams(nc, testConfig(nats, dataDir, []).nats);
  nc.subscribe('alpr.reads.>', {
    callback: (_e, m) => {
      reads.push(decodeRead(m));
    },
  });
  [sim, store] = await Promise.all([startSimulator({ cameras: ['cam-v', 'cam-p'], port: await freePort(), scene }), startTestStore()]);
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.kill();
  await sim?.stop();
  await nc?.close();
  await nats?.stop();
  await store?.stop();
});

describe('vehicle image with each read', () => {
  it('is stored with the read when the agency enables it, and absent by default', async () => {
    const base = testConfig(nats, dataDir, [testCamera('cam-v', sim.url('cam-v')), testCamera('cam-p', sim.url('cam-p'))]);
    expect(base.recognition.vehicleImage).toBe(false);
    const enabled = { ...base, recognition: { ...base.recognition, vehicleImage: true } };
    workers.push(spawnWorker(enabled, ['cam-v']), spawnWorker(base, ['cam-p']));
    const of = (cam: string) => reads.filter((r) => r.cameraId === cam);
    await waitFor('reads from both cameras', () => of('cam-v').length >= 1 && of('cam-p').length >= 1, 150_000);

    const withImage = of('cam-v')[0]!;
    const plain = of('cam-p')[0]!;
    expect(plain.vehicleJpeg).toBeUndefined();
    expect(withImage.vehicleJpeg).toBeDefined();
    const vehicle = Buffer.from(withImage.vehicleJpeg!, 'base64');
    const crop = Buffer.from(withImage.cropJpeg!, 'base64');
    // A JPEG of the vehicle's region: a few tens of kB at most, several plate widths wide.
    expect(vehicle.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(vehicle.length).toBeLessThan(80_000);
    const [v, c] = await Promise.all([sharp(vehicle).metadata(), sharp(crop).metadata()]);
    expect(v.width!).toBeGreaterThan(c.width! * 2);
    expect(v.height!).toBeGreaterThan(c.height!);

    // Stored beside the plate image, with the read; a read without one has none.
    await insertReads(store.client, [plateReadSchema.parse(withImage), plateReadSchema.parse(plain)]);
    expect((await getVehicleImage(store.client, withImage.id, 30))?.equals(vehicle)).toBe(true);
    expect(await getVehicleImage(store.client, plain.id, 30)).toBeNull();
    expect(await getPlateImage(store.client, plain.id, 30)).not.toBeNull();
  }, 200_000);
});
