import { describe, expect, it } from 'vitest';
import type { JoinedMessage } from '../../src/protocol.js';
import { Room, type RoomHost } from '../../src/room.js';
import { EventLog } from '../support/clients.js';

const host: RoomHost = {
  request: () => Promise.reject(new Error('not in this test')),
  post: () => Promise.reject(new Error('not in this test')),
  leave: () => Promise.reject(new Error('not in this test')),
};

function joined(seq: number, state: unknown, members = [{ sessionId: 's-1', playerId: 'p-1' }]): JoinedMessage {
  return { type: 'joined', roomId: 'r-1', roomType: 'duel', seq, maxClients: 2, members, metadata: { m: 1 }, state };
}

function room(): { room: Room; log: EventLog } {
  const r = Room.fromJoined(host, joined(4, { v: 4 }));
  const log = new EventLog().record(r, 'room', ['event', 'state', 'member_joined', 'member_left', 'left', 'resynced', 'restored']);
  return { room: r, log };
}

describe('Room seq handling', () => {
  it('applies events and states with a newer seq, gaps included, and ignores older or equal ones', () => {
    const { room: r, log } = room();
    expect(r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 4, data: 'same as joined' })).toBe(false);
    expect(r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 5, from: 's-2', data: 'a' })).toBe(true);
    expect(r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 5, data: 'duplicate' })).toBe(false);
    expect(r.applyState({ type: 'room_state', roomId: 'r-1', seq: 3, state: { v: 3 } })).toBe(false);
    expect(r.applyState({ type: 'room_state', roomId: 'r-1', seq: 8, state: { v: 8 } })).toBe(true); // gap: 6, 7 went to others
    expect(r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 7, data: 'late' })).toBe(false);
    expect(r.seq).toBe(8);
    expect(r.state).toEqual({ v: 8 });
    expect(log.entries.map((e) => [e.event, ...e.args])).toEqual([
      ['event', { from: 's-2', seq: 5, data: 'a' }],
      ['state', { v: 8 }, 8],
    ]);
  });

  it('a re-sent joined replaces state, seq and members, then later events apply from its seq', () => {
    const { room: r, log } = room();
    r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 5, data: 'before the drop' });
    const members = [
      { sessionId: 's-1', playerId: 'p-1' },
      { sessionId: 's-2', playerId: 'p-2' },
    ];
    r.applyJoined(joined(9, { v: 9 }, members));
    expect(r.seq).toBe(9);
    expect(r.state).toEqual({ v: 9 });
    expect(r.members).toEqual(members);
    expect(r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 9, data: 'missed, already in the state' })).toBe(false);
    expect(r.applyEvent({ type: 'room_event', roomId: 'r-1', seq: 10, data: 'new' })).toBe(true);
    expect(log.names()).toEqual(['room:event', 'room:state', 'room:resynced', 'room:event']);
    expect(log.entries[1]?.args).toEqual([{ v: 9 }, 9]);
  });

  it('tracks members (once each), hands out copies, and leaves once', () => {
    const { room: r, log } = room();
    r.addMember({ sessionId: 's-2', playerId: 'p-2' });
    r.addMember({ sessionId: 's-2', playerId: 'p-2' });
    const copy = r.members;
    copy.pop();
    expect(r.members).toHaveLength(2);
    r.removeMember({ sessionId: 's-1', playerId: 'p-1' }, 'disconnected');
    expect(r.members).toEqual([{ sessionId: 's-2', playerId: 'p-2' }]);
    r.markRestored('m-1');
    expect(r.active).toBe(true);
    r.markLeft('finished');
    r.markLeft('lost');
    expect(r.active).toBe(false);
    expect(log.entries.map((e) => [e.event, ...e.args])).toEqual([
      ['member_joined', { sessionId: 's-2', playerId: 'p-2' }],
      ['member_left', { sessionId: 's-1', playerId: 'p-1', reason: 'disconnected' }],
      ['restored', { matchId: 'm-1' }],
      ['left', { reason: 'finished' }],
    ]);
    expect(r.maxClients).toBe(2);
    expect(r.metadata).toEqual({ m: 1 });
    expect(r.type).toBe('duel');
  });
});
