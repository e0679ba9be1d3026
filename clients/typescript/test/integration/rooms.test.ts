// Rooms against a real arena-server: create, join, leave, listing, relay fan-out, acks, locks and the lobby.

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArenaClient } from '../../src/node.js';
import { EventLog, connectClient, useClients, waitFor } from '../support/clients.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer();
});

async function pair(): Promise<[ArenaClient, ArenaClient]> {
  return Promise.all([connectClient(server, { playerId: `a-${randomUUID()}` }), connectClient(server, { playerId: `b-${randomUUID()}` })]);
}

describe('joinOrCreate / join / leave', () => {
  it('creates a room, then joins the same one by filter; members and metadata are current', async () => {
    const [alice, bob] = await pair();
    const topic = randomUUID();
    const room = await alice.joinOrCreate('relay', { filter: { topic }, metadata: { topic, level: 1.5 }, maxClients: 4 });
    expect(room.type).toBe('relay');
    expect(room.maxClients).toBe(4);
    expect(room.metadata).toEqual({ topic, level: 1.5 });
    expect(room.members).toEqual([{ sessionId: alice.sessionId, playerId: alice.playerId }]);
    expect(room.state).toBeNull();
    expect(room.seq).toBe(0);
    expect(room.active).toBe(true);
    expect(alice.room(room.id)).toBe(room);
    expect(alice.rooms).toEqual([room]);

    const joined = waitFor(room, 'member_joined');
    const bobRoom = await bob.joinOrCreate('relay', { filter: { topic } });
    expect(bobRoom.id).toBe(room.id);
    expect(bobRoom.members.map((m) => m.sessionId)).toEqual([alice.sessionId, bob.sessionId]);
    expect(await joined).toEqual([{ sessionId: bob.sessionId, playerId: bob.playerId }]);
    expect(room.members.map((m) => m.sessionId)).toEqual([alice.sessionId, bob.sessionId]);
  });

  it('join by id, leave with reason requested; the others see member_left', async () => {
    const [alice, bob] = await pair();
    const room = await alice.create('relay');
    const bobRoom = await bob.join(room.id);
    const memberLeft = waitFor(room, 'member_left');
    const left = waitFor(bobRoom, 'left');
    await bobRoom.leave();
    expect(await left).toEqual([{ reason: 'requested' }]);
    expect(bobRoom.active).toBe(false);
    expect(bob.room(room.id)).toBeUndefined();
    expect(await memberLeft).toEqual([{ sessionId: bob.sessionId, playerId: bob.playerId, reason: 'requested' }]);
    expect(room.members.map((m) => m.sessionId)).toEqual([alice.sessionId]);
    await alice.leave(room.id);
    expect(room.active).toBe(false);
    expect(alice.rooms).toEqual([]);
  });

  it('a private room is joined by id and never listed', async () => {
    const [alice, bob] = await pair();
    const marker = randomUUID();
    const room = await alice.create('relay', { private: true, maxClients: 2, metadata: { marker } });
    expect(room.maxClients).toBe(2);
    expect(await alice.listRooms({ filter: { marker } })).toEqual([]);
    const bobRoom = await bob.join(room.id);
    expect(bobRoom.metadata).toEqual({ marker });
  });
});

describe('listRooms', () => {
  it('lists public rooms by type and metadata filter, locked and full ones included', async () => {
    const [alice, bob] = await pair();
    const marker = randomUUID();
    const ranked = await alice.create('relay', { metadata: { marker, mode: 'ranked' }, maxClients: 1 });
    const casual = await bob.create('relay', { metadata: { marker, mode: 'casual' } });
    await casual.lock();
    const all = await alice.listRooms({ roomType: 'relay', filter: { marker } });
    expect(all.map((r) => r.id).sort()).toEqual([ranked.id, casual.id].sort());
    const rankedOnly = await alice.listRooms({ filter: { marker, mode: 'ranked' } });
    expect(rankedOnly).toEqual([
      { id: ranked.id, type: 'relay', clients: 1, maxClients: 1, locked: false, metadata: { marker, mode: 'ranked' } },
    ]);
    const casualOnly = await alice.listRooms({ roomType: 'relay', filter: { marker, mode: 'casual' } });
    expect(casualOnly[0]).toMatchObject({ id: casual.id, locked: true, clients: 1, maxClients: 16 });
    expect(await alice.listRooms({ roomType: 'lobby', filter: { marker } })).toEqual([]);
  });
});

describe('relay', () => {
  it('fans a message out to every member, sender included, with from and seq', async () => {
    const [alice, bob] = await pair();
    const room = await alice.create('relay');
    const bobRoom = await bob.join(room.id);
    const atAlice = waitFor(room, 'event');
    const atBob = waitFor(bobRoom, 'event');
    const data = { text: 'gl hf', emote: 7, nested: { list: [1, 'two', null], snake_case_key: true } };
    await room.send(data);
    const [aliceEvent] = await atAlice;
    const [bobEvent] = await atBob;
    expect(aliceEvent).toEqual({ from: alice.sessionId, seq: 1, data });
    expect(bobEvent).toEqual(aliceEvent);
    expect(room.seq).toBe(1);
    expect(bobRoom.seq).toBe(1);
  });

  it('send with ack resolves after the event reached the sender; without ack it resolves once sent', async () => {
    const [alice, bob] = await pair();
    const room = await alice.create('relay');
    const bobRoom = await bob.join(room.id);
    const seen: number[] = [];
    room.on('event', (e) => seen.push(e.seq));
    const bobEvents: unknown[] = [];
    bobRoom.on('event', (e) => bobEvents.push(e.data));
    await room.send('first');
    expect(seen).toEqual([1]); // the ack follows the events the message caused
    const second = waitFor(bobRoom, 'event', (e) => e.data === 'second');
    await room.send('second', { ack: false });
    await second;
    await room.send(['third'], { ack: false });
    await waitFor(bobRoom, 'event', (e) => Array.isArray(e.data));
    expect(bobEvents).toEqual(['first', 'second', ['third']]);
    expect(bobRoom.seq).toBe(3);
  });

  it('delivers events in seq order to a room awaited right before', async () => {
    const [alice, bob] = await pair();
    const room = await alice.create('relay');
    const bobRoom = await bob.join(room.id);
    const received: number[] = [];
    bobRoom.on('event', (e) => received.push(e.data as number));
    const all = waitFor(bobRoom, 'event', () => received.length === 20);
    for (let i = 0; i < 20; i++) void room.send(i, { ack: false });
    await all;
    expect(received).toEqual([...Array(20).keys()]);
  });
});

describe('lock / unlock', () => {
  it('a locked room refuses joiners until unlocked', async () => {
    const [alice, bob] = await pair();
    const room = await alice.create('relay');
    await room.lock();
    await expect(bob.join(room.id)).rejects.toMatchObject({ code: 'room_locked' });
    await room.unlock();
    const bobRoom = await bob.join(room.id);
    expect(bobRoom.id).toBe(room.id);
  });
});

describe('lobby', () => {
  it('sends a live listing on join and when rooms change, with per-member filters', async () => {
    const [alice, bob] = await pair();
    const marker = randomUUID();
    const lobby = await alice.joinOrCreate('lobby', { filter: { marker }, metadata: { marker } });
    const log = new EventLog().record(lobby, 'lobby', ['event']);
    const [initial] = await waitFor(lobby, 'event'); // the listing every joiner gets
    expect(initial.data).toMatchObject({ kind: 'rooms' });
    type Listing = { kind: string; rooms: { id: string; type: string; max_clients: number; metadata: unknown }[]; total: number };
    const listingWith = (id: string) => (e: { data: unknown }) =>
      (e.data as Listing).kind === 'rooms' && (e.data as Listing).rooms.some((r) => r.id === id);

    // Only rooms with this test's marker: the server is shared with other tests.
    const filtered = waitFor(lobby, 'event', (e) => (e.data as Listing).kind === 'rooms');
    await lobby.send({ action: 'filter', metadata: { marker } });
    const [first] = await filtered;
    expect((first.data as Listing).rooms).toEqual([]);
    expect(first.from).toBeUndefined();

    const created = waitFor(lobby, 'event', (e) => (e.data as Listing).rooms.length > 0);
    const relay = await bob.create('relay', { metadata: { marker } });
    const [update] = await created;
    const listing = update.data as Listing;
    expect(listing.total).toBe(1);
    expect(listing.rooms).toEqual([
      { id: relay.id, type: 'relay', clients: 1, max_clients: 16, locked: false, metadata: { marker } },
    ]);
    expect(listingWith(relay.id)(update)).toBe(true);

    const gone = waitFor(lobby, 'event', (e) => (e.data as Listing).rooms.length === 0);
    await relay.leave(); // the empty relay room disposes of itself
    await gone;
    const seqs = log.entries.map((e) => (e.args[0] as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
