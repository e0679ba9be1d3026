// Builds the browser demo: demo/index.html + main.ts (which imports the SDK from ../src) → demo/dist.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // Relative asset URLs, so dist/ works from any path (serve.mjs, a CDN folder, file:// previews).
  base: './',
  // 'mpa': the dev server answers unknown paths (/config.json when not served by serve.mjs) with 404,
  // not index.html, so the page falls back to ws://<host>:4600.
  appType: 'mpa',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
