// Connection's frame delivery and shutdown, on an in-memory WebSocket stand-in (no network).

import { describe, expect, it } from 'vitest';
import { Connection, type CloseInfo } from '../../src/connection.js';
import type { SocketCloseEvent, SocketMessageEvent, WebSocketLike } from '../../src/transport.js';

class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: SocketMessageEvent) => void) | null = null;
  onclose: ((event: SocketCloseEvent) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  readonly closes: [number | undefined, string | undefined][] = [];

  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closes.push([code, reason]);
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(...frames: string[]): void {
    for (const data of frames) this.onmessage?.({ data });
  }
  closed(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

async function opened(handlers: { message(text: string): boolean; closed(info: CloseInfo): void }) {
  const connection = new Connection(FakeSocket, 'ws://test', handlers);
  const opening = connection.open(1000);
  const socket = FakeSocket.last!;
  socket.open();
  await opening;
  return { connection, socket };
}

describe('Connection', () => {
  it('delivers frames in order, and after a frame that settled a request waits for a new task', async () => {
    const seen: string[] = [];
    const { socket } = await opened({ message: (text) => (seen.push(text), text === 'reply'), closed: () => seen.push('closed') });
    // One synchronous burst, as `ws` delivers a TCP read.
    socket.receive('a', 'reply', 'b', 'c');
    socket.closed(1006);
    expect(seen).toEqual(['a', 'reply']);
    await Promise.resolve(); // microtasks (code awaiting the reply) run before the rest
    expect(seen).toEqual(['a', 'reply']);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['a', 'reply', 'b', 'c', 'closed']);
  });

  it('reports the close after an open, with code and reason, and sends only while open', async () => {
    const closes: CloseInfo[] = [];
    const { connection, socket } = await opened({ message: () => false, closed: (info) => closes.push(info) });
    expect(connection.send('x')).toBe(true);
    socket.closed(4001, 'bye');
    expect(closes).toEqual([{ code: 4001, reason: 'bye' }]);
    expect(connection.send('y')).toBe(false);
    expect(socket.sent).toEqual(['x']);
  });

  it('abandon closes with 4000 and calls no handler any more', async () => {
    const calls: string[] = [];
    const { connection, socket } = await opened({ message: (t) => (calls.push(t), false), closed: () => calls.push('closed') });
    connection.abandon();
    expect(socket.closes).toEqual([[4000, 'abandoned']]);
    socket.receive('late');
    socket.closed(1006);
    expect(calls).toEqual([]);
    expect(connection.isOpen).toBe(false);
  });

  it('open rejects with disconnected when the socket closes first, and with timeout when it hangs', async () => {
    const refused = new Connection(FakeSocket, 'ws://test', { message: () => false, closed: () => undefined });
    const opening = refused.open(1000);
    FakeSocket.last!.onerror?.({ message: 'connect ECONNREFUSED' });
    FakeSocket.last!.closed(1006);
    await expect(opening).rejects.toMatchObject({ code: 'disconnected', message: expect.stringMatching(/ECONNREFUSED/) });

    const hanging = new Connection(FakeSocket, 'ws://test', { message: () => false, closed: () => undefined });
    await expect(hanging.open(20)).rejects.toMatchObject({ code: 'timeout' });
    expect(FakeSocket.last!.closes).toEqual([[4000, 'abandoned']]);
  });

  it('close waits for the close handshake', async () => {
    const { connection, socket } = await opened({ message: () => false, closed: () => undefined });
    let done = false;
    const closing = connection.close(1000, 'bye').then(() => (done = true));
    expect(socket.closes).toEqual([[1000, 'bye']]);
    await Promise.resolve();
    expect(done).toBe(false);
    socket.closed(1000);
    await closing;
    expect(done).toBe(true);
  });

  it('close() while opening fails the open at once', async () => {
    const connection = new Connection(FakeSocket, 'ws://test', { message: () => false, closed: () => undefined });
    const opening = connection.open(60_000);
    const closing = connection.close(1000, 'bye');
    await expect(opening).rejects.toMatchObject({ code: 'disconnected' });
    await closing;
    expect(connection.isOpen).toBe(false);
  });
});
