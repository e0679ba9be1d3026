// A server that stops answering without closing anything (the process is stopped with SIGSTOP, its TCP
// connections stay up): the heartbeat notices the silence, and the client resumes once the server is back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, until, useClients, waitFor } from '../support/clients.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer(['--heartbeat-interval', '1s']);
});

afterAll(() => server.signal('SIGCONT'));

describe('heartbeat', () => {
  it('keeps an idle session alive with pings', async () => {
    const client = await connectClient(server, { playerId: 'idle' });
    const lastActivity = async (): Promise<string> =>
      (await server.sessions()).find((s) => s.id === client.sessionId)?.lastActivityAt ?? '';
    const first = await lastActivity();
    expect(first).not.toBe('');
    // No call from the game: only the heartbeat's pings can move the server's lastActivityAt, twice.
    let second = first;
    await until(async () => (second = await lastActivity()) > first, 'a first heartbeat ping');
    await until(async () => (await lastActivity()) > second, 'a second heartbeat ping');
    expect(client.state).toBe('open');
  });

  it('treats a silent server as a dead connection, then resumes when it answers again', async () => {
    const client = await connectClient(server, {
      playerId: 'frozen',
      requestTimeoutMs: 1000,
      reconnect: { initialDelayMs: 50, maxDelayMs: 300, maxAttempts: Infinity },
    });
    const room = await client.create('relay');
    const sessionId = client.sessionId;
    const disconnected = waitFor(client, 'disconnected');
    const stoppedAt = Date.now();
    server.signal('SIGSTOP');
    let silence: number;
    try {
      const [info] = await disconnected;
      silence = Date.now() - stoppedAt;
      expect(info).toMatchObject({ code: 1006, willReconnect: true });
      expect(info.reason).toMatch(/nothing received from the server/);
      await waitFor(client, 'reconnecting', (r) => r.attempt >= 2); // attempts time out while it is stopped
    } finally {
      server.signal('SIGCONT');
    }
    // Nothing received for 2 × heartbeat (1 s) + 1 s margin; the last pong may predate SIGSTOP by 0.5 s.
    expect(silence).toBeGreaterThanOrEqual(2000);
    expect(silence).toBeLessThan(8000);
    const [back] = await waitFor(client, 'resumed');
    expect(client.sessionId).toBe(sessionId);
    expect(back.rooms).toEqual([room]);
    await room.send('alive');
  });
});
