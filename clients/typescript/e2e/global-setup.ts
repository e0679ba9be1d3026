// Builds the demo (demo/dist) when it is missing or older than its sources, the SDK's included.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const pkg = fileURLToPath(new URL('..', import.meta.url));

function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default async function setup(): Promise<void> {
  const built = (() => {
    try {
      return statSync(join(pkg, 'demo/dist/index.html')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = Math.max(newestSource(join(pkg, 'demo')), newestSource(join(pkg, 'src')));
  if (built > sources) return;
  const started = Date.now();
  await build({ configFile: join(pkg, 'demo/vite.config.ts'), logLevel: 'warn' });
  console.log(`e2e: built demo/dist in ${Date.now() - started} ms`);
}
