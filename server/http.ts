import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { serve, type ServerType } from '@hono/node-server';
import type { AlprConfig } from '../contracts/index.ts';
import type { createApp } from './app.ts';

/** Starts the HTTP(S) listener and resolves with the bound port once it accepts connections. */
export function listen(app: ReturnType<typeof createApp>, cfg: AlprConfig['server']): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const tls = cfg.tls
      ? { createServer: createHttpsServer, serverOptions: { cert: readFileSync(cfg.tls.certFile), key: readFileSync(cfg.tls.keyFile) } }
      : {};
    const server = serve({ fetch: app.fetch, hostname: cfg.host, port: cfg.port, ...tls }, (info) => resolve({ server, port: info.port }));
    server.once('error', reject);
  });
}

export function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would hold close() open for their idle timeout.
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}
