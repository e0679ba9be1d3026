// RequestTracker: request ids (rid), the requests waiting for their reply, and their deadlines.

import { ArenaError, errorFromServer } from './errors.js';
import type { ServerMessage, ServerMessageOf, ServerMessageType } from './protocol.js';

interface Pending {
  type: string;
  expect: ServerMessageType;
  resolve(message: ServerMessage): void;
  reject(error: ArenaError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RequestTracker {
  private nextRid = 1;
  private readonly pending = new Map<number, Pending>();

  get size(): number {
    return this.pending.size;
  }

  /** A fresh request id; ids are never reused within a client, across connections included. */
  allocate(): number {
    return this.nextRid++;
  }

  has(rid: number): boolean {
    return this.pending.has(rid);
  }

  /** Waits for the reply of type `expect` (or an `error`) to request `rid`. */
  wait<T extends ServerMessageType>(
    rid: number,
    requestType: string,
    expect: T,
    timeoutMs: number,
  ): Promise<ServerMessageOf<T>> {
    return new Promise<ServerMessageOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new ArenaError('timeout', `no reply to ${requestType} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rid, {
        type: requestType,
        expect,
        resolve: resolve as (message: ServerMessage) => void,
        reject,
        timer,
      });
    });
  }

  /** Settles the request a reply belongs to; false when no request waits for that rid. */
  settle(rid: number, message: ServerMessage): boolean {
    const pending = this.take(rid);
    if (!pending) return false;
    if (message.type === 'error') {
      const details = { field: message.field, retryAfterMs: message.retryAfterMs };
      pending.reject(errorFromServer(message.code, message.message, details));
    } else if (message.type !== pending.expect) {
      pending.reject(
        new ArenaError('internal', `the server answered ${pending.type} with ${message.type}, not ${pending.expect}`),
      );
    } else {
      pending.resolve(message);
    }
    return true;
  }

  /** Fails one request (a reply that could not be decoded, a frame that could not be sent). */
  fail(rid: number, error: ArenaError): boolean {
    const pending = this.take(rid);
    if (!pending) return false;
    pending.reject(error);
    return true;
  }

  /** Fails every waiting request, e.g. when the connection drops. */
  failAll(error: ArenaError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const pending of all) {
      clearTimeout(pending.timer);
      pending.reject(new ArenaError(error.code, `${pending.type}: ${error.message}`));
    }
  }

  private take(rid: number): Pending | undefined {
    const pending = this.pending.get(rid);
    if (!pending) return undefined;
    this.pending.delete(rid);
    clearTimeout(pending.timer);
    return pending;
  }
}
