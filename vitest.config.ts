import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dashboard/node_modules/**', 'data/**'],
    // Each file in its own process: libchdb admits one data directory per process, and the
    // GStreamer addon holds libuv threads.
    pool: 'forks',
    // Generous bounds: they catch a hang, not slowness (speed is measured in `npm run bench`).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file at a time. On the 2-core appliance class of machine the integration files each
    // start nats-server, ClickHouse, GStreamer pipelines or Chromium; two at once starve each
    // other's real-time video and turn timing into flakiness.
    fileParallelism: false,
  },
});
