// Session basics against a real arena-server: connect, welcome, ping, close, and calls outside an open session.

import { beforeAll, describe, expect, it } from 'vitest';
import { ArenaClient, ArenaError } from '../../src/node.js';
import { EventLog, connectClient, makeClient, useClients, waitFor } from '../support/clients.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer();
});

describe('connect', () => {
  it('says hello and exposes the welcome', async () => {
    const client = makeClient(server, { playerId: 'alice' });
    const log = new EventLog().record(client, 'client', ['state', 'welcome']);
    expect(client.state).toBe('idle');
    const welcome = await client.connect();
    expect(welcome.playerId).toBe('alice');
    expect(welcome.sessionId).toMatch(/^s-[0-9a-f]{32}$/);
    expect(welcome.resumed).toBe(false);
    expect(welcome.protocol).toBe(1);
    expect(welcome.heartbeatMs).toBe(15_000);
    expect(welcome.instance).toBe(server.instance);
    expect(welcome.limits).toEqual({
      maxMessageBytes: 65_536,
      maxPayloadBytes: 16_384,
      maxPayloadDepth: 16,
      messagesPerSecond: 50,
    });
    expect(client.state).toBe('open');
    expect(client.sessionId).toBe(welcome.sessionId);
    expect(client.playerId).toBe('alice');
    expect(client.instance).toBe(server.instance);
    expect(client.limits).toEqual(welcome.limits);
    expect(client.rooms).toEqual([]);
    expect(log.names()).toEqual(['client:state', 'client:welcome', 'client:state']);
    expect(log.entries[0]?.args).toEqual(['connecting', 'idle']);
    expect(log.entries[2]?.args).toEqual(['open', 'connecting']);
  });

  it('gets a guest id without playerId', async () => {
    const client = await connectClient(server);
    expect(client.playerId).toMatch(/^guest-[0-9a-f]{16}$/);
  });

  it('returns the same promise while connecting and the welcome once open', async () => {
    const client = makeClient(server);
    const first = client.connect();
    expect(client.connect()).toBe(first);
    const welcome = await first;
    await expect(client.connect()).resolves.toBe(welcome);
  });

  it('rejects with disconnected when the socket cannot open', async () => {
    const client = makeClient(server, { url: 'ws://127.0.0.1:9' });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArenaError);
    expect((error as ArenaError).code).toBe('disconnected');
    expect(client.state).toBe('closed');
  });

  it('rejects with disconnected when there is no WebSocket implementation', async () => {
    const { ArenaClient: GenericClient } = await import('../../src/index.js');
    const hadGlobal = 'WebSocket' in globalThis;
    expect(hadGlobal).toBe(false); // Node 20: the generic entry has no WebSocket without the Node entry
    // The Node entry registered `ws` as fallback in this process, so pass an explicit failing constructor.
    const client = new GenericClient({
      url: server.url,
      WebSocket: class {
        constructor() {
          throw new Error('no sockets here');
        }
      } as unknown as ConstructorParameters<typeof GenericClient>[0]['WebSocket'],
    });
    await expect(client.connect()).rejects.toMatchObject({ code: 'disconnected', message: expect.stringMatching(/no sockets here/) });
  });
});

describe('ping', () => {
  it('measures the round trip and reads the server clock', async () => {
    const client = await connectClient(server);
    const before = Date.now();
    const pong = await client.ping();
    expect(pong.rttMs).toBeGreaterThanOrEqual(0);
    expect(pong.rttMs).toBeLessThan(5000);
    expect(pong.serverTime).toBeGreaterThanOrEqual(before - 1000);
    expect(pong.serverTime).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe('close', () => {
  it('ends the session: rooms left with reason closed, others see member_left disconnected', async () => {
    const alice = await connectClient(server, { playerId: 'close-a' });
    const bob = await connectClient(server, { playerId: 'close-b' });
    const room = await alice.create('relay', { private: true });
    const bobRoom = await bob.join(room.id);
    const left = waitFor(room, 'left');
    const memberLeft = waitFor(bobRoom, 'member_left');
    const states = new EventLog().record(alice, 'alice', ['state', 'disconnected', 'reconnecting']);
    await alice.close();
    expect(alice.state).toBe('closed');
    expect(await left).toEqual([{ reason: 'closed' }]);
    expect(room.active).toBe(false);
    expect(alice.rooms).toEqual([]);
    expect(await memberLeft).toEqual([{ sessionId: alice.sessionId, playerId: 'close-a', reason: 'disconnected' }]);
    expect(states.names()).toEqual(['alice:state']);
    expect(bobRoom.members.map((m) => m.playerId)).toEqual(['close-b']);
    const sessions = await server.sessions();
    expect(sessions.some((s) => s.id === alice.sessionId)).toBe(false);
    await alice.close(); // a second close is a no-op
  });

  it('rejects requests still waiting with closed', async () => {
    const client = await connectClient(server);
    const pending = client.listRooms();
    const closing = client.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
    await closing;
  });

  it('close while connecting rejects connect with closed', async () => {
    const client = makeClient(server);
    const connecting = client.connect();
    await client.close();
    await expect(connecting).rejects.toMatchObject({ code: 'closed' });
    expect(client.state).toBe('closed');
  });

  it('close from a welcome listener wins: the client stays closed', async () => {
    const client = makeClient(server);
    client.once('welcome', () => void client.close());
    await expect(client.connect()).rejects.toMatchObject({ code: 'closed' });
    expect(client.state).toBe('closed');
  });

  it('can connect again after close, with a new session', async () => {
    const client = await connectClient(server, { playerId: 'again' });
    const first = client.sessionId;
    await client.close();
    const welcome = await client.connect();
    expect(welcome.sessionId).not.toBe(first);
    expect(client.state).toBe('open');
  });
});

describe('calls while not open', () => {
  it('reject at once with disconnected', async () => {
    const client = new ArenaClient({ url: server.url });
    for (const call of [
      () => client.ping(),
      () => client.listRooms(),
      () => client.joinOrCreate('relay'),
      () => client.create('relay'),
      () => client.join('r-x'),
      () => client.leave('r-x'),
      () => client.queue('duel', { level: 1 }),
      () => client.cancelQueue(),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'disconnected' });
    }
  });
});

describe('closed by the server for good', () => {
  it('replaced: a second hello for the same player ends the first session without reconnecting', async () => {
    const first = await connectClient(server, { playerId: 'twice' });
    await first.create('relay');
    const log = new EventLog().record(first, 'first', ['closing', 'disconnected', 'reconnecting', 'session_lost']);
    const lost = waitFor(first, 'session_lost');
    const second = await connectClient(server, { playerId: 'twice' });
    const [error] = await lost;
    expect(error).toMatchObject({ code: 'closed', message: expect.stringMatching(/replaced/) });
    expect(log.names()).toEqual(['first:closing', 'first:disconnected', 'first:session_lost']);
    expect(log.entries[0]?.args).toEqual([{ reason: 'replaced', code: 1000 }]);
    expect(log.entries[1]?.args).toEqual([{ code: 1000, reason: 'replaced', willReconnect: false }]);
    expect(first.state).toBe('closed');
    expect(first.rooms).toEqual([]);
    expect(second.state).toBe('open');
  });

  it('idle: a session that sends nothing is ended by the cleanup sweep', async () => {
    const strict = await startServer(['--session-idle-timeout', '1s', '--cleanup-interval', '100ms']);
    const client = await connectClient(strict); // heartbeat 15 s: no ping within the idle timeout
    const closing = waitFor(client, 'closing');
    const [error] = await waitFor(client, 'session_lost');
    expect((await closing)[0]).toEqual({ reason: 'idle', code: 1000 });
    expect(error).toMatchObject({ code: 'closed', message: expect.stringMatching(/idle/) });
    expect(client.state).toBe('closed');
  });
});
