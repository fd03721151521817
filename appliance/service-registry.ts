import type { AlprConfig, Logger } from '../contracts/index.ts';
import { startCore } from './core.ts';

/** A service as its child process sees it: started with the config and its arguments. */
export interface RunningService {
  /** Reported to the supervisor when ready (for example the bound API port). */
  info: Record<string, unknown>;
  /** Stops cleanly: finish and acknowledge work in hand, close connections. */
  stop(): Promise<void>;
}

export type ServiceStart = (config: AlprConfig, logger: Logger, args: string[]) => Promise<RunningService>;

/**
 * Every service the appliance can run in a child process, by name. service-main.ts looks
 * the name up here; appliance.ts decides which run and in what order.
 */
export const serviceRegistry: Record<string, ServiceStart> = {
  core: (config, logger) => startCore(config, logger),
  /** One camera: capture, recognition, tracking, publishing. Args: camera id [flags]. */
  // Imported on demand: only camera processes load GStreamer and onnxruntime.
  camera: async (config, logger, args) => (await import('../pipeline/index.ts')).startCameraWorker(config, logger, args),
  /** Matches every read against the active hotlists and raises alerts (matcher/service.ts). */
  matcher: async (config, logger) => (await import('../matcher/index.ts')).startMatcherService(config, logger),
};
