// Clients for the integration tests: created against a real server, closed after each test, plus helpers to
// wait for events and a WebSocket whose "network" a test can cut.

import WS from 'ws';
import { afterEach } from 'vitest';
import { ArenaClient, type ClientOptions, type Emitter, type EventMap, type WebSocketConstructor } from '../../src/node.js';
import type { ArenaServer } from './server.js';

const clients: ArenaClient[] = [];

/** A client of `server` (not connected yet); closed after the test. */
export function makeClient(server: ArenaServer, options: Partial<ClientOptions> = {}): ArenaClient {
  const client = new ArenaClient({ url: server.url, ...options });
  clients.push(client);
  return client;
}

/** A connected client of `server`; closed after the test. */
export async function connectClient(server: ArenaServer, options: Partial<ClientOptions> = {}): Promise<ArenaClient> {
  const client = makeClient(server, options);
  await client.connect();
  return client;
}

/** Call once at the top of a test file that uses makeClient/connectClient. */
export function useClients(): void {
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
}

type Args<E extends EventMap<E>, K extends keyof E> = Parameters<E[K]>;

/** The arguments of the next `event` (that satisfies `predicate`); rejects after `timeoutMs`. */
export function waitFor<E extends EventMap<E>, K extends keyof E>(
  emitter: Emitter<E>,
  event: K,
  predicate: (...args: Args<E, K>) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<Args<E, K>> {
  return new Promise<Args<E, K>>((resolve, reject) => {
    const listener = (...args: Args<E, K>): void => {
      if (!predicate(...args)) return;
      off();
      clearTimeout(timer);
      resolve(args);
    };
    const off = emitter.on(event, listener as unknown as E[K]);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${String(event)}" event within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/** Resolves when `condition` holds, checking every 25 ms; for state that has no event (the server's). */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface LoggedEvent {
  source: string;
  event: string;
  args: unknown[];
}

/** Records events of several emitters in the order they happen. */
export class EventLog {
  readonly entries: LoggedEvent[] = [];

  record<E extends EventMap<E>>(emitter: Emitter<E>, source: string, events: readonly (keyof E & string)[]): this {
    for (const event of events) {
      const listener = (...args: unknown[]): void => {
        this.entries.push({ source, event, args });
      };
      emitter.on(event, listener as unknown as E[typeof event]);
    }
    return this;
  }

  /** "source:event" for each entry, optionally only those matching `filter`. */
  names(filter: (entry: LoggedEvent) => boolean = () => true): string[] {
    return this.entries.filter(filter).map((e) => `${e.source}:${e.event}`);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * A WebSocket (the `ws` package) whose network the test controls: block() makes new connections fail,
 * kill() drops the open ones without a close frame (as a dead network does), raw() sends a frame the typed
 * API cannot produce.
 */
export class TestNetwork {
  readonly WebSocket: WebSocketConstructor;
  readonly sockets = new Set<WS>();
  opened = 0;
  private blocked = false;

  constructor() {
    const network = this;
    class TestSocket extends WS {
      constructor(url: string) {
        if (network.blocked) throw new Error('network blocked by the test');
        super(url);
        network.opened += 1;
        network.sockets.add(this);
        this.once('close', () => network.sockets.delete(this));
      }
    }
    this.WebSocket = TestSocket;
  }

  block(): void {
    this.blocked = true;
  }

  unblock(): void {
    this.blocked = false;
  }

  /** Destroys every open socket: no close frame, the client sees 1006 and the server a dead TCP connection. */
  kill(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  /** Sends raw text on the open socket. */
  raw(text: string): void {
    const open = [...this.sockets].filter((s) => s.readyState === WS.OPEN);
    if (open.length !== 1) throw new Error(`expected one open socket, found ${open.length}`);
    open[0]?.send(text);
  }
}
