// ArenaClient: a player's session with arena-server — requests and their replies, rooms, heartbeat, and
// resuming the session after a dropped connection.

import { Backoff, resolveReconnectOptions } from './backoff.js';
import { ABANDON_CLOSE_CODE, Connection, type CloseInfo } from './connection.js';
import { Emitter } from './emitter.js';
import { ArenaError, isProtocolErrorCode } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import {
  PROTOCOL_VERSION,
  decodeServerMessage,
  encodeClientMessage,
  utf8Length,
  type ClientMessage,
  type HelloMessage,
  type JoinedMessage,
  type Limits,
  type RoomListing,
  type ServerMessage,
  type ServerMessageOf,
  type ServerMessageType,
  type SessionClosingMessage,
  type WelcomeMessage,
} from './protocol.js';
import { RequestTracker } from './requests.js';
import { Room, type RoomHost } from './room.js';
import { defaultWebSocket, type WebSocketConstructor } from './transport.js';
import type {
  ClientEvents,
  ClientOptions,
  ConnectionState,
  CreateOptions,
  JoinOrCreateOptions,
  ListRoomsOptions,
  QueueOptions,
  Ticket,
  Welcome,
} from './types.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** session_closing reasons after which the session is over: reconnecting would not get it back. */
const FINAL_CLOSING_REASONS = new Set(['replaced', 'idle', 'rate_limited', 'unauthorized']);
/** session_closing reasons that ask the client to come back after retry_after_ms. */
const RETRY_CLOSING_REASONS = new Set(['shutdown', 'draining', 'server_busy']);
/** Refusals of a resume hello that no later attempt would change. */
const FINAL_RESUME_ERRORS = new Set(['session_expired', 'unauthorized', 'forbidden', 'bad_request']);

type ClosePlan = { reconnect: true; minDelayMs: number } | { reconnect: false; error: ArenaError };

interface Outage {
  since: number;
}

interface Resync {
  /** Rooms a joined arrived for since the resumed welcome. */
  seen: Set<string>;
}

function monotonicNow(): number {
  return globalThis.performance?.now() ?? Date.now();
}

function asArenaError(error: unknown): ArenaError {
  if (error instanceof ArenaError) return error;
  return new ArenaError('internal', error instanceof Error ? error.message : String(error));
}

function welcomeOf(message: WelcomeMessage): Welcome {
  return {
    sessionId: message.sessionId,
    playerId: message.playerId,
    resumeToken: message.resumeToken,
    instance: message.instance,
    heartbeatMs: message.heartbeatMs,
    resumed: message.resumed,
    protocol: message.protocol,
    limits: { ...message.limits },
  };
}

export class ArenaClient extends Emitter<ClientEvents> {
  private readonly url: string;
  private readonly playerIdOption: string | undefined;
  private readonly token: string | undefined;
  private readonly requestTimeoutMs: number;
  private readonly socketOption: WebSocketConstructor | undefined;
  private readonly backoff: Backoff | undefined;
  private readonly requests = new RequestTracker();
  private readonly roomMap = new Map<string, Room>();
  /** The Room each joined reply was applied to, so a join resolves with it whatever happened since. */
  private readonly joinedRooms = new WeakMap<JoinedMessage, Room>();
  private readonly host: RoomHost;
  private currentState: ConnectionState = 'idle';
  private connection: Connection | undefined;
  /** session_closing and a refusal without rid received on the current connection. */
  private linkClosing: SessionClosingMessage | undefined;
  private linkRefusal: ArenaError | undefined;
  private lastWelcome: Welcome | undefined;
  private heartbeat: Heartbeat | undefined;
  private connecting: Promise<Welcome> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private outage: Outage | undefined;
  private resync: Resync | undefined;

  constructor(options: ClientOptions) {
    super();
    this.url = options.url;
    this.playerIdOption = options.playerId;
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(this.requestTimeoutMs > 0)) throw new RangeError('requestTimeoutMs must be > 0');
    this.socketOption = options.WebSocket;
    this.backoff = options.reconnect === false ? undefined : new Backoff(resolveReconnectOptions(options.reconnect));
    this.host = {
      request: (message, expect) => this.request(message, expect),
      post: (message) => this.post(message),
      leave: (roomId) => this.leave(roomId),
    };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get sessionId(): string | undefined {
    return this.lastWelcome?.sessionId;
  }

  get playerId(): string | undefined {
    return this.lastWelcome?.playerId;
  }

  get instance(): string | undefined {
    return this.lastWelcome?.instance;
  }

  get limits(): Limits | undefined {
    return this.lastWelcome ? { ...this.lastWelcome.limits } : undefined;
  }

  /** The rooms the session is in. */
  get rooms(): Room[] {
    return [...this.roomMap.values()];
  }

  room(roomId: string): Room | undefined {
    return this.roomMap.get(roomId);
  }

  /**
   * Opens a new session: hello → welcome. While connecting, returns the same promise; once open, the welcome.
   * Rejects with the server's refusal (unauthorized, forbidden, unavailable, server_busy, ...), 'timeout', or
   * 'disconnected' when the socket cannot open; the state is then 'closed' and connect() may be called again.
   */
  connect(): Promise<Welcome> {
    if (this.currentState === 'open' && this.lastWelcome) return Promise.resolve(this.lastWelcome);
    if (this.currentState === 'connecting' && this.connecting) return this.connecting;
    if (this.currentState === 'reconnecting')
      return Promise.reject(new ArenaError('conflict', 'the client is resuming its session; wait for "resumed"'));
    this.connecting = this.openSession().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Ends the session (close 1000): no reconnection; rooms get 'left' with reason 'closed'; state 'closed'. */
  async close(): Promise<void> {
    if (this.currentState === 'idle' || this.currentState === 'closed') return;
    this.stopReconnecting();
    const connection = this.detachConnection();
    this.requests.failAll(new ArenaError('closed', 'the client was closed'));
    const rooms = this.takeRooms();
    this.setState('closed');
    for (const room of rooms) room.markLeft('closed');
    if (connection) await connection.close(1000, 'client closed');
  }

  joinOrCreate(roomType: string, options: JoinOrCreateOptions = {}): Promise<Room> {
    return this.requestRoom({
      type: 'join_or_create',
      roomType,
      filter: options.filter,
      metadata: options.metadata,
      maxClients: options.maxClients,
    });
  }

  create(roomType: string, options: CreateOptions = {}): Promise<Room> {
    return this.requestRoom({
      type: 'create',
      roomType,
      private: options.private,
      maxClients: options.maxClients,
      metadata: options.metadata,
    });
  }

  join(roomId: string): Promise<Room> {
    return this.requestRoom({ type: 'join', roomId });
  }

  /** Leaves a room; its Room emits 'left' (reason 'requested') before this resolves. */
  async leave(roomId: string): Promise<void> {
    await this.request({ type: 'leave', roomId }, 'left');
  }

  /** Public rooms (private and match rooms are never listed; locked and full ones are). */
  async listRooms(options: ListRoomsOptions = {}): Promise<RoomListing[]> {
    const reply = await this.request({ type: 'list_rooms', roomType: options.roomType, filter: options.filter }, 'room_list');
    return reply.rooms;
  }

  /** Enters matchmaking; later 'match_found' (then join its roomId) or 'queue_cancelled'. */
  async queue(roomType: string, options: QueueOptions): Promise<Ticket> {
    const reply = await this.request(
      { type: 'queue', roomType, level: options.level, teamSize: options.teamSize },
      'queued',
    );
    return { ticket: reply.ticket, roomType: reply.roomType, level: reply.level, teamSize: reply.teamSize };
  }

  async cancelQueue(): Promise<void> {
    await this.request({ type: 'cancel_queue' }, 'queue_cancelled');
  }

  /** Round trip to the server; serverTime is the server's clock (ms since the epoch). */
  async ping(): Promise<{ rttMs: number; serverTime: number }> {
    const started = monotonicNow();
    const reply = await this.request({ type: 'ping', time: Date.now() }, 'pong');
    return { rttMs: monotonicNow() - started, serverTime: reply.serverTime };
  }

  // Requests

  /** Sends a request on the open connection; rejects at once with 'disconnected' when not open. */
  private request<T extends ServerMessageType>(message: ClientMessage, expect: T): Promise<ServerMessageOf<T>> {
    const connection = this.connection;
    if (this.currentState !== 'open' || !connection) return Promise.reject(this.notOpen(message.type));
    return this.exchange(connection, message, expect);
  }

  /** Sends a message without rid (no reply expected); resolves once it is handed to the socket. */
  private post(message: ClientMessage): Promise<void> {
    const connection = this.connection;
    if (this.currentState !== 'open' || !connection) return Promise.reject(this.notOpen(message.type));
    const text = encodeClientMessage(message);
    const tooLarge = this.checkSize(text, message.type);
    if (tooLarge) return Promise.reject(tooLarge);
    if (!connection.send(text)) return Promise.reject(this.notOpen(message.type));
    this.heartbeat?.noteSent();
    return Promise.resolve();
  }

  private exchange<T extends ServerMessageType>(
    connection: Connection,
    message: ClientMessage,
    expect: T,
  ): Promise<ServerMessageOf<T>> {
    const rid = this.requests.allocate();
    const text = encodeClientMessage(message, rid);
    const tooLarge = this.checkSize(text, message.type);
    if (tooLarge) return Promise.reject(tooLarge);
    const reply = this.requests.wait(rid, message.type, expect, this.requestTimeoutMs);
    if (connection.send(text)) this.heartbeat?.noteSent();
    else this.requests.fail(rid, this.notOpen(message.type));
    return reply;
  }

  private async requestRoom(message: ClientMessage): Promise<Room> {
    const joined = await this.request(message, 'joined');
    const room = this.joinedRooms.get(joined);
    if (!room) throw new ArenaError('internal', `no room for the joined reply of ${joined.roomId}`);
    return room;
  }

  /** A message over max_message_bytes would make the server close the connection (1009): refuse it here. */
  private checkSize(text: string, type: string): ArenaError | undefined {
    const limit = this.lastWelcome?.limits.maxMessageBytes;
    if (limit === undefined || text.length <= limit / 3) return undefined;
    const bytes = utf8Length(text);
    if (bytes <= limit) return undefined;
    return new ArenaError('too_large', `${type} is ${bytes} bytes; the server takes at most ${limit} (not sent)`);
  }

  private notOpen(type: string): ArenaError {
    return new ArenaError('disconnected', `cannot send ${type}: the client is ${this.currentState}, not open`);
  }

  // Connections and the session

  private async openSession(): Promise<Welcome> {
    this.setState('connecting');
    try {
      const welcome = await this.handshake(undefined);
      if (this.currentState !== 'connecting' || !this.acceptWelcome(welcome))
        throw new ArenaError('closed', 'close() was called while connecting');
      return welcome;
    } catch (error) {
      if (this.currentState !== 'connecting') {
        throw error instanceof ArenaError && error.code === 'closed'
          ? error
          : new ArenaError('closed', 'close() was called while connecting');
      }
      this.setState('closed');
      throw asArenaError(error);
    }
  }

  /** Opens a connection and says hello (resuming when a token is given). */
  private async handshake(resumeToken: string | undefined): Promise<Welcome> {
    const ctor = this.socketOption ?? defaultWebSocket();
    if (!ctor)
      throw new ArenaError(
        'disconnected',
        'no WebSocket implementation: pass options.WebSocket, or use the Node entry (arena-client on Node)',
      );
    const connection: Connection = new Connection(ctor, this.url, {
      message: (text) => this.onFrame(connection, text),
      closed: (info) => this.onClosed(connection, info),
    });
    this.connection = connection;
    this.linkClosing = undefined;
    this.linkRefusal = undefined;
    const hello: HelloMessage = { type: 'hello', protocol: PROTOCOL_VERSION };
    if (this.playerIdOption !== undefined) hello.playerId = this.playerIdOption;
    if (this.token !== undefined) hello.token = this.token;
    if (resumeToken !== undefined) hello.resumeToken = resumeToken;
    try {
      await connection.open(this.requestTimeoutMs);
      return welcomeOf(await this.exchange(connection, hello, 'welcome'));
    } catch (error) {
      // The refused connection has no session; 4000 rather than 1000 in case a late hello did take one.
      connection.abandon(ABANDON_CLOSE_CODE, 'hello failed');
      if (this.connection === connection) this.connection = undefined;
      const failure = asArenaError(error);
      // A refusal that came without rid (server_busy on connect) says more than the close that followed it.
      throw failure.code === 'disconnected' && this.linkRefusal ? this.linkRefusal : failure;
    }
  }

  /** Takes the session's welcome; false when a 'welcome' listener closed the client meanwhile. */
  private acceptWelcome(welcome: Welcome): boolean {
    const connection = this.connection;
    this.lastWelcome = welcome;
    this.startHeartbeat(welcome.heartbeatMs);
    this.emit('welcome', { ...welcome, limits: { ...welcome.limits } });
    if (!connection || connection !== this.connection) return false;
    this.setState('open');
    return true;
  }

  private startHeartbeat(intervalMs: number): void {
    this.heartbeat?.stop();
    const connection = this.connection;
    if (!connection) return;
    this.heartbeat = new Heartbeat({
      intervalMs,
      ping: () => {
        if (connection.send(encodeClientMessage({ type: 'ping', time: Date.now() }))) this.heartbeat?.noteSent();
      },
      dead: (silentMs) => this.dropConnection(connection, `nothing received from the server for ${silentMs} ms`),
    });
    this.heartbeat.start();
  }

  /** Gives up on a connection that looks dead, as if it had dropped. */
  private dropConnection(connection: Connection, reason: string): void {
    if (connection !== this.connection) return;
    connection.abandon(ABANDON_CLOSE_CODE, 'connection considered dead');
    this.onClosed(connection, { code: 1006, reason });
  }

  private onClosed(connection: Connection, info: CloseInfo): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    this.heartbeat?.stop();
    this.requests.failAll(new ArenaError('disconnected', `the connection closed (${info.code}) before the reply came`));
    // While connecting or reconnecting, the handshake sees its hello fail and decides what comes next.
    if (this.currentState === 'open') this.connectionLost(info);
  }

  private connectionLost(info: CloseInfo): void {
    const closing = this.linkClosing;
    const plan = this.planAfterClose(info, closing);
    const reason = info.reason || closing?.reason || '';
    this.emit('disconnected', { code: info.code, reason, willReconnect: plan.reconnect });
    if (this.currentState !== 'open') return; // a listener called close()
    if (plan.reconnect) this.beginReconnect(plan.minDelayMs);
    else this.giveUp(plan.error);
  }

  private planAfterClose(info: CloseInfo, closing: SessionClosingMessage | undefined): ClosePlan {
    if (closing) {
      if (RETRY_CLOSING_REASONS.has(closing.reason) && this.backoff)
        return { reconnect: true, minDelayMs: closing.retryAfterMs ?? 0 };
      if (FINAL_CLOSING_REASONS.has(closing.reason) || closing.code === 1000 || closing.code === 1001 || !this.backoff)
        return { reconnect: false, error: closedByServer(closing) };
      return { reconnect: true, minDelayMs: closing.retryAfterMs ?? 0 };
    }
    if (info.code === 1000 || info.code === 1001) {
      const why = info.reason ? `: ${info.reason}` : '';
      return { reconnect: false, error: new ArenaError('closed', `the server closed the session (close ${info.code}${why})`) };
    }
    if (!this.backoff) {
      const error = new ArenaError('disconnected', `the connection was lost (close ${info.code}) and reconnect is off`);
      return { reconnect: false, error };
    }
    return { reconnect: true, minDelayMs: 0 };
  }

  // Reconnection

  private beginReconnect(minDelayMs: number): void {
    this.resync = undefined;
    // A drop during the resync of an earlier resume continues the same outage and its attempt count.
    if (!this.outage) {
      this.outage = { since: Date.now() };
      this.backoff?.reset();
    }
    this.setState('reconnecting');
    this.scheduleAttempt(minDelayMs);
  }

  private scheduleAttempt(minDelayMs: number): void {
    const step = this.backoff?.next(minDelayMs);
    if (!step) {
      const attempts = this.backoff?.attempts ?? 0;
      this.giveUp(new ArenaError('disconnected', `could not resume the session after ${attempts} attempts`));
      return;
    }
    this.emit('reconnecting', { attempt: step.attempt, delayMs: step.delayMs });
    if (this.currentState !== 'reconnecting') return; // a listener called close()
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.attemptResume();
    }, step.delayMs);
  }

  private async attemptResume(): Promise<void> {
    let welcome: Welcome;
    try {
      welcome = await this.handshake(this.lastWelcome?.resumeToken);
    } catch (error) {
      if (this.currentState !== 'reconnecting') return;
      const failure = asArenaError(error);
      if (failure.code === 'session_expired') {
        this.giveUp(
          new ArenaError(
            'session_expired',
            'the server no longer has this session (the resume grace period ran out, or the server restarted); ' +
              'call connect() for a new session',
          ),
        );
      } else if (FINAL_RESUME_ERRORS.has(failure.code)) {
        this.giveUp(failure);
      } else {
        this.scheduleAttempt(failure.retryAfterMs ?? 0);
      }
      return;
    }
    const connection = this.connection;
    if (this.currentState !== 'reconnecting' || !connection) return;
    this.resync = { seen: new Set() };
    if (this.acceptWelcome(welcome)) await this.completeResync(connection);
  }

  /**
   * The server sends a joined for every room the session still holds right after the resumed welcome, in
   * the same step and on the same connection, before it reads anything else from it. A ping sent after the
   * welcome is therefore answered after the last of them: its pong closes the resync.
   */
  private async completeResync(connection: Connection): Promise<void> {
    try {
      await this.exchange(connection, { type: 'ping', time: Date.now() }, 'pong');
    } catch {
      // Dropped meanwhile: the close already started the next attempt. Open but silent: treat it as dead.
      if (connection === this.connection) this.dropConnection(connection, 'no answer to the resync ping');
      return;
    }
    const resync = this.resync;
    if (connection !== this.connection || !resync) return;
    this.resync = undefined;
    for (const [id, room] of [...this.roomMap]) {
      if (resync.seen.has(id)) continue;
      this.roomMap.delete(id);
      room.markLeft('lost');
    }
    if (connection !== this.connection) return; // a 'left' listener closed the client
    const since = this.outage?.since ?? Date.now();
    const attempts = this.backoff?.attempts ?? 0;
    this.outage = undefined;
    this.backoff?.reset();
    this.emit('resumed', { rooms: this.rooms, attempts, downtimeMs: Date.now() - since });
  }

  private giveUp(error: ArenaError): void {
    this.stopReconnecting();
    this.detachConnection()?.abandon(ABANDON_CLOSE_CODE, 'session lost');
    this.requests.failAll(new ArenaError('disconnected', error.message));
    const rooms = this.takeRooms();
    for (const room of rooms) room.markLeft('lost');
    this.setState('closed');
    this.emit('session_lost', error);
  }

  private stopReconnecting(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.heartbeat?.stop();
    this.outage = undefined;
    this.resync = undefined;
    this.backoff?.reset();
  }

  private detachConnection(): Connection | undefined {
    const connection = this.connection;
    this.connection = undefined;
    return connection;
  }

  private takeRooms(): Room[] {
    const rooms = [...this.roomMap.values()];
    this.roomMap.clear();
    return rooms;
  }

  private setState(state: ConnectionState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    this.emit('state', state, previous);
  }

  // Incoming messages

  /** One frame from the server; true when it settled a request (see Connection). */
  private onFrame(connection: Connection, text: string): boolean {
    if (connection !== this.connection) return false;
    this.heartbeat?.noteReceived();
    const decoded = decodeServerMessage(text);
    if (!decoded.ok) {
      if (decoded.ignored) return false;
      const error = new ArenaError('internal', `unreadable message from the server: ${decoded.error}`);
      if (decoded.rid !== undefined && this.requests.fail(decoded.rid, error)) return true;
      this.emit('error', error);
      return false;
    }
    const message = decoded.message;
    this.apply(message);
    const rid = 'rid' in message ? message.rid : undefined;
    if (rid !== undefined && this.requests.settle(rid, message)) return true;
    if (message.type === 'error') this.onUnsolicitedError(message);
    return false;
  }

  private onUnsolicitedError(message: ServerMessageOf<'error'>): void {
    const details = { field: message.field, retryAfterMs: message.retryAfterMs };
    const code = isProtocolErrorCode(message.code) ? message.code : 'internal';
    const error = new ArenaError(code, message.message, details);
    // Before the welcome, a refusal without rid (server_busy) belongs to the handshake.
    if (this.currentState === 'connecting' || this.currentState === 'reconnecting') {
      this.linkRefusal = error;
      return;
    }
    this.emit('error', error);
  }

  private apply(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        this.onJoined(message);
        break;
      case 'left': {
        const room = this.roomMap.get(message.roomId);
        if (room) {
          this.roomMap.delete(message.roomId);
          room.markLeft(message.reason);
        }
        break;
      }
      case 'member_joined':
        this.roomMap.get(message.roomId)?.addMember({ sessionId: message.sessionId, playerId: message.playerId });
        break;
      case 'member_left':
        this.roomMap
          .get(message.roomId)
          ?.removeMember({ sessionId: message.sessionId, playerId: message.playerId }, message.reason);
        break;
      case 'room_event':
        this.roomMap.get(message.roomId)?.applyEvent(message);
        break;
      case 'room_state':
        this.roomMap.get(message.roomId)?.applyState(message);
        break;
      case 'match_found':
        this.emit('match_found', {
          matchId: message.matchId,
          roomId: message.roomId,
          roomType: message.roomType,
          players: message.players,
        });
        break;
      case 'match_restored':
        this.roomMap.get(message.roomId)?.markRestored(message.matchId);
        break;
      case 'queue_cancelled':
        this.emit('queue_cancelled', { ticket: message.ticket, reason: message.reason });
        break;
      case 'session_closing': {
        this.linkClosing = message;
        const info: { reason: string; code: number; retryAfterMs?: number } = {
          reason: message.reason,
          code: message.code,
        };
        if (message.retryAfterMs !== undefined) info.retryAfterMs = message.retryAfterMs;
        this.emit('closing', info);
        break;
      }
      default:
        // welcome, ack, pong, room_list, queued and error only settle their request.
        break;
    }
  }

  private onJoined(message: JoinedMessage): void {
    // Every joined during a resync counts as "still held", re-sent ones and replies to new joins alike.
    this.resync?.seen.add(message.roomId);
    const existing = this.roomMap.get(message.roomId);
    if (existing) {
      existing.applyJoined(message);
      this.joinedRooms.set(message, existing);
      return;
    }
    const room = Room.fromJoined(this.host, message);
    this.roomMap.set(message.roomId, room);
    this.joinedRooms.set(message, room);
  }
}

function closedByServer(closing: SessionClosingMessage): ArenaError {
  const details = closing.retryAfterMs === undefined ? {} : { retryAfterMs: closing.retryAfterMs };
  switch (closing.reason) {
    case 'replaced':
      return new ArenaError('closed', 'the session was taken over by another connection (replaced)', details);
    case 'idle':
      return new ArenaError('closed', 'the server ended the session after it sent nothing for too long (idle)', details);
    case 'rate_limited':
      return new ArenaError('rate_limited', 'the server closed the connection: too many messages (rate_limited)', details);
    case 'unauthorized':
      return new ArenaError('unauthorized', 'the server closed the connection: no accepted hello in time', details);
    default: {
      const code = isProtocolErrorCode(closing.reason) ? closing.reason : 'closed';
      return new ArenaError(code, `the server closed the session: ${closing.reason} (close ${closing.code})`, details);
    }
  }
}
