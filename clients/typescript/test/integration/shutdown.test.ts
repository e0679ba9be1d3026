// The server going away on purpose: shutdown (SIGTERM) and the deadline of a drain. Both send
// session_closing with retry_after_ms and close 1001; the SDK waits at least that long, then tries to resume.

import { describe, expect, it } from 'vitest';
import { EventLog, connectClient, useClients, waitFor } from '../support/clients.js';
import { startServer, useServers } from '../support/server.js';

useServers();
useClients();

const reconnect = { initialDelayMs: 50, maxDelayMs: 300, maxAttempts: Infinity };

describe('server shutdown', () => {
  it('closing event, then reconnect attempts after retry_after_ms; a restarted server no longer has the session', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { playerId: 'shutdown-alice', reconnect });
    await alice.create('relay');
    const log = new EventLog().record(alice, 'client', ['closing', 'disconnected', 'reconnecting', 'session_lost']);
    const closing = waitFor(alice, 'closing');
    const disconnected = waitFor(alice, 'disconnected');
    const third = waitFor(alice, 'reconnecting', (r) => r.attempt === 3);
    server.signal('SIGTERM');

    expect((await closing)[0]).toEqual({ reason: 'shutdown', code: 1001, retryAfterMs: 1000 });
    expect((await disconnected)[0]).toMatchObject({ code: 1001, willReconnect: true });
    expect(alice.state).toBe('reconnecting');
    await third;
    const first = log.entries.find((e) => e.event === 'reconnecting')?.args[0] as { attempt: number; delayMs: number };
    expect(first.attempt).toBe(1);
    expect(first.delayMs).toBeGreaterThanOrEqual(1000);
    expect(first.delayMs).toBeLessThanOrEqual(1000 + reconnect.initialDelayMs);
    expect(log.names().slice(0, 3)).toEqual(['client:closing', 'client:disconnected', 'client:reconnecting']);
    expect(await server.waitExit()).toBe(0);

    // A new server on the same port: the resume finds no session there.
    const lost = waitFor(alice, 'session_lost');
    await startServer(['--player-port', String(server.playerPort)]);
    expect((await lost)[0]).toMatchObject({ code: 'session_expired' });
    expect(alice.state).toBe('closed');
  });
});

describe('drain deadline', () => {
  it('session_closing draining, then a resume attempt that finds the session ended', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { playerId: 'drained-alice', reconnect });
    const closing = waitFor(alice, 'closing');
    const reconnecting = waitFor(alice, 'reconnecting');
    const lost = waitFor(alice, 'session_lost');
    const reply = await server.admin('POST', '/drain?deadline_ms=50');
    expect(reply.status).toBe(200);
    expect((await closing)[0]).toEqual({ reason: 'draining', code: 1001, retryAfterMs: 1000 });
    expect((await reconnecting)[0].delayMs).toBeGreaterThanOrEqual(1000);
    const [error] = await lost;
    expect(error.code).toBe('session_expired');
    expect(alice.state).toBe('closed');
  });
});
