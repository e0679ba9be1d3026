// Checks the built CommonJS entries load and export the API (`npm run check:dist`, after `npm run build`).
const assert = require('node:assert/strict');

const node = require('../../dist/node.cjs');
const generic = require('../../dist/arena-client.cjs');
for (const entry of [node, generic]) {
  for (const name of ['ArenaClient', 'Room', 'Duel', 'ArenaError', 'Emitter']) assert.equal(typeof entry[name], 'function', name);
}
assert.equal(new node.ArenaError('timeout', 'x').code, 'timeout');
assert.equal(new node.ArenaClient({ url: 'ws://127.0.0.1:1' }).state, 'idle');
console.log('dist CommonJS entries: ok');
