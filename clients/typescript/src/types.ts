// Public data types of the client API (docs: README.md, "API").

import type { ReconnectOptions } from './backoff.js';
import type { ArenaError } from './errors.js';
import type { Member, WelcomeMessage } from './protocol.js';
import type { Room } from './room.js';
import type { WebSocketConstructor } from './transport.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ClientOptions {
  /** ws://host:4600 */
  url: string;
  /** hello.player_id, for servers with anonymous players. */
  playerId?: string;
  /** Player token (hello.token) for servers started with --player-token-secret-file. */
  token?: string;
  /** Reconnection and resume after a dropped connection; false turns it off. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** A request without reply within this time rejects with code 'timeout'. Default 10000. */
  requestTimeoutMs?: number;
  /** WebSocket implementation; default globalThis.WebSocket (the Node entry falls back to `ws`). */
  WebSocket?: WebSocketConstructor;
}

/** The server's welcome: the session, its resume token and the limits the server applies. */
export type Welcome = Omit<WelcomeMessage, 'type' | 'rid'>;

export interface Ticket {
  ticket: string;
  roomType: string;
  level: number;
  teamSize: number;
}

export interface MatchFound {
  matchId: string;
  roomId: string;
  roomType: string;
  players: Member[];
}

export interface DisconnectInfo {
  code: number;
  reason: string;
  willReconnect: boolean;
}

export interface ClosingInfo {
  reason: string;
  code: number;
  retryAfterMs?: number;
}

export interface JoinOrCreateOptions {
  filter?: object;
  metadata?: object;
  maxClients?: number;
}

export interface CreateOptions {
  private?: boolean;
  maxClients?: number;
  metadata?: object;
}

export interface ListRoomsOptions {
  roomType?: string;
  filter?: object;
}

export interface QueueOptions {
  level: number;
  teamSize?: number;
}

/** A room's listeners see these events; see Room. */
export interface RoomEvents {
  /** room_event: `from` is the sender's session id, absent for events of the room's own logic. */
  event: (e: { from?: string; seq: number; data: unknown }) => void;
  /** room_state, and the state of a joined re-sent after a resume. */
  state: (state: unknown, seq: number) => void;
  member_joined: (m: Member) => void;
  member_left: (m: Member & { reason: string }) => void;
  /** The session is no longer in the room: requested, finished, disposed, refused, failed, lost, closed, ... */
  left: (info: { reason: string }) => void;
  /** match_restored: the match moved to another worker after its worker died. */
  restored: (info: { matchId: string }) => void;
  /** After a resume, the room's joined arrived again: state, seq and members are current. */
  resynced: () => void;
}

export interface ResumedInfo {
  rooms: Room[];
  attempts: number;
  downtimeMs: number;
}

export interface ClientEvents {
  state: (state: ConnectionState, previous: ConnectionState) => void;
  /** Every welcome, resumed or not. */
  welcome: (w: Welcome) => void;
  /** An open connection was lost. */
  disconnected: (info: DisconnectInfo) => void;
  /** A reconnection attempt is scheduled in `delayMs`. */
  reconnecting: (info: { attempt: number; delayMs: number }) => void;
  /** The session and its rooms are back. */
  resumed: (info: ResumedInfo) => void;
  /** Gave up: session_expired, attempts exhausted, or closed by the server for good. */
  session_lost: (error: ArenaError) => void;
  /** session_closing: the server is about to close the connection. */
  closing: (info: ClosingInfo) => void;
  match_found: (m: MatchFound) => void;
  queue_cancelled: (q: { ticket: string; reason: string }) => void;
  /** Errors not tied to a request (rate_limited, refusals of room messages sent without ack, ...). */
  error: (e: ArenaError) => void;
}
