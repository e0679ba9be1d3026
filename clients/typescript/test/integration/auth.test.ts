// Player tokens against a real arena-server started with --player-token-secret-file.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetwork, connectClient, makeClient, useClients, waitFor } from '../support/clients.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';
import { mintToken, playerToken, secretFile } from '../support/tokens.js';

useServers();
useClients();

let server: ArenaServer;
let secret: string;
const file = secretFile();

beforeAll(async () => {
  secret = file.secret;
  server = await startServer(['--player-token-secret-file', file.path]);
});

afterAll(() => file.remove());

describe('player tokens', () => {
  it('a valid token opens a session for the token subject', async () => {
    const client = await connectClient(server, { token: playerToken(secret, 'tok-alice') });
    expect(client.playerId).toBe('tok-alice');
    expect(client.state).toBe('open');
  });

  it('no token, a token signed with another secret, or an expired one: unauthorized', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      undefined,
      playerToken('another-secret-that-is-long-enough-32b', 'tok-bob'),
      mintToken(secret, { sub: 'tok-bob', exp: now - 60 }),
      'not-a-jwt',
    ]) {
      const client = makeClient(server, token === undefined ? {} : { token });
      await expect(client.connect()).rejects.toMatchObject({ code: 'unauthorized' });
      expect(client.state).toBe('closed');
    }
  });

  it('a playerId other than the token subject: forbidden', async () => {
    const client = makeClient(server, { token: playerToken(secret, 'tok-carol'), playerId: 'someone-else' });
    await expect(client.connect()).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('the token goes along with the resume hello', async () => {
    const network = new TestNetwork();
    const client = await connectClient(server, {
      token: playerToken(secret, 'tok-dave'),
      WebSocket: network.WebSocket,
      reconnect: { initialDelayMs: 20 },
    });
    const sessionId = client.sessionId;
    const resumed = waitFor(client, 'resumed');
    await server.dropSession(sessionId!);
    await resumed;
    expect(client.sessionId).toBe(sessionId);
    expect(client.playerId).toBe('tok-dave');
    expect(network.opened).toBe(2);
  });
});
