// Size of the SDK's browser build, minified, raw and gzip -9: each file vite writes to
// clients/typescript/dist, and what a game's bundler ships from dist/arena-client.js when the game
// imports the client alone, or the client and the Duel helper (esbuild, tree-shaken and minified).
// Run `npm run build` in clients/typescript first (bench/sdk/run.sh does).
//
//   node bench/sdk/bundle-size.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const sdk = fileURLToPath(new URL('../../clients/typescript/', import.meta.url));
const esbuild = createRequire(sdk + 'package.json')('esbuild');
const sizes = (bytes) => ({ bytes: bytes.length, gzip_bytes: gzipSync(bytes, { level: 9 }).length });

for (const file of readdirSync(sdk + 'dist').filter((f) => /\.c?js$/.test(f)).sort())
    console.log(JSON.stringify({ file: `dist/${file}`, ...sizes(readFileSync(sdk + 'dist/' + file)) }));

for (const [game, names] of [['client only', 'ArenaClient'], ['client + Duel', 'ArenaClient, Duel']]) {
    const result = await esbuild.build({
        stdin: { contents: `import { ${names} } from './dist/arena-client.js'; globalThis.game = [${names}];`, resolveDir: sdk },
        bundle: true, minify: true, format: 'esm', target: 'es2022', write: false,
    });
    console.log(JSON.stringify({ game, ...sizes(result.outputFiles[0].contents) }));
}
