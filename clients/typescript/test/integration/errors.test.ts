// Every error code arena-server produces for a player, as the SDK reports it (docs/PROTOCOL.md "Error codes").
// unauthorized and the token's forbidden: auth.test.ts; session_expired: reconnect.test.ts.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArenaError, Duel, type ArenaClient } from '../../src/node.js';
import { TestNetwork, connectClient, makeClient, useClients, waitFor } from '../support/clients.js';
import { reached } from '../support/duel.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer();
});

const connect = (options = {}): Promise<ArenaClient> => connectClient(server, { playerId: `p-${randomUUID()}`, ...options });

async function failure(promise: Promise<unknown>): Promise<ArenaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArenaError);
  return error as ArenaError;
}

describe('not_found', () => {
  it('for an unknown room, a room not joined, an unknown room type, and no ticket', async () => {
    const client = await connect();
    expect(await failure(client.join('r-does-not-exist'))).toMatchObject({ code: 'not_found' });
    expect(await failure(client.leave('r-does-not-exist'))).toMatchObject({ code: 'not_found' });
    expect(await failure(client.joinOrCreate('no-such-type'))).toMatchObject({ code: 'not_found' });
    expect(await failure(client.create('no-such-type'))).toMatchObject({ code: 'not_found' });
    expect(await failure(client.cancelQueue())).toMatchObject({ code: 'not_found' });
    expect(client.state).toBe('open');
  });
});

describe('conflict', () => {
  it('for a second ticket and for joining a room twice', async () => {
    const client = await connect();
    await client.queue('relay', { level: 900, teamSize: 3 });
    expect(await failure(client.queue('relay', { level: 900 }))).toMatchObject({ code: 'conflict' });
    await client.cancelQueue();
    const room = await client.create('relay');
    expect(await failure(client.join(room.id))).toMatchObject({ code: 'conflict' });
    expect(room.active).toBe(true);
  });
});

describe('forbidden', () => {
  it('for a match room reserved for other players', async () => {
    const [alice, bob, carol] = await Promise.all([connect(), connect(), connect()]);
    const found = waitFor(alice, 'match_found');
    await alice.queue('duel', { level: 700 });
    await bob.queue('duel', { level: 700 });
    const [match] = await found;
    expect(await failure(carol.join(match.roomId))).toMatchObject({ code: 'forbidden' });
  });
});

describe('room_full and room_locked', () => {
  it('refuse a joiner with the matching code', async () => {
    const [alice, bob, carol] = await Promise.all([connect(), connect(), connect()]);
    const full = await alice.create('relay', { maxClients: 1 });
    expect(await failure(bob.join(full.id))).toMatchObject({ code: 'room_full' });
    const locked = await alice.create('relay');
    await locked.lock();
    expect(await failure(carol.join(locked.id))).toMatchObject({ code: 'room_locked' });
  });
});

describe('bad_request', () => {
  it('for options a room type refuses, values out of range and malformed room data', async () => {
    const client = await connect();
    expect(await failure(client.create('duel', { maxClients: 3 }))).toMatchObject({ code: 'bad_request' });
    expect(await failure(client.create('duel', { metadata: { turnSeconds: 0 } }))).toMatchObject({ code: 'bad_request' });
    expect(await failure(client.joinOrCreate('relay', { maxClients: 300 }))).toMatchObject({ code: 'bad_request' });
    expect(await failure(client.queue('duel', { level: 1, teamSize: 2 }))).toMatchObject({
      code: 'bad_request',
      field: 'team_size',
    });
    expect(await failure(client.join(''))).toMatchObject({ code: 'bad_request', field: 'room_id' });
    const lobby = await client.create('lobby', { private: true });
    expect(await failure(lobby.send({ action: 'dance' }))).toMatchObject({ code: 'bad_request' });
    expect(client.state).toBe('open');
  });
});

describe('too_large', () => {
  it('from the server for data over max_payload_bytes; the connection stays open', async () => {
    const client = await connect();
    const room = await client.create('relay');
    const error = await failure(room.send({ blob: 'x'.repeat(20_000) }));
    expect(error).toMatchObject({ code: 'too_large', field: 'data' });
    await room.send('small');
    expect(client.state).toBe('open');
  });

  it('from the client for a message over max_message_bytes, which is not sent at all', async () => {
    const client = await connect();
    const room = await client.create('relay');
    const error = await failure(room.send('é'.repeat(40_000))); // 80 000 bytes in UTF-8
    expect(error).toMatchObject({ code: 'too_large' });
    expect(error.message).toMatch(/not sent/);
    await expect(room.send('é'.repeat(40_000), { ack: false })).rejects.toMatchObject({ code: 'too_large' });
    await client.ping();
    expect(client.state).toBe('open');
  });
});

describe('unknown_type', () => {
  it('cannot be produced through the typed API; a raw frame gets it, reported as an error event', async () => {
    const network = new TestNetwork();
    const client = await connect({ WebSocket: network.WebSocket });
    const reported = waitFor(client, 'error');
    network.raw('{"type":"teleport","rid":999999}');
    const [error] = await reported;
    expect(error).toMatchObject({ code: 'unknown_type', field: 'type' });
    expect(client.state).toBe('open');
  });
});

describe('errors without a request', () => {
  it('a refused room message sent without ack arrives as the client error event', async () => {
    const [alice, bob] = await Promise.all([connect(), connect()]);
    const room = await alice.create('duel', { private: true });
    const aliceDuel = new Duel(room, alice);
    const bobDuel = new Duel(await bob.join(room.id), bob);
    await Promise.all([reached(aliceDuel, (s) => s.phase === 'playing'), reached(bobDuel, (s) => s.phase === 'playing')]);
    const waiting = aliceDuel.myTurn ? bobDuel : aliceDuel;
    const waitingClient = waiting === aliceDuel ? alice : bob;
    const reported = waitFor(waitingClient, 'error');
    await waiting.room.send({ action: 'attack' }, { ack: false });
    const [error] = await reported;
    expect(error).toMatchObject({ code: 'conflict', message: 'not your turn' });
  });
});

describe('timeout', () => {
  let frozen: ArenaServer | undefined;
  afterAll(() => frozen?.signal('SIGCONT'));

  it('a request without reply rejects with timeout; the connection is kept', async () => {
    const client = await connect({ requestTimeoutMs: 400 });
    frozen = server;
    server.signal('SIGSTOP');
    try {
      const error = await failure(client.ping());
      expect(error).toMatchObject({ code: 'timeout' });
      expect(error.message).toMatch(/ping/);
    } finally {
      server.signal('SIGCONT');
    }
    expect(client.state).toBe('open');
    await expect(client.ping()).resolves.toMatchObject({ serverTime: expect.any(Number) });
  });
});

describe('rate_limited', () => {
  it('refusals arrive as error events; the third closes the session for good', async () => {
    const limited = await startServer(['--messages-per-second', '1', '--message-burst', '5']);
    const client = await connectClient(limited); // hello: 1 message
    const room = await client.create('relay'); // 2
    const errors: ArenaError[] = [];
    client.on('error', (e) => errors.push(e));
    const closing = waitFor(client, 'closing');
    const disconnected = waitFor(client, 'disconnected');
    const lost = waitFor(client, 'session_lost');
    const left = waitFor(room, 'left');
    // Three pass (burst 5), the rest is refused; a slow machine refilling a token or two changes nothing.
    // The close cannot be handled before the loop ends (it needs a new task), so every send is written.
    for (let i = 0; i < 12; i++) await room.send(i, { ack: false });
    const [info] = await closing;
    expect(info).toEqual({ reason: 'rate_limited', code: 1008 });
    expect((await disconnected)[0]).toMatchObject({ code: 1008, willReconnect: false });
    const [error] = await lost;
    expect(error).toMatchObject({ code: 'rate_limited' });
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000 });
    expect(await left).toEqual([{ reason: 'lost' }]);
    expect(client.state).toBe('closed');
  });
});

describe('server_busy', () => {
  it('connect rejects with server_busy and retryAfterMs at the session limit', async () => {
    const busy = await startServer(['--session-limit', '1']);
    await connectClient(busy);
    const second = makeClient(busy);
    const error = await failure(second.connect());
    expect(error).toMatchObject({ code: 'server_busy', retryAfterMs: 5000 });
    expect(second.state).toBe('closed');
  });
});

describe('unavailable', () => {
  it('while draining: no new sessions, rooms or tickets; queued tickets cancelled; joins still work', async () => {
    const draining = await startServer();
    const alice = await connectClient(draining, { playerId: 'drain-alice' });
    const bob = await connectClient(draining, { playerId: 'drain-bob' });
    const room = await alice.create('relay');
    await bob.queue('duel', { level: 1 });
    const cancelled = waitFor(bob, 'queue_cancelled');
    const reply = await draining.admin('POST', '/drain');
    expect(reply.status).toBe(200);
    expect((await cancelled)[0]).toMatchObject({ reason: 'draining' });

    const newcomer = makeClient(draining, { playerId: 'drain-carol' });
    const refused = await failure(newcomer.connect());
    expect(refused).toMatchObject({ code: 'unavailable', retryAfterMs: 1000 });
    expect(refused.message).toMatch(/draining/);
    expect(await failure(alice.create('relay'))).toMatchObject({ code: 'unavailable' });
    expect(await failure(alice.joinOrCreate('relay', { filter: { none: randomUUID() } }))).toMatchObject({
      code: 'unavailable',
    });
    expect(await failure(bob.queue('duel', { level: 1 }))).toMatchObject({ code: 'unavailable' });
    const joined = await bob.join(room.id);
    expect(joined.members).toHaveLength(2);
  });
});
