import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The dashboard is served by the appliance's own API server from dashboard/dist, so it
// needs no server of its own in production; `vite` dev proxies /api to a running appliance.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/api': process.env.ALPR_API ?? 'http://127.0.0.1:8080' } },
});
