// A session that is not resumed within the server's grace period is over: the SDK gives up cleanly.

import { beforeAll, describe, expect, it } from 'vitest';
import { EventLog, TestNetwork, connectClient, useClients, waitFor } from '../support/clients.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer(['--resume-grace', '300ms', '--cleanup-interval', '100ms']);
});

describe('resume after the grace period', () => {
  it('fails with session_lost session_expired; state closed; rooms left with reason lost', async () => {
    const network = new TestNetwork();
    const alice = await connectClient(server, {
      playerId: 'late-alice',
      WebSocket: network.WebSocket,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: Infinity },
    });
    const bob = await connectClient(server, { playerId: 'bob' });
    const room = await alice.create('relay');
    const bobRoom = await bob.join(room.id);
    const log = new EventLog()
      .record(alice, 'client', ['disconnected', 'session_lost', 'resumed'])
      .record(room, 'room', ['left']);
    alice.on('state', (state) => log.entries.push({ source: 'client', event: `state ${state}`, args: [] }));

    // Held back from reconnecting until the server has ended the session (Bob sees her go).
    network.block();
    const gone = waitFor(bobRoom, 'member_left');
    await server.dropSession(alice.sessionId!);
    expect((await gone)[0]).toMatchObject({ sessionId: alice.sessionId, reason: 'disconnected' });
    expect(alice.state).toBe('reconnecting');

    const lost = waitFor(alice, 'session_lost');
    network.unblock();
    const [error] = await lost;
    expect(error.code).toBe('session_expired');
    expect(error.message).toMatch(/no longer has this session/);
    expect(error.message).toMatch(/connect\(\)/);
    expect(alice.state).toBe('closed');
    expect(alice.rooms).toEqual([]);
    expect(room.active).toBe(false);
    expect(log.names()).toEqual([
      'client:disconnected',
      'client:state reconnecting',
      'room:left',
      'client:state closed',
      'client:session_lost',
    ]);
    expect(log.entries[2]?.args).toEqual([{ reason: 'lost' }]);

    // connect() starts a new session.
    const welcome = await alice.connect();
    expect(welcome.resumed).toBe(false);
    expect(welcome.playerId).toBe('late-alice');
    expect(alice.state).toBe('open');
  });
});
