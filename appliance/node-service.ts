import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AlprConfig } from '../contracts/index.ts';
import type { ServiceSpec } from './supervisor.ts';

export const SERVICE_MAIN = fileURLToPath(new URL('./service-main.ts', import.meta.url));

/** Messages a service child sends its supervisor over the IPC channel. */
export type ServiceMessage = { type: 'ready'; info?: Record<string, unknown> };

/**
 * A TypeScript service run in its own Node process. Own process because a crash, a leak or
 * a native library that blocks (chDB's lock, GStreamer's libuv threads) must stay inside it.
 * Detached into its own process group so that a Ctrl-C on the terminal reaches only the
 * supervisor, which then stops services in reverse order instead of all at once.
 */
export function nodeServiceSpec(opts: {
  /** Name in the service registry. */
  service: string;
  /** Arguments for the service, e.g. the camera id. */
  args?: string[];
  config: AlprConfig;
  /** Extra environment for the child (read by native code at its start, e.g. glibc tunables). */
  env?: Record<string, string>;
  /** V8 flags for the child (heap sizing is fixed when its isolate starts). */
  v8Flags?: readonly string[];
  onReady?: (info: Record<string, unknown>) => void;
  /** Called with each new instance, e.g. to serve it on its IPC channel. */
  onSpawn?: (child: ChildProcess) => void;
}): ServiceSpec {
  const { service, args = [], config, onReady } = opts;
  return {
    name: [service, ...args].join(':'),
    spawn(): ChildProcess {
      const child = fork(SERVICE_MAIN, [service, ...args], {
        execArgv: [...(opts.v8Flags ?? []), '--import', import.meta.resolve('tsx')],
        // A larger libuv pool: GStreamer's appsink pull and bus poll each hold a pool thread
        // while they wait, and onnxruntime and fs work need the rest.
        env: { UV_THREADPOOL_SIZE: '8', ...process.env, ...opts.env, ALPR_CONFIG_JSON: JSON.stringify(config) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        detached: true,
      });
      opts.onSpawn?.(child);
      return child;
    },
    ready(child, signal) {
      return new Promise((resolve, reject) => {
        const onMessage = (m: ServiceMessage) => {
          if (m?.type !== 'ready') return;
          child.off('message', onMessage);
          onReady?.(m.info ?? {});
          resolve();
        };
        child.on('message', onMessage);
        signal.addEventListener('abort', () => {
          child.off('message', onMessage);
          reject(signal.reason);
        });
      });
    },
  };
}
