// arena-client: the player SDK of Arena (browser and generic entry; uses globalThis.WebSocket or
// options.WebSocket).

export { ArenaClient } from './client.js';
export { Room, type SendOptions } from './room.js';
export {
  Duel,
  toDuelState,
  type DuelAction,
  type DuelActionEvent,
  type DuelEndReason,
  type DuelEvents,
  type DuelPhase,
  type DuelPlayer,
  type DuelState,
} from './duel.js';
export {
  ArenaError,
  type ArenaErrorDetails,
  type ClientErrorCode,
  type ErrorCode,
  type ProtocolErrorCode,
} from './errors.js';
export { Emitter, type EventMap } from './emitter.js';
export { backoffCeiling, defaultReconnectOptions, type ReconnectOptions } from './backoff.js';
export type { SocketCloseEvent, SocketMessageEvent, WebSocketConstructor, WebSocketLike } from './transport.js';
export { PROTOCOL_VERSION } from './protocol.js';
export type {
  AckMessage,
  CancelQueueMessage,
  ClientMessage,
  CreateMessage,
  ErrorMessage,
  HelloMessage,
  JoinMessage,
  JoinOrCreateMessage,
  JoinedMessage,
  LeaveMessage,
  LeftMessage,
  Limits,
  ListRoomsMessage,
  LockRoomMessage,
  MatchFoundMessage,
  MatchRestoredMessage,
  Member,
  MemberJoinedMessage,
  MemberLeftMessage,
  PingMessage,
  PongMessage,
  QueueCancelledMessage,
  QueueMessage,
  QueuedMessage,
  RoomEventMessage,
  RoomListMessage,
  RoomListing,
  RoomMessage,
  RoomStateMessage,
  ServerMessage,
  SessionClosingMessage,
  WelcomeMessage,
} from './protocol.js';
export type {
  ClientEvents,
  ClientOptions,
  ClosingInfo,
  ConnectionState,
  CreateOptions,
  DisconnectInfo,
  JoinOrCreateOptions,
  ListRoomsOptions,
  MatchFound,
  QueueOptions,
  ResumedInfo,
  RoomEvents,
  Ticket,
  Welcome,
} from './types.js';
