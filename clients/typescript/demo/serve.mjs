#!/usr/bin/env node
// Serves the built demo (demo/dist) and /config.json, which tells the page where arena-server listens.
//   node demo/serve.mjs [--port 8080] [--host 127.0.0.1] [--arena ws://127.0.0.1:4600] [--dir demo/dist]
// --port 0 picks a free port; the line "demo ready http://HOST:PORT/" says which.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    arena: { type: 'string', default: 'ws://127.0.0.1:4600' },
    dir: { type: 'string', default: fileURLToPath(new URL('./dist', import.meta.url)) },
  },
});

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve.mjs: --port must be 0..65535, not "${args.port}"`);
  process.exit(2);
}
if (!/^wss?:\/\/[^\s/]+/.test(args.arena)) {
  console.error(`serve.mjs: --arena must be a ws:// or wss:// URL, not "${args.arena}"`);
  process.exit(2);
}
const root = resolve(args.dir);
const config = JSON.stringify({ server: args.arena });

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function send(res, status, type, body, head) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(head ? undefined : body);
}

// The file a URL path names inside root, or null when it would leave root (../, encoded or not).
function fileFor(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed %-escape
  }
  if (path.includes('\0')) return null;
  const file = resolve(root, '.' + (path.endsWith('/') ? path + 'index.html' : path));
  return file === root || file.startsWith(root + sep) ? file : null;
}

const server = createServer(async (req, res) => {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', head);
  }
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/config.json') return send(res, 200, types['.json'], config, head);

  let file = fileFor(pathname);
  if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file);
    }
    if (!info.isFile()) throw new Error('not a file');
    res.writeHead(200, {
      'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (head) return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  } catch {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
  }
});

server.on('error', (error) => {
  console.error(`serve.mjs: cannot listen on ${args.host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, args.host, () => {
  const { port: actual } = server.address();
  console.log(`demo ready http://${args.host}:${actual}/`);
  console.log(`serving ${root}, arena-server ${args.arena}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
