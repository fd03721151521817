import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
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
    projects: [
      {
        extends: true,
        test: {
          name: 'appliance',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'dashboard/**', 'data/**'],
        },
      },
      {
        // The dashboard's state classes (*.svelte.ts) use runes: Svelte's compiler turns them
        // into its client runtime, as for the page, in a Node process with the few browser
        // globals they touch.
        extends: true,
        plugins: [svelte({ configFile: false })],
        test: {
          name: 'dashboard',
          root: 'dashboard',
          include: ['src/**/*.test.ts'],
          environment: './test/browser-environment.ts',
        },
      },
    ],
  },
});
