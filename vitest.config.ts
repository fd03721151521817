import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dashboard/node_modules/**', 'data/**'],
    // Each file in its own process: libchdb admits one data directory per process, and the
    // GStreamer addon holds libuv threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration files each start nats-server and ClickHouse.
    maxWorkers: 2,
  },
});
