// Room: one room the session is in. Kept current by the client: members, state and seq, with the server's
// per-room sequence numbers deciding what is new.

import { Emitter } from './emitter.js';
import type {
  ClientMessage,
  JoinedMessage,
  Member,
  RoomEventMessage,
  RoomStateMessage,
  ServerMessageOf,
  ServerMessageType,
} from './protocol.js';
import type { RoomEvents } from './types.js';

/**
 * What a Room needs from its client.
 * @internal
 */
export interface RoomHost {
  request<T extends ServerMessageType>(message: ClientMessage, expect: T): Promise<ServerMessageOf<T>>;
  post(message: ClientMessage): Promise<void>;
  leave(roomId: string): Promise<void>;
}

export interface SendOptions {
  /** Wait for the server's ack (default true). Without it, a refusal arrives as the client's 'error' event. */
  ack?: boolean;
}

export class Room extends Emitter<RoomEvents> {
  readonly id: string;
  readonly type: string;
  private currentMaxClients: number;
  private currentMetadata: Record<string, unknown>;
  private currentMembers: Member[];
  private currentState: unknown;
  private currentSeq: number;
  private isActive = true;

  private constructor(
    private readonly host: RoomHost,
    joined: JoinedMessage,
  ) {
    super();
    this.id = joined.roomId;
    this.type = joined.roomType;
    this.currentMaxClients = joined.maxClients;
    this.currentMetadata = joined.metadata;
    this.currentMembers = joined.members.map(copyMember);
    this.currentState = joined.state;
    this.currentSeq = joined.seq;
  }

  /** @internal */
  static fromJoined(host: RoomHost, joined: JoinedMessage): Room {
    return new Room(host, joined);
  }

  get maxClients(): number {
    return this.currentMaxClients;
  }

  get metadata(): Record<string, unknown> {
    return this.currentMetadata;
  }

  /** Everyone in the room, this session included (a copy). */
  get members(): Member[] {
    return this.currentMembers.map(copyMember);
  }

  /** The latest state: joined.state, then each room_state. */
  get state(): unknown {
    return this.currentState;
  }

  /** Sequence number of the latest room_event or room_state applied (or of the joined state). */
  get seq(): number {
    return this.currentSeq;
  }

  /** False once the session left the room (for whatever reason). */
  get active(): boolean {
    return this.isActive;
  }

  /**
   * room_message. With `ack` (the default) resolves when the room has taken the data, after the events it
   * caused; without, resolves once the frame is sent.
   */
  send(data: unknown, options: SendOptions = {}): Promise<void> {
    const message: ClientMessage = { type: 'room_message', roomId: this.id, data };
    if (options.ack === false) return this.host.post(message);
    return this.host.request(message, 'ack').then(() => undefined);
  }

  leave(): Promise<void> {
    return this.host.leave(this.id);
  }

  /** A locked room accepts no new members (room_locked); it stays listed. */
  lock(): Promise<void> {
    return this.host.request({ type: 'lock_room', roomId: this.id }, 'ack').then(() => undefined);
  }

  unlock(): Promise<void> {
    return this.host.request({ type: 'unlock_room', roomId: this.id }, 'ack').then(() => undefined);
  }

  /**
   * A joined for a room already held (after a resume): everything is replaced, the seq included, since the
   * server's joined carries the state that goes with its seq.
   * @internal
   */
  applyJoined(joined: JoinedMessage): void {
    this.currentMaxClients = joined.maxClients;
    this.currentMetadata = joined.metadata;
    this.currentMembers = joined.members.map(copyMember);
    this.currentState = joined.state;
    this.currentSeq = joined.seq;
    this.emit('state', this.currentState, this.currentSeq);
    this.emit('resynced');
  }

  /**
   * room_event; false (and nothing emitted) when its seq is not newer than what the room has.
   * @internal
   */
  applyEvent(message: RoomEventMessage): boolean {
    if (message.seq <= this.currentSeq) return false;
    this.currentSeq = message.seq;
    const event: { from?: string; seq: number; data: unknown } = { seq: message.seq, data: message.data };
    if (message.from !== undefined) event.from = message.from;
    this.emit('event', event);
    return true;
  }

  /**
   * room_state; false (and nothing emitted) when its seq is not newer than what the room has.
   * @internal
   */
  applyState(message: RoomStateMessage): boolean {
    if (message.seq <= this.currentSeq) return false;
    this.currentSeq = message.seq;
    this.currentState = message.state;
    this.emit('state', this.currentState, this.currentSeq);
    return true;
  }

  /** @internal */
  addMember(member: Member): void {
    if (this.currentMembers.some((m) => m.sessionId === member.sessionId)) return;
    this.currentMembers = [...this.currentMembers, copyMember(member)];
    this.emit('member_joined', copyMember(member));
  }

  /** @internal */
  removeMember(member: Member, reason: string): void {
    this.currentMembers = this.currentMembers.filter((m) => m.sessionId !== member.sessionId);
    this.emit('member_left', { sessionId: member.sessionId, playerId: member.playerId, reason });
  }

  /** @internal */
  markLeft(reason: string): void {
    if (!this.isActive) return;
    this.isActive = false;
    this.emit('left', { reason });
  }

  /** @internal */
  markRestored(matchId: string): void {
    this.emit('restored', { matchId });
  }
}

function copyMember(member: Member): Member {
  return { sessionId: member.sessionId, playerId: member.playerId };
}
