// Library build. `vite build` makes the browser/generic entry (dist/arena-client.{js,cjs}, minified, no
// dependencies); `vite build --mode node` adds the Node entry (dist/node.{js,cjs}, `ws` left external).
// Each entry is built on its own so every output file stands alone, without shared chunks.
import { resolve } from 'node:path';
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';

// Vite's library mode leaves whitespace in ES module output; the browser ESM file is also what a page
// loads straight from a <script type="module">, so it is minified whole, like the CommonJS one. This runs
// after every renderChunk (Vite's own minifier runs there). Without a source map: the CommonJS file has one.
const minifyEsModule: Plugin = {
  name: 'arena-minify-es-module',
  async generateBundle(options, bundle) {
    if (options.format !== 'es') return;
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk') continue;
      const result = await transformWithEsbuild(chunk.code, chunk.fileName, { minify: true, format: 'esm' });
      // Its source map would map to Vite's output rather than to src/: the CommonJS file keeps one.
      chunk.code = result.code;
      delete bundle[`${chunk.fileName}.map`];
    }
  },
};

export default defineConfig(({ mode }) => {
  const node = mode === 'node';
  return {
    plugins: node ? [] : [minifyEsModule],
    build: {
      target: node ? 'node20' : 'es2022',
      outDir: 'dist',
      emptyOutDir: !node,
      sourcemap: true,
      minify: node ? false : 'esbuild',
      lib: {
        entry: resolve(import.meta.dirname, node ? 'src/node.ts' : 'src/index.ts'),
        formats: ['es', 'cjs'],
        fileName: (format) => `${node ? 'node' : 'arena-client'}.${format === 'es' ? 'js' : 'cjs'}`,
      },
      rollupOptions: {
        external: node ? ['ws', /^node:/] : [],
      },
    },
  };
});
