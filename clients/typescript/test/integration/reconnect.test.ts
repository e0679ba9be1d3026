// Resuming the session after dropped connections, against a real arena-server: the server drops the
// connection (POST /sessions/<id>/drop, no close frame) or the client's socket dies.

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Duel, backoffCeiling, defaultReconnectOptions, type ArenaClient, type ClientOptions } from '../../src/node.js';
import { EventLog, TestNetwork, connectClient, useClients, waitFor } from '../support/clients.js';
import { reached } from '../support/duel.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer();
});

const fastReconnect = { initialDelayMs: 50, maxDelayMs: 200, maxAttempts: Infinity };

async function resumable(options: Partial<ClientOptions> = {}): Promise<{ client: ArenaClient; network: TestNetwork }> {
  const network = new TestNetwork();
  const client = await connectClient(server, {
    playerId: `r-${randomUUID()}`,
    WebSocket: network.WebSocket,
    reconnect: fastReconnect,
    ...options,
  });
  return { client, network };
}

const other = (): Promise<ArenaClient> => connectClient(server, { playerId: `o-${randomUUID()}` });

describe('resume after the server dropped the connection', () => {
  it('keeps the session and rooms; what was missed is not replayed, later events arrive; the duel goes on', async () => {
    const { client: alice, network } = await resumable();
    const bob = await other();
    const sessionId = alice.sessionId!;

    const relay = await alice.create('relay');
    const bobRelay = await bob.join(relay.id);
    const before = waitFor(relay, 'event');
    await bobRelay.send('before');
    await before;
    expect(relay.seq).toBe(1);

    // Alice created the duel, so she moves first; the duel runs in a worker process.
    const duelRoom = await alice.create('duel', { private: true });
    const aliceDuel = new Duel(duelRoom, alice);
    const bobDuel = new Duel(await bob.join(duelRoom.id), bob);
    await reached(aliceDuel, (s) => s.phase === 'playing' && s.turn === alice.sessionId);
    await aliceDuel.attack();
    await reached(bobDuel, (s) => s.turn === bob.sessionId);

    const log = new EventLog()
      .record(alice, 'client', ['state', 'disconnected', 'reconnecting', 'welcome', 'resumed', 'session_lost'])
      .record(relay, 'relay', ['event', 'state', 'resynced', 'left'])
      .record(duelRoom, 'duel', ['state', 'resynced', 'left']);

    network.block();
    const disconnected = waitFor(alice, 'disconnected');
    await server.dropSession(sessionId);
    const [info] = await disconnected;
    expect(info).toMatchObject({ code: 1006, willReconnect: true });
    expect(alice.state).toBe('reconnecting');
    await expect(relay.send('while down')).rejects.toMatchObject({ code: 'disconnected' });

    // While Alice is away: a relay message she misses, and Bob's move.
    await bobRelay.send('missed');
    await bobDuel.attack();
    expect(bobRelay.seq).toBe(2);

    const resumed = waitFor(alice, 'resumed');
    network.unblock();
    const [back] = await resumed;
    expect(alice.sessionId).toBe(sessionId);
    expect(alice.state).toBe('open');
    expect(back.rooms.map((r) => r.id).sort()).toEqual([relay.id, duelRoom.id].sort());
    expect(back.rooms).toContain(relay);
    expect(back.attempts).toBeGreaterThanOrEqual(1);
    expect(back.downtimeMs).toBeGreaterThan(0);

    // The rooms are the same objects, current again: relay seq 2 without the missed event, Bob's move applied.
    expect(relay.active).toBe(true);
    expect(relay.seq).toBe(2);
    expect(log.entries.filter((e) => e.source === 'relay' && e.event === 'event')).toEqual([]);
    expect(duelRoom.seq).toBe(bobDuel.room.seq);
    expect(aliceDuel.state).toEqual(bobDuel.state);
    expect(aliceDuel.myTurn).toBe(true);
    expect(aliceDuel.state!.players[sessionId]!.hp).toBeLessThan(100);

    // What the game saw, in order.
    const names = log.names((e) => e.event !== 'state' || e.source === 'client');
    expect(names.slice(0, 3)).toEqual(['client:disconnected', 'client:state', 'client:reconnecting']);
    expect(log.entries[1]?.args).toEqual(['reconnecting', 'open']);
    const afterReconnecting = names.slice(names.lastIndexOf('client:reconnecting') + 1);
    expect(afterReconnecting.slice(0, 2)).toEqual(['client:welcome', 'client:state']);
    expect(afterReconnecting.slice(2, 4).sort()).toEqual(['duel:resynced', 'relay:resynced']);
    expect(afterReconnecting.slice(4)).toEqual(['client:resumed']);

    // Later events arrive; the duel continues.
    const next = waitFor(relay, 'event');
    await bobRelay.send('after');
    expect((await next)[0]).toEqual({ from: bob.sessionId, seq: 3, data: 'after' });
    await aliceDuel.attack();
    await reached(bobDuel, (s) => s.turn === bob.sessionId && s.round === 2);
  });

  it('a room disposed while the client was away is left with reason lost', async () => {
    const { client: alice, network } = await resumable();
    const kept = await alice.create('relay');
    const disposed = await alice.create('relay');
    network.block();
    const disconnected = waitFor(alice, 'disconnected');
    await server.dropSession(alice.sessionId!);
    await disconnected;
    const reply = await server.admin('DELETE', `/rooms/${disposed.id}`);
    expect(reply.status).toBe(200);
    const lost = waitFor(disposed, 'left');
    const resumed = waitFor(alice, 'resumed');
    network.unblock();
    expect(await lost).toEqual([{ reason: 'lost' }]);
    const [back] = await resumed;
    expect(back.rooms).toEqual([kept]);
    expect(alice.rooms).toEqual([kept]);
    expect(disposed.active).toBe(false);
  });
});

describe('resume after the client socket died', () => {
  it('reconnects with the same session, rooms and members', async () => {
    const { client: alice, network } = await resumable();
    const bob = await other();
    const room = await alice.create('relay');
    await bob.join(room.id);
    const sessionId = alice.sessionId;
    const disconnected = waitFor(alice, 'disconnected');
    const resumed = waitFor(alice, 'resumed');
    network.kill();
    expect((await disconnected)[0]).toMatchObject({ code: 1006, willReconnect: true });
    await resumed;
    expect(alice.sessionId).toBe(sessionId);
    expect(room.members.map((m) => m.sessionId)).toEqual([sessionId, bob.sessionId]);
    const echoed = waitFor(room, 'event');
    await room.send('still here');
    expect((await echoed)[0]).toMatchObject({ from: sessionId, data: 'still here' });
    const sessions = await server.sessions();
    expect(sessions.filter((s) => s.id === sessionId)).toEqual([
      expect.objectContaining({ connected: true, rooms: [room.id] }),
    ]);
  });
});

describe('several drops in a row', () => {
  it('resumes every time', async () => {
    const { client: alice, network } = await resumable();
    const room = await alice.create('relay');
    const sessionId = alice.sessionId!;
    for (let round = 1; round <= 3; round++) {
      const resumed = waitFor(alice, 'resumed');
      if (round === 2) network.kill();
      else await server.dropSession(sessionId);
      const [back] = await resumed;
      expect(back.rooms).toEqual([room]);
      expect(alice.sessionId).toBe(sessionId);
      await room.send(round);
      expect(room.seq).toBe(round);
    }
    expect(network.opened).toBe(4);
  });

  it('a drop during the resync of a resume continues the same outage: one resumed at the end', async () => {
    const { client: alice, network } = await resumable();
    const room = await alice.create('relay');
    const sessionId = alice.sessionId!;
    const log = new EventLog().record(alice, 'client', ['disconnected', 'welcome', 'resumed']);
    // The socket dies right at the resumed welcome, before the resync ping could be answered.
    alice.once('welcome', () => network.kill());
    const resumed = waitFor(alice, 'resumed');
    await server.dropSession(sessionId);
    const [back] = await resumed;
    expect(log.names()).toEqual([
      'client:disconnected',
      'client:welcome',
      'client:disconnected',
      'client:welcome',
      'client:resumed',
    ]);
    expect(back.attempts).toBe(2);
    expect(back.rooms).toEqual([room]);
    expect(alice.sessionId).toBe(sessionId);
  });
});

describe('backoff', () => {
  it('spaces the attempts with full jitter under the exponential ceiling, then resumes', async () => {
    const options = { initialDelayMs: 40, maxDelayMs: 160, factor: 2, maxAttempts: Infinity };
    const { client: alice, network } = await resumable({ reconnect: options });
    const delays: { attempt: number; delayMs: number }[] = [];
    alice.on('reconnecting', (r) => delays.push(r));
    network.block();
    const sixth = waitFor(alice, 'reconnecting', (r) => r.attempt === 6);
    await server.dropSession(alice.sessionId!);
    await sixth;
    const resumed = waitFor(alice, 'resumed');
    network.unblock();
    const [back] = await resumed;
    expect(delays.map((d) => d.attempt)).toEqual([...Array(back.attempts).keys()].map((i) => i + 1));
    for (const { attempt, delayMs } of delays) {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(backoffCeiling(attempt - 1, options));
    }
    expect(backoffCeiling(5, options)).toBe(160);
  });

  it('gives up after maxAttempts: session_lost with code disconnected, rooms lost', async () => {
    const { client: alice, network } = await resumable({ reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } });
    const room = await alice.create('relay');
    const attempts: number[] = [];
    alice.on('reconnecting', (r) => attempts.push(r.attempt));
    network.block();
    const lost = waitFor(alice, 'session_lost');
    const left = waitFor(room, 'left');
    await server.dropSession(alice.sessionId!);
    const [error] = await lost;
    expect(error).toMatchObject({ code: 'disconnected' });
    expect(error.message).toMatch(/3 attempts/);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await left).toEqual([{ reason: 'lost' }]);
    expect(alice.state).toBe('closed');
  });

  it('with reconnect off, a drop loses the session at once', async () => {
    const alice = await connectClient(server, { reconnect: false });
    await alice.create('relay');
    const disconnected = waitFor(alice, 'disconnected');
    const lost = waitFor(alice, 'session_lost');
    await server.dropSession(alice.sessionId!);
    expect((await disconnected)[0]).toMatchObject({ willReconnect: false });
    expect((await lost)[0]).toMatchObject({ code: 'disconnected' });
    expect(alice.state).toBe('closed');
    expect(alice.rooms).toEqual([]);
  });

  it('uses the documented defaults', () => {
    expect(defaultReconnectOptions).toEqual({ initialDelayMs: 200, maxDelayMs: 5000, factor: 2, maxAttempts: 20 });
  });
});
