// The player protocol's messages (docs/PROTOCOL.md): camelCase types here, snake_case names on the wire.
// Only protocol field names are mapped; free-form values (data, state, metadata, filter) travel untouched.

export const PROTOCOL_VERSION = 1;

export interface Member {
  sessionId: string;
  playerId: string;
}

export interface Limits {
  maxMessageBytes: number;
  maxPayloadBytes: number;
  maxPayloadDepth: number;
  messagesPerSecond: number;
}

export interface RoomListing {
  id: string;
  type: string;
  clients: number;
  maxClients: number;
  locked: boolean;
  metadata: Record<string, unknown>;
}

// Client → server

export interface HelloMessage {
  type: 'hello';
  playerId?: string;
  token?: string;
  resumeToken?: string;
  protocol?: number;
}
export interface PingMessage {
  type: 'ping';
  time: number;
}
export interface JoinOrCreateMessage {
  type: 'join_or_create';
  roomType: string;
  filter?: object;
  metadata?: object;
  maxClients?: number;
}
export interface CreateMessage {
  type: 'create';
  roomType: string;
  private?: boolean;
  maxClients?: number;
  metadata?: object;
}
export interface JoinMessage {
  type: 'join';
  roomId: string;
}
export interface LeaveMessage {
  type: 'leave';
  roomId: string;
}
export interface ListRoomsMessage {
  type: 'list_rooms';
  roomType?: string;
  filter?: object;
}
export interface RoomMessage {
  type: 'room_message';
  roomId: string;
  data: unknown;
}
export interface QueueMessage {
  type: 'queue';
  roomType: string;
  level: number;
  teamSize?: number;
}
export interface CancelQueueMessage {
  type: 'cancel_queue';
}
export interface LockRoomMessage {
  type: 'lock_room' | 'unlock_room';
  roomId: string;
}

export type ClientMessage =
  | HelloMessage
  | PingMessage
  | JoinOrCreateMessage
  | CreateMessage
  | JoinMessage
  | LeaveMessage
  | ListRoomsMessage
  | RoomMessage
  | QueueMessage
  | CancelQueueMessage
  | LockRoomMessage;

// Server → client

export interface WelcomeMessage {
  type: 'welcome';
  rid?: number;
  sessionId: string;
  playerId: string;
  resumeToken: string;
  instance: string;
  heartbeatMs: number;
  resumed: boolean;
  protocol: number;
  limits: Limits;
}
export interface AckMessage {
  type: 'ack';
  rid?: number;
}
export interface PongMessage {
  type: 'pong';
  rid?: number;
  time: number;
  serverTime: number;
}
export interface JoinedMessage {
  type: 'joined';
  rid?: number;
  roomId: string;
  roomType: string;
  seq: number;
  maxClients: number;
  members: Member[];
  metadata: Record<string, unknown>;
  state: unknown;
}
export interface LeftMessage {
  type: 'left';
  rid?: number;
  roomId: string;
  reason: string;
}
export interface MemberJoinedMessage {
  type: 'member_joined';
  roomId: string;
  sessionId: string;
  playerId: string;
}
export interface MemberLeftMessage {
  type: 'member_left';
  roomId: string;
  sessionId: string;
  playerId: string;
  reason: string;
}
export interface RoomEventMessage {
  type: 'room_event';
  roomId: string;
  from?: string;
  seq: number;
  data: unknown;
}
export interface RoomStateMessage {
  type: 'room_state';
  roomId: string;
  seq: number;
  state: unknown;
}
export interface RoomListMessage {
  type: 'room_list';
  rid?: number;
  rooms: RoomListing[];
}
export interface QueuedMessage {
  type: 'queued';
  rid?: number;
  ticket: string;
  roomType: string;
  level: number;
  teamSize: number;
}
export interface QueueCancelledMessage {
  type: 'queue_cancelled';
  rid?: number;
  ticket: string;
  reason: string;
}
export interface MatchFoundMessage {
  type: 'match_found';
  matchId: string;
  roomId: string;
  roomType: string;
  players: Member[];
}
export interface MatchRestoredMessage {
  type: 'match_restored';
  roomId: string;
  matchId: string;
}
export interface SessionClosingMessage {
  type: 'session_closing';
  reason: string;
  code: number;
  retryAfterMs?: number;
}
export interface ErrorMessage {
  type: 'error';
  rid?: number;
  code: string;
  message: string;
  field?: string;
  retryAfterMs?: number;
}

export type ServerMessage =
  | WelcomeMessage
  | AckMessage
  | PongMessage
  | JoinedMessage
  | LeftMessage
  | MemberJoinedMessage
  | MemberLeftMessage
  | RoomEventMessage
  | RoomStateMessage
  | RoomListMessage
  | QueuedMessage
  | QueueCancelledMessage
  | MatchFoundMessage
  | MatchRestoredMessage
  | SessionClosingMessage
  | ErrorMessage;

export type ServerMessageType = ServerMessage['type'];
export type ServerMessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** One message as the JSON text of a WebSocket frame: `type`, then `rid`, then the fields in snake_case. */
export function encodeClientMessage(message: ClientMessage, rid?: number): string {
  const wire: Record<string, unknown> = { type: message.type };
  if (rid !== undefined) wire['rid'] = rid;
  for (const [key, value] of Object.entries(message)) {
    // Absent optional fields stay absent: the server refuses null as a stand-in.
    if (key === 'type' || value === undefined) continue;
    wire[camelToSnake(key)] = value;
  }
  return JSON.stringify(wire);
}

/** UTF-8 length of a string, as the server counts max_message_bytes. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

// Decoding: a field kind per wire field; `free` values (data, state, metadata) are kept as they are.
type FieldKind = 'string' | 'uint' | 'number' | 'boolean' | 'object' | 'free' | 'members' | 'rooms' | 'limits';

interface Schema {
  required: Record<string, FieldKind>;
  optional?: Record<string, FieldKind>;
}

const withRid = { rid: 'uint' } as const satisfies Record<string, FieldKind>;

const schemas: Record<ServerMessageType, Schema> = {
  welcome: {
    required: {
      session_id: 'string',
      player_id: 'string',
      resume_token: 'string',
      instance: 'string',
      heartbeat_ms: 'uint',
      resumed: 'boolean',
      protocol: 'uint',
      limits: 'limits',
    },
    optional: withRid,
  },
  ack: { required: {}, optional: withRid },
  pong: { required: { time: 'number', server_time: 'uint' }, optional: withRid },
  joined: {
    required: {
      room_id: 'string',
      room_type: 'string',
      seq: 'uint',
      max_clients: 'uint',
      members: 'members',
      metadata: 'object',
      state: 'free',
    },
    optional: withRid,
  },
  left: { required: { room_id: 'string', reason: 'string' }, optional: withRid },
  member_joined: { required: { room_id: 'string', session_id: 'string', player_id: 'string' } },
  member_left: { required: { room_id: 'string', session_id: 'string', player_id: 'string', reason: 'string' } },
  room_event: { required: { room_id: 'string', seq: 'uint', data: 'free' }, optional: { from: 'string' } },
  room_state: { required: { room_id: 'string', seq: 'uint', state: 'free' } },
  room_list: { required: { rooms: 'rooms' }, optional: withRid },
  queued: {
    required: { ticket: 'string', room_type: 'string', level: 'uint', team_size: 'uint' },
    optional: withRid,
  },
  queue_cancelled: { required: { ticket: 'string', reason: 'string' }, optional: withRid },
  match_found: { required: { match_id: 'string', room_id: 'string', room_type: 'string', players: 'members' } },
  match_restored: { required: { room_id: 'string', match_id: 'string' } },
  session_closing: { required: { reason: 'string', code: 'uint' }, optional: { retry_after_ms: 'uint' } },
  error: {
    required: { code: 'string', message: 'string' },
    optional: { ...withRid, field: 'string', retry_after_ms: 'uint' },
  },
};

export type DecodeResult =
  | { ok: true; message: ServerMessage }
  | { ok: false; ignored: true; type: string }
  | { ok: false; ignored: false; error: string; rid?: number };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class FieldError extends Error {}

function convertObject(value: unknown, fields: Record<string, FieldKind>, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new FieldError(`${path}: expected an object`);
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(fields)) out[snakeToCamel(name)] = convert(value[name], kind, `${path}.${name}`);
  return out;
}

function convert(value: unknown, kind: FieldKind, path: string): unknown {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw new FieldError(`${path}: expected a string`);
      return value;
    case 'uint':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        throw new FieldError(`${path}: expected a whole number >= 0`);
      return value;
    case 'number':
      if (typeof value !== 'number') throw new FieldError(`${path}: expected a number`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new FieldError(`${path}: expected true or false`);
      return value;
    case 'object':
      if (!isObject(value)) throw new FieldError(`${path}: expected an object`);
      return value;
    case 'free':
      if (value === undefined) throw new FieldError(`${path}: missing`);
      return value;
    case 'members':
      if (!Array.isArray(value)) throw new FieldError(`${path}: expected a list`);
      return value.map((m, i) => convertObject(m, { session_id: 'string', player_id: 'string' }, `${path}[${i}]`));
    case 'rooms':
      if (!Array.isArray(value)) throw new FieldError(`${path}: expected a list`);
      return value.map((r, i) =>
        convertObject(
          r,
          { id: 'string', type: 'string', clients: 'uint', max_clients: 'uint', locked: 'boolean', metadata: 'object' },
          `${path}[${i}]`,
        ),
      );
    case 'limits':
      return convertObject(
        value,
        { max_message_bytes: 'uint', max_payload_bytes: 'uint', max_payload_depth: 'uint', messages_per_second: 'uint' },
        path,
      );
  }
}

function isServerType(type: string): type is ServerMessageType {
  return Object.prototype.hasOwnProperty.call(schemas, type);
}

/**
 * Reads one frame from the server. Unknown message types are reported as ignored (a newer server may add
 * some); unknown fields are dropped; a known message with a missing or mistyped field is an error.
 */
export function decodeServerMessage(text: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, ignored: false, error: 'not JSON' };
  }
  if (!isObject(raw) || typeof raw['type'] !== 'string') return { ok: false, ignored: false, error: 'no message type' };
  const type = raw['type'];
  if (!isServerType(type)) return { ok: false, ignored: true, type };
  const schema = schemas[type];
  const rid = typeof raw['rid'] === 'number' ? raw['rid'] : undefined;
  try {
    const out: Record<string, unknown> = { type };
    for (const [name, kind] of Object.entries(schema.required)) out[snakeToCamel(name)] = convert(raw[name], kind, name);
    for (const [name, kind] of Object.entries(schema.optional ?? {})) {
      if (raw[name] !== undefined) out[snakeToCamel(name)] = convert(raw[name], kind, name);
    }
    return { ok: true, message: out as unknown as ServerMessage };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return rid === undefined
      ? { ok: false, ignored: false, error: `${type}: ${error.message}` }
      : { ok: false, ignored: false, error: `${type}: ${error.message}`, rid };
  }
}
