import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArenaError } from '../../src/errors.js';
import { RequestTracker } from '../../src/requests.js';

describe('RequestTracker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands out increasing rids and resolves the request its reply names', async () => {
    const tracker = new RequestTracker();
    const [a, b] = [tracker.allocate(), tracker.allocate()];
    expect(b).toBe(a + 1);
    const first = tracker.wait(a, 'ping', 'pong', 1000);
    const second = tracker.wait(b, 'leave', 'left', 1000);
    expect(tracker.settle(b, { type: 'left', rid: b, roomId: 'r', reason: 'requested' })).toBe(true);
    expect(tracker.settle(a, { type: 'pong', rid: a, time: 1, serverTime: 2 })).toBe(true);
    await expect(second).resolves.toMatchObject({ type: 'left' });
    await expect(first).resolves.toEqual({ type: 'pong', rid: a, time: 1, serverTime: 2 });
    expect(tracker.settle(a, { type: 'pong', rid: a, time: 1, serverTime: 2 })).toBe(false);
    expect(tracker.size).toBe(0);
  });

  it('rejects with the server error, its field and retry time', async () => {
    const tracker = new RequestTracker();
    const rid = tracker.allocate();
    const reply = tracker.wait(rid, 'join', 'joined', 1000);
    tracker.settle(rid, { type: 'error', rid, code: 'bad_request', message: 'room_id: missing', field: 'room_id' });
    const error = await reply.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArenaError);
    expect(error).toMatchObject({ code: 'bad_request', message: 'room_id: missing', field: 'room_id' });
    expect((error as ArenaError).retryAfterMs).toBeUndefined();
  });

  it('maps an error code it does not know to internal', async () => {
    const tracker = new RequestTracker();
    const rid = tracker.allocate();
    const reply = tracker.wait(rid, 'join', 'joined', 1000);
    tracker.settle(rid, { type: 'error', rid, code: 'brand_new', message: 'x' });
    await expect(reply).rejects.toMatchObject({ code: 'internal', message: 'x (unknown error code "brand_new")' });
  });

  it('rejects a reply of the wrong type', async () => {
    const tracker = new RequestTracker();
    const rid = tracker.allocate();
    const reply = tracker.wait(rid, 'ping', 'pong', 1000);
    tracker.settle(rid, { type: 'ack', rid });
    await expect(reply).rejects.toMatchObject({ code: 'internal' });
  });

  it('times out with code timeout, and a late reply finds nothing', async () => {
    const tracker = new RequestTracker();
    const rid = tracker.allocate();
    const reply = tracker.wait(rid, 'list_rooms', 'room_list', 500);
    const outcome = reply.catch((e: unknown) => e);
    vi.advanceTimersByTime(499);
    expect(tracker.has(rid)).toBe(true);
    vi.advanceTimersByTime(1);
    expect(await outcome).toMatchObject({ code: 'timeout', message: 'no reply to list_rooms within 500 ms' });
    expect(tracker.settle(rid, { type: 'room_list', rid, rooms: [] })).toBe(false);
  });

  it('failAll rejects everything waiting with the given code', async () => {
    const tracker = new RequestTracker();
    const replies = [tracker.wait(tracker.allocate(), 'ping', 'pong', 1000), tracker.wait(tracker.allocate(), 'join', 'joined', 1000)];
    tracker.failAll(new ArenaError('disconnected', 'the connection closed'));
    const errors = await Promise.all(replies.map((r) => r.catch((e: unknown) => e)));
    expect(errors).toEqual([
      expect.objectContaining({ code: 'disconnected', message: 'ping: the connection closed' }),
      expect.objectContaining({ code: 'disconnected', message: 'join: the connection closed' }),
    ]);
    expect(tracker.size).toBe(0);
    vi.advanceTimersByTime(2000); // no timer left to fire
  });
});
