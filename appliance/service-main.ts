/**
 * Entry point of every service child process: `service-main.ts <name> [args…]`, with the validated
 * configuration in ALPR_CONFIG_JSON. It reports ready over IPC, stops on SIGTERM, and stops
 * too when the supervisor disappears (the IPC channel closes), so no service outlives it.
 */
import { createJsonLogger, validateConfig } from '../contracts/index.ts';
import { serviceRegistry, type RunningService } from './service-registry.ts';

const name = process.argv[2] ?? '';
const args = process.argv.slice(3);
const parsed = validateConfig(JSON.parse(process.env.ALPR_CONFIG_JSON ?? '{}'));
if (!parsed.ok) {
  console.error(`service ${name}: invalid configuration`, parsed.problems);
  process.exit(2);
}
const config = parsed.config;
const logger = createJsonLogger({ level: config.logLevel, fields: { service: [name, ...args].join(':'), pid: process.pid } });
const start = serviceRegistry[name];
if (!start) {
  logger.error('unknown service', { name });
  process.exit(2);
}

process.on('unhandledRejection', (err) => {
  logger.error('unhandled rejection; exiting so the supervisor restarts the service', { err: err as Error });
  process.exit(1);
});

let running: RunningService | null = null;
let stopping = false;
async function shutdown(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('stopping', { why });
  // Never hang: the supervisor kills us anyway, but an orphan (supervisor gone) must exit too.
  setTimeout(() => process.exit(1), config.supervisor.stopTimeoutMs).unref();
  try {
    await running?.stop();
    process.exit(0);
  } catch (err) {
    logger.error('stop failed', { err: err as Error });
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('disconnect', () => void shutdown('supervisor gone'));

try {
  running = await start(config, logger, args);
  if (stopping) await running.stop();
  else process.send?.({ type: 'ready', info: running.info });
} catch (err) {
  logger.error('service failed to start', { err: err as Error });
  process.exit(1);
}
