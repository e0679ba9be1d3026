// Duel: the built-in `duel` room type (docs/ROOMS.md §7) with typed state, events and actions.

import type { ArenaClient } from './client.js';
import { Emitter } from './emitter.js';
import type { Member } from './protocol.js';
import type { Room } from './room.js';

export type DuelPhase = 'waiting' | 'playing' | 'finished';
export type DuelAction = 'attack' | 'defend' | 'heal' | 'forfeit';
export type DuelEndReason = 'ko' | 'timeout' | 'forfeit';

export interface DuelPlayer {
  playerId: string;
  hp: number;
  healsLeft: number;
  defending: boolean;
  skippedTurns: number;
}

export interface DuelState {
  phase: DuelPhase;
  /** Session id of the player to move; null unless playing. */
  turn: string | null;
  round: number;
  turnSeconds: number;
  /** When the current turn is skipped (server clock, ms since the epoch); null unless playing. */
  turnEndsAt: number | null;
  /** By session id. */
  players: Record<string, DuelPlayer>;
  winner: string | null;
  reason: string | null;
}

export interface DuelActionEvent {
  by: string;
  action: 'attack' | 'defend' | 'heal';
  /** The attacked player (attacks only). */
  target?: string;
  damage: number;
  /** Whether the target was defending (attacks only). */
  defended?: boolean;
  healed: number;
  /** Heals the healer has left (heals only). */
  healsLeft?: number;
  /** Hit points of both players after the action, by session id. */
  hp: Record<string, number>;
}

export interface DuelEvents {
  /** Every new state (room_state, and the state re-sent after a resume). */
  change: (state: DuelState) => void;
  game_started: (e: { turn: string; round: number; turnEndsAt: number }) => void;
  action: (e: DuelActionEvent) => void;
  turn_skipped: (e: { player: string; skippedTurns: number }) => void;
  game_over: (e: { winner: string; loser: string; reason: DuelEndReason; hp: Record<string, number> }) => void;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'number');
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function isDuelPlayer(value: unknown): value is DuelPlayer {
  return (
    isObject(value) &&
    typeof value['playerId'] === 'string' &&
    typeof value['hp'] === 'number' &&
    typeof value['healsLeft'] === 'number' &&
    typeof value['defending'] === 'boolean' &&
    typeof value['skippedTurns'] === 'number'
  );
}

/** The room state as a DuelState, or undefined when it does not have that shape. */
export function toDuelState(value: unknown): DuelState | undefined {
  if (!isObject(value)) return undefined;
  const phase = value['phase'];
  if (phase !== 'waiting' && phase !== 'playing' && phase !== 'finished') return undefined;
  const players = value['players'];
  if (!isObject(players) || !Object.values(players).every(isDuelPlayer)) return undefined;
  const turnEndsAt = value['turnEndsAt'];
  if (
    !isStringOrNull(value['turn']) ||
    typeof value['round'] !== 'number' ||
    typeof value['turnSeconds'] !== 'number' ||
    !(turnEndsAt === null || typeof turnEndsAt === 'number') ||
    !isStringOrNull(value['winner']) ||
    !isStringOrNull(value['reason'])
  )
    return undefined;
  const copy: Record<string, DuelPlayer> = {};
  for (const [sessionId, player] of Object.entries(players as Record<string, DuelPlayer>)) copy[sessionId] = { ...player };
  return {
    phase,
    turn: value['turn'],
    round: value['round'],
    turnSeconds: value['turnSeconds'],
    turnEndsAt,
    players: copy,
    winner: value['winner'],
    reason: value['reason'],
  };
}

export class Duel extends Emitter<DuelEvents> {
  readonly room: Room;
  private readonly client: ArenaClient;

  constructor(room: Room, client: ArenaClient) {
    super();
    this.room = room;
    this.client = client;
    room.on('state', (state) => {
      const duelState = toDuelState(state);
      if (duelState) this.emit('change', duelState);
    });
    room.on('event', (event) => this.onEvent(event.data));
  }

  /** The room state, typed; undefined if the room does not hold a duel state. */
  get state(): DuelState | undefined {
    return toDuelState(this.room.state);
  }

  /** This client's session id. */
  get me(): string | undefined {
    return this.client.sessionId;
  }

  /** The other player: from the members, or (once they left) from the state's players. */
  get opponent(): Member | undefined {
    const me = this.me;
    const member = this.room.members.find((m) => m.sessionId !== me);
    if (member) return member;
    const players = this.state?.players ?? {};
    for (const [sessionId, player] of Object.entries(players))
      if (sessionId !== me) return { sessionId, playerId: player.playerId };
    return undefined;
  }

  get myTurn(): boolean {
    const state = this.state;
    return state !== undefined && state.phase === 'playing' && state.turn === this.me;
  }

  /** Deals 10 + (round % 3) * 5 damage, halved when the opponent defends. Rejects 'conflict' out of turn. */
  attack(): Promise<void> {
    return this.act('attack');
  }

  /** Halves the next damage taken. */
  defend(): Promise<void> {
    return this.act('defend');
  }

  /** Restores 12 hp, at most 3 times per duel; a fourth rejects with 'conflict' and the turn is kept. */
  heal(): Promise<void> {
    return this.act('heal');
  }

  /** Concedes at once; allowed out of turn. */
  forfeit(): Promise<void> {
    return this.act('forfeit');
  }

  private act(action: DuelAction): Promise<void> {
    return this.room.send({ action });
  }

  private onEvent(data: unknown): void {
    if (!isObject(data)) return;
    switch (data['kind']) {
      case 'game_started':
        if (typeof data['turn'] === 'string' && typeof data['round'] === 'number' && typeof data['turnEndsAt'] === 'number')
          this.emit('game_started', { turn: data['turn'], round: data['round'], turnEndsAt: data['turnEndsAt'] });
        break;
      case 'action': {
        const action = data['action'];
        if (
          typeof data['by'] !== 'string' ||
          (action !== 'attack' && action !== 'defend' && action !== 'heal') ||
          typeof data['damage'] !== 'number' ||
          typeof data['healed'] !== 'number' ||
          !isNumberRecord(data['hp'])
        )
          break;
        const event: DuelActionEvent = {
          by: data['by'],
          action,
          damage: data['damage'],
          healed: data['healed'],
          hp: { ...data['hp'] },
        };
        if (typeof data['target'] === 'string') event.target = data['target'];
        if (typeof data['defended'] === 'boolean') event.defended = data['defended'];
        if (typeof data['healsLeft'] === 'number') event.healsLeft = data['healsLeft'];
        this.emit('action', event);
        break;
      }
      case 'turn_skipped':
        if (typeof data['player'] === 'string' && typeof data['skippedTurns'] === 'number')
          this.emit('turn_skipped', { player: data['player'], skippedTurns: data['skippedTurns'] });
        break;
      case 'game_over': {
        const reason = data['reason'];
        if (
          typeof data['winner'] === 'string' &&
          typeof data['loser'] === 'string' &&
          (reason === 'ko' || reason === 'timeout' || reason === 'forfeit') &&
          isNumberRecord(data['hp'])
        )
          this.emit('game_over', { winner: data['winner'], loser: data['loser'], reason, hp: { ...data['hp'] } });
        break;
      }
      default:
        break;
    }
  }
}
