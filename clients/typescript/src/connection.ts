// Connection: one WebSocket to the server. Opens with a deadline, hands text frames over in order, and can be
// abandoned at once (a dead TCP connection may never report its close).

import { ArenaError } from './errors.js';
import { SOCKET_CONNECTING, SOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './transport.js';

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConnectionHandlers {
  /** One text frame. Returning true defers the frames after it to a later task (see Connection.deliver). */
  message(text: string): boolean;
  /** The socket closed (only after a successful open, and never after close() or abandon()). */
  closed(info: CloseInfo): void;
}

/** Close code the client uses when it gives up on a connection: not 1000/1001, so the session waits. */
export const ABANDON_CLOSE_CODE = 4000;

type Inbound = { kind: 'message'; text: string } | { kind: 'close'; info: CloseInfo };

const noop = (): void => {};

/**
 * Runs `callback` in a later task (not a microtask), without the 4 ms clamp nested timers get in browsers:
 * setImmediate on Node, a MessageChannel in browsers.
 */
const nextTask: (callback: () => void) => void = (() => {
  const scope = globalThis as { setImmediate?: (callback: () => void) => unknown };
  if (typeof scope.setImmediate === 'function') {
    const setImmediate = scope.setImmediate;
    return (callback) => {
      setImmediate(callback);
    };
  }
  if (typeof MessageChannel === 'function') {
    const callbacks: (() => void)[] = [];
    let channel: MessageChannel | undefined;
    return (callback) => {
      if (!channel) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => callbacks.shift()?.();
      }
      callbacks.push(callback);
      channel.port2.postMessage(null);
    };
  }
  return (callback) => {
    setTimeout(callback, 0);
  };
})();

export class Connection {
  private socket: WebSocketLike | undefined;
  private readonly inbound: Inbound[] = [];
  private delivering = false;
  private deferred = false;
  private live = true;
  /** Fails a pending open() when the connection is closed or abandoned first. */
  private failOpen: ((error: ArenaError) => void) | undefined;

  constructor(
    private readonly ctor: WebSocketConstructor,
    readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get isOpen(): boolean {
    return this.live && this.socket?.readyState === SOCKET_OPEN;
  }

  /** Resolves once the socket is open; rejects with `disconnected` or `timeout` (and abandons the socket). */
  open(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = new this.ctor(this.url);
      } catch (error) {
        this.live = false;
        reject(new ArenaError('disconnected', `cannot open ${this.url}: ${describe(error)}`));
        return;
      }
      this.socket = socket;
      let settled = false;
      let lastError = '';
      const fail = (error: ArenaError): void => {
        if (settled) return;
        settled = true;
        this.failOpen = undefined;
        clearTimeout(timer);
        this.abandon();
        reject(error);
      };
      this.failOpen = fail;
      const timer = setTimeout(
        () => fail(new ArenaError('timeout', `no connection to ${this.url} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.onopen = () => {
        if (settled) return;
        settled = true;
        this.failOpen = undefined;
        clearTimeout(timer);
        resolve();
      };
      socket.onerror = (event: unknown) => {
        lastError = describe(event);
      };
      socket.onclose = (event) => {
        if (!settled) {
          const why = lastError || `close code ${event.code}`;
          fail(new ArenaError('disconnected', `cannot connect to ${this.url}: ${why}`));
          return;
        }
        this.enqueue({ kind: 'close', info: { code: event.code, reason: event.reason } });
      };
      socket.onmessage = (event) => {
        if (typeof event.data === 'string') this.enqueue({ kind: 'message', text: event.data });
      };
    });
  }

  /** Sends one text frame; false when the socket is not open. */
  send(text: string): boolean {
    if (!this.isOpen || !this.socket) return false;
    this.socket.send(text);
    return true;
  }

  /**
   * Closes with a close handshake and resolves when it is done (or after `timeoutMs`, when the socket is
   * dropped). No handler is called any more.
   */
  close(code: number, reason: string, timeoutMs = 2000): Promise<void> {
    const socket = this.socket;
    this.live = false;
    this.inbound.length = 0;
    this.failOpen?.(new ArenaError('disconnected', 'the connection was closed while opening'));
    if (!socket || (socket.readyState !== SOCKET_OPEN && socket.readyState !== SOCKET_CONNECTING)) {
      this.detach();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.detach();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      socket.onmessage = noop;
      socket.onerror = noop;
      socket.onclose = done;
      safeClose(socket, code, reason);
    });
  }

  /** Gives up on the connection now: no handler is called any more, and the socket is closed if it can be. */
  abandon(code = ABANDON_CLOSE_CODE, reason = 'abandoned'): void {
    this.live = false;
    this.inbound.length = 0;
    this.failOpen?.(new ArenaError('disconnected', 'the connection was abandoned while opening'));
    const socket = this.socket;
    this.detach();
    if (socket && (socket.readyState === SOCKET_OPEN || socket.readyState === SOCKET_CONNECTING))
      safeClose(socket, code, reason);
  }

  private detach(): void {
    const socket = this.socket;
    if (!socket) return;
    // No-op handlers rather than null: `ws` throws an 'error' event that has no listener.
    socket.onopen = noop;
    socket.onmessage = noop;
    socket.onclose = noop;
    socket.onerror = noop;
  }

  private enqueue(item: Inbound): void {
    if (!this.live) return;
    this.inbound.push(item);
    this.deliver();
  }

  // Frames are handed over in order. After a frame that settled a request, the rest waits for a new task, so
  // the code awaiting that request runs first (browsers do this by themselves; `ws` may deliver a whole TCP
  // read in one go): `const room = await client.join(id); room.on('event', …)` misses nothing.
  private deliver(): void {
    if (this.delivering || this.deferred) return;
    this.delivering = true;
    try {
      while (this.live && this.inbound.length > 0) {
        const item = this.inbound.shift() as Inbound;
        if (item.kind === 'close') {
          this.live = false;
          this.detach();
          this.handlers.closed(item.info);
          return;
        }
        if (this.handlers.message(item.text)) {
          this.deferred = true;
          nextTask(() => {
            this.deferred = false;
            this.deliver();
          });
          return;
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}

function safeClose(socket: WebSocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Closing a socket that is already failing may throw in some implementations; it is going either way.
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'object' && value !== null) {
    const message = (value as { message?: unknown; error?: unknown }).message;
    if (typeof message === 'string' && message) return message;
    const inner = (value as { error?: unknown }).error;
    if (inner instanceof Error) return inner.message;
  }
  return typeof value === 'string' ? value : 'connection failed';
}
