// Checks the built ES module entries load and export the API, and that the package's export conditions pick
// the Node entry on Node (`npm run check:dist`, after `npm run build`).
import assert from 'node:assert/strict';

const node = await import('../../dist/node.js');
const generic = await import('../../dist/arena-client.js');
const viaPackage = await import('arena-client');
for (const entry of [node, generic, viaPackage]) {
  for (const name of ['ArenaClient', 'Room', 'Duel', 'ArenaError', 'Emitter']) assert.equal(typeof entry[name], 'function', name);
}
assert.equal(viaPackage.ArenaClient, node.ArenaClient, 'the "node" condition selects dist/node.js');
assert.equal(new generic.ArenaClient({ url: 'ws://127.0.0.1:1' }).state, 'idle');
console.log('dist ES module entries: ok');
