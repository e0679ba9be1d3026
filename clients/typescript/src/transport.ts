// The WebSocket the SDK needs (a subset of the WHATWG API, met by browsers and by the `ws` package) and the
// choice of the default one.

type Handler<T> = { bivarianceHack(event: T): void }['bivarianceHack'];

export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

export interface SocketMessageEvent {
  readonly data: unknown;
}

/** What the SDK uses of a WebSocket. The browser's WebSocket and `ws` both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<SocketMessageEvent> | null;
  onclose: Handler<SocketCloseEvent> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const SOCKET_CONNECTING = 0;
export const SOCKET_OPEN = 1;

let fallback: WebSocketConstructor | undefined;

/** Used when neither the options nor globalThis provide a WebSocket (the Node entry sets `ws`). */
export function setFallbackWebSocket(ctor: WebSocketConstructor): void {
  fallback = ctor;
}

export function defaultWebSocket(): WebSocketConstructor | undefined {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  return global ?? fallback;
}
