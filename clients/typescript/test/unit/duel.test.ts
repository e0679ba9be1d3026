import { describe, expect, it } from 'vitest';
import { toDuelState } from '../../src/duel.js';

const playing = {
  phase: 'playing',
  turn: 's-2',
  round: 3,
  turnSeconds: 30,
  turnEndsAt: 1700000095000,
  players: {
    's-1': { playerId: 'p-1', hp: 70, healsLeft: 3, defending: false, skippedTurns: 0 },
    's-2': { playerId: 'p-2', hp: 55, healsLeft: 2, defending: true, skippedTurns: 1 },
  },
  winner: null,
  reason: null,
};

describe('toDuelState', () => {
  it('accepts the documented state and returns a copy', () => {
    const state = toDuelState(playing);
    expect(state).toEqual(playing);
    state!.players['s-1']!.hp = 0;
    expect(playing.players['s-1'].hp).toBe(70);
  });

  it('accepts the waiting state of a fresh duel', () => {
    const waiting = { phase: 'waiting', players: {}, reason: null, round: 0, turn: null, turnEndsAt: null, turnSeconds: 30, winner: null };
    expect(toDuelState(waiting)).toEqual(waiting);
  });

  it('refuses anything else', () => {
    expect(toDuelState(null)).toBeUndefined();
    expect(toDuelState({ ...playing, phase: 'paused' })).toBeUndefined();
    expect(toDuelState({ ...playing, turn: 7 })).toBeUndefined();
    expect(toDuelState({ ...playing, players: { 's-1': { playerId: 'p-1', hp: '70' } } })).toBeUndefined();
    expect(toDuelState({ ...playing, turnEndsAt: 'soon' })).toBeUndefined();
  });
});
