// ArenaError: every failure the SDK reports, from the server (protocol error codes) or from the client itself.

/** Error codes of the player protocol (docs/PROTOCOL.md "Error codes"). */
export type ProtocolErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'room_full'
  | 'room_locked'
  | 'gone'
  | 'session_expired'
  | 'too_large'
  | 'rate_limited'
  | 'server_busy'
  | 'unavailable'
  | 'internal'
  | 'unknown_type';

/**
 * Codes the client produces itself:
 * - `timeout`: no reply within `requestTimeoutMs` (or no connection within it);
 * - `disconnected`: the connection is not open, or dropped before the reply came;
 * - `closed`: `close()` was called, or the server ended the session for good.
 */
export type ClientErrorCode = 'timeout' | 'disconnected' | 'closed';

export type ErrorCode = ProtocolErrorCode | ClientErrorCode;

const protocolCodes: ReadonlySet<string> = new Set<ProtocolErrorCode>([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'room_full',
  'room_locked',
  'gone',
  'session_expired',
  'too_large',
  'rate_limited',
  'server_busy',
  'unavailable',
  'internal',
  'unknown_type',
]);

export function isProtocolErrorCode(code: string): code is ProtocolErrorCode {
  return protocolCodes.has(code);
}

export interface ArenaErrorDetails {
  field?: string;
  retryAfterMs?: number;
}

export class ArenaError extends Error {
  readonly code: ErrorCode;
  /** Path of the offending field, for decode errors (`room_id`, `data.x[2]`). */
  readonly field?: string;
  /** When trying again makes sense (`rate_limited`, `server_busy`, `unavailable`). */
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, details: ArenaErrorDetails = {}) {
    super(message);
    this.name = 'ArenaError';
    this.code = code;
    if (details.field !== undefined) this.field = details.field;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** An `error` message from the server as an ArenaError; a code this SDK does not know becomes `internal`. */
export function errorFromServer(code: string, message: string, details: ArenaErrorDetails = {}): ArenaError {
  if (isProtocolErrorCode(code)) return new ArenaError(code, message, details);
  return new ArenaError('internal', `${message} (unknown error code "${code}")`, details);
}
