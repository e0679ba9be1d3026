// Matchmaking and the duel against a real arena-server (duels run in an arena-worker process).

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Duel, type ArenaClient, type DuelEvents, type MatchFound } from '../../src/node.js';
import { EventLog, connectClient, useClients, waitFor } from '../support/clients.js';
import { reached } from '../support/duel.js';
import { startServer, useServers, type ArenaServer } from '../support/server.js';

useServers();
useClients();

let server: ArenaServer;

beforeAll(async () => {
  server = await startServer();
});

async function pair(): Promise<[ArenaClient, ArenaClient]> {
  return Promise.all([
    connectClient(server, { playerId: `alice-${randomUUID()}` }),
    connectClient(server, { playerId: `bob-${randomUUID()}` }),
  ]);
}

/** Both players queue for a duel, get match_found and join; returns their Duel helpers. */
type GameStarted = Parameters<DuelEvents['game_started']>[0];

/**
 * Both players queue, get the match and join it. `started` is each duel's game_started, listened for from
 * the moment the Duel exists: the second join starts the game, so the first joiner may get the event
 * before the other join has even returned.
 */
async function matchedDuel(
  alice: ArenaClient,
  bob: ArenaClient,
): Promise<{ duels: [Duel, Duel]; match: MatchFound; started: Promise<GameStarted[]> }> {
  const found = [waitFor(alice, 'match_found'), waitFor(bob, 'match_found')] as const;
  await alice.queue('duel', { level: 10 });
  await bob.queue('duel', { level: 12 });
  const [[aliceMatch], [bobMatch]] = await Promise.all(found);
  expect(bobMatch).toEqual(aliceMatch);
  const started: Promise<[GameStarted]>[] = [];
  const [aliceDuel, bobDuel] = await Promise.all(
    [alice, bob].map(async (client, i) => {
      const duel = new Duel(await client.join(aliceMatch.roomId), client);
      started[i] = waitFor(duel, 'game_started');
      return duel;
    }),
  );
  return { duels: [aliceDuel!, bobDuel!], match: aliceMatch, started: Promise.all(started).then((s) => s.map(([e]) => e)) };
}

describe('queue', () => {
  it('returns the ticket, then match_found; joining the match room seats both players', async () => {
    const [alice, bob] = await pair();
    const found = [waitFor(alice, 'match_found'), waitFor(bob, 'match_found')] as const;
    const ticket = await alice.queue('duel', { level: 10 });
    expect(ticket).toEqual({ ticket: expect.stringMatching(/^t-/), roomType: 'duel', level: 10, teamSize: 1 });
    await bob.queue('duel', { level: 15, teamSize: 1 });
    const [[match]] = await Promise.all(found);
    expect(match.roomType).toBe('duel');
    expect(match.matchId).toMatch(/^m-/);
    expect(match.players.map((p) => p.sessionId).sort()).toEqual([alice.sessionId, bob.sessionId].sort());
    const room = await alice.join(match.roomId);
    expect(room.metadata).toEqual({ match_id: match.matchId });
    expect(room.maxClients).toBe(2);
    const bobRoom = await bob.join(match.roomId);
    expect(bobRoom.members.map((m) => m.sessionId)).toEqual([alice.sessionId, bob.sessionId]);
    expect(await alice.listRooms({ roomType: 'duel' })).toEqual([]); // match rooms are never listed
  });

  it('cancelQueue resolves and emits queue_cancelled with reason requested', async () => {
    const [alice] = await pair();
    const ticket = await alice.queue('relay', { level: 500, teamSize: 2 });
    expect(ticket.teamSize).toBe(2);
    const cancelled = waitFor(alice, 'queue_cancelled');
    await alice.cancelQueue();
    expect(await cancelled).toEqual([{ ticket: ticket.ticket, reason: 'requested' }]);
    await expect(alice.cancelQueue()).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('duel', () => {
  it('plays to a knock-out: turns, conflicts for out-of-turn moves and a fourth heal, game_over', async () => {
    const [alice, bob] = await pair();
    const { duels, started } = await matchedDuel(alice, bob);
    const log = new EventLog();
    duels.forEach((duel, i) => log.record(duel, i === 0 ? 'alice' : 'bob', ['action', 'game_over']));
    const states = await Promise.all(duels.map((duel) => reached(duel, (s) => s.phase === 'playing')));
    const [aliceStart, bobStart] = (await started) as [GameStarted, GameStarted];
    expect(bobStart).toEqual(aliceStart);
    expect(aliceStart.round).toBe(1);

    for (const [i, duel] of duels.entries()) {
      expect(duel.me).toBe([alice, bob][i]!.sessionId);
      expect(duel.opponent?.sessionId).toBe([bob, alice][i]!.sessionId);
      expect(Object.keys(states[i]!.players).sort()).toEqual([alice.sessionId, bob.sessionId].sort());
    }
    const first = duels.find((d) => d.myTurn)!;
    const second = duels.find((d) => d !== first)!;
    expect(aliceStart.turn).toBe(first.me);
    expect(second.myTurn).toBe(false);

    // Out of turn: conflict, nothing changes.
    await expect(second.attack()).rejects.toMatchObject({ code: 'conflict', message: 'not your turn' });

    /** The duel whose turn it is acts once; both sides then see the turn pass. */
    const play = async (actor: Duel, action: (d: Duel) => Promise<void>): Promise<void> => {
      await reached(actor, (s) => s.turn === actor.me);
      const other = actor === first ? second : first;
      const before = actor.state!.round;
      await action(actor);
      await reached(other, (s) => s.phase !== 'playing' || s.turn === other.me || s.round > before);
    };

    // Three heals for the first player (at full hp they restore nothing but use the heal), then a fourth.
    for (let i = 0; i < 3; i++) {
      await play(first, (d) => d.heal());
      await play(second, (d) => d.attack());
    }
    expect(first.state!.players[first.me!]!.healsLeft).toBe(0);
    await expect(first.heal()).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/^no heals left/) });
    expect(first.myTurn).toBe(true); // the turn is kept
    await play(first, (d) => d.defend());

    const over = [waitFor(duels[0], 'game_over'), waitFor(duels[1], 'game_over')] as const;
    while (first.state!.phase === 'playing') {
      const actor = first.myTurn ? first : second;
      await play(actor, (d) => d.attack());
    }
    const [[aliceOver], [bobOver]] = await Promise.all(over);
    expect(bobOver).toEqual(aliceOver);
    expect(aliceOver.reason).toBe('ko');
    expect(aliceOver.hp[aliceOver.loser]).toBe(0);
    expect(aliceOver.hp[aliceOver.winner]).toBeGreaterThan(0);
    const final = await reached(second, (s) => s.phase === 'finished');
    expect(final).toMatchObject({ phase: 'finished', winner: aliceOver.winner, reason: 'ko', turn: null, turnEndsAt: null });
    expect(first.myTurn).toBe(false);
    await expect(first.attack()).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/over/) });

    const actions = log.entries.filter((e) => e.event === 'action' && e.source === 'alice').map((e) => e.args[0]);
    expect(actions.slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'heal', by: first.me, healed: 0, healsLeft: 2 }),
      expect.objectContaining({ action: 'attack', by: second.me, target: first.me, defended: false, damage: 15 }),
    ]);
    expect(log.names((e) => e.source === 'bob' && e.event !== 'action')).toEqual(['bob:game_over']);
  });

  it('forfeit ends the duel for the other player', async () => {
    const [alice, bob] = await pair();
    const room = await alice.create('duel', { private: true, metadata: { turnSeconds: 60 } });
    const aliceDuel = new Duel(room, alice);
    // A duel runs in a worker: its first state may follow the joined.
    expect(await reached(aliceDuel, () => true)).toMatchObject({ phase: 'waiting', turnSeconds: 60, round: 0 });
    const bobDuel = new Duel(await bob.join(room.id), bob);
    await reached(aliceDuel, (s) => s.phase === 'playing');
    const over = waitFor(bobDuel, 'game_over');
    await aliceDuel.forfeit();
    const [result] = await over;
    expect(result).toMatchObject({ winner: bob.sessionId, loser: alice.sessionId, reason: 'forfeit' });
  });

  it('a match whose worker process dies is restored: restored event, same state, play goes on', async () => {
    const [alice, bob] = await pair();
    const { duels, match } = await matchedDuel(alice, bob);
    await Promise.all(duels.map((duel) => reached(duel, (s) => s.phase === 'playing')));
    const first = duels.find((d) => d.myTurn)!;
    const second = duels.find((d) => d !== first)!;
    await first.attack();
    const before = await reached(second, (s) => s.turn === second.me);

    const stats = await server.admin('GET', '/workers/stats');
    const workers = (stats.body as { workers: { pid: number; matches: number }[] }).workers;
    const host = workers.find((w) => w.matches > 0);
    expect(host).toBeDefined();
    const restored = [waitFor(duels[0].room, 'restored'), waitFor(duels[1].room, 'restored')] as const;
    process.kill(host!.pid, 'SIGKILL'); // the worker arena-server started for this test file
    const [[atAlice], [atBob]] = await Promise.all(restored);
    expect(atAlice).toEqual({ matchId: match.matchId });
    expect(atBob).toEqual({ matchId: match.matchId });
    expect(second.state).toMatchObject({ phase: 'playing', turn: second.me, round: before.round });
    expect(second.state!.players).toEqual(before.players);

    await second.attack();
    await reached(first, (s) => s.turn === first.me && s.round === before.round + 1);
  });
});
