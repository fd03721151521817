import path from 'node:path';
import { SIM_CAMERA_ID, type AlprConfig, type CameraConfig, type Logger } from '../contracts/index.ts';
import { defaultClipCache, startSimulator } from './simulator/index.ts';
import { freePort } from './simulator/ports.ts';

export { SIM_CAMERA_ID };

/**
 * The simulated camera of an appliance with no cameras configured: an RTSP server on a free
 * loopback port, run by the camera worker itself so that the two need not agree on a port and
 * the server goes when the worker goes. Its answer key is written under the data dir.
 */
export async function startSimulatedCamera(config: AlprConfig, logger: Logger): Promise<{ camera: CameraConfig; stop(): Promise<void> }> {
  const dir = path.resolve(config.dataDir, 'simulator');
  const port = await freePort();
  const keyFile = path.join(dir, 'answer-key.jsonl');
  const sim = await startSimulator({
    cameras: [SIM_CAMERA_ID],
    port,
    // Clips depend only on the scene, so one cache serves every data dir (and every test run).
    cacheDir: defaultClipCache(),
    keyFile,
    // Modest on purpose: the demo camera shares two cores with everything else on the box.
    scene: { width: 960, height: 540, fps: 10, passes: 8, gapS: 3, parked: true },
  });
  logger.info('simulated camera serving', { url: sim.url(SIM_CAMERA_ID), keyFile });
  return {
    camera: {
      id: SIM_CAMERA_ID,
      name: 'Simulated camera',
      url: sim.url(SIM_CAMERA_ID),
      transport: 'tcp',
      recognitionFps: 8,
      idleRecognitionFps: 4,
      location: { lat: 30.4383, lon: -84.2807, description: 'Simulated camera (no cameras configured)' },
      direction: 'N',
      deploymentRef: 'simulation',
      enabled: true,
    },
    stop: () => sim.stop(),
  };
}
