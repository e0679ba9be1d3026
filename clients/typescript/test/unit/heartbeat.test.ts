import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../../src/heartbeat.js';

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function make(intervalMs = 1000): { heartbeat: Heartbeat; pings: number[]; dead: number[] } {
    const pings: number[] = [];
    const dead: number[] = [];
    const start = Date.now();
    const heartbeat: Heartbeat = new Heartbeat({
      intervalMs,
      ping: () => {
        pings.push(Date.now() - start);
        heartbeat.noteSent();
      },
      dead: (silentMs) => dead.push(silentMs),
    });
    heartbeat.start();
    return { heartbeat, pings, dead };
  }

  it('pings an idle connection every half interval', () => {
    const { heartbeat, pings, dead } = make(1000);
    for (let t = 0; t < 3000; t += 100) {
      vi.advanceTimersByTime(100);
      heartbeat.noteReceived(); // the pongs (and anything else) keep coming
    }
    expect(pings).toEqual([500, 1000, 1500, 2000, 2500, 3000]);
    expect(dead).toEqual([]);
    heartbeat.stop();
  });

  it('does not ping while the game sends and receives', () => {
    const { heartbeat, pings } = make(1000);
    for (let t = 0; t < 3000; t += 100) {
      vi.advanceTimersByTime(100);
      heartbeat.noteSent();
      heartbeat.noteReceived();
    }
    expect(pings).toEqual([]);
    heartbeat.stop();
  });

  it('pings when only sending (nothing received), so silence is always measured against a ping', () => {
    const { heartbeat, pings } = make(1000);
    for (let t = 0; t < 1000; t += 100) {
      vi.advanceTimersByTime(100);
      heartbeat.noteSent();
    }
    expect(pings).toEqual([500, 1000]);
    heartbeat.stop();
  });

  it('declares the connection dead after 2 intervals + margin without anything received', () => {
    const { heartbeat, pings, dead } = make(1000);
    expect(heartbeat.deadAfterMs).toBe(3000);
    vi.advanceTimersByTime(2999);
    expect(dead).toEqual([]);
    vi.advanceTimersByTime(300);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toBeGreaterThanOrEqual(3000);
    expect(heartbeat.running).toBe(false);
    expect(pings.length).toBeGreaterThanOrEqual(4); // at most one ping per half interval
    expect(pings.length).toBeLessThanOrEqual(6);
  });

  it('after a long timer pause (a throttled tab), pings first and only gives up if that ping goes unanswered', () => {
    const { heartbeat, pings, dead } = make(1000);
    const started = Date.now();
    vi.setSystemTime(started + 60_000); // the clock moved on, no timer ran, nothing was received
    heartbeat.tick();
    expect(dead).toEqual([]); // pinged instead of giving up at once
    expect(pings).toHaveLength(1);
    vi.setSystemTime(started + 60_999);
    heartbeat.tick();
    expect(dead).toEqual([]);
    vi.setSystemTime(started + 61_000); // that ping went unanswered for a whole interval
    heartbeat.tick();
    expect(dead).toEqual([61_000]);
    heartbeat.tick(); // stopped: nothing more
    expect(dead).toHaveLength(1);
  });

  it('an answered ping after a pause keeps the connection', () => {
    const { heartbeat, dead } = make(1000);
    const started = Date.now();
    vi.setSystemTime(started + 60_000);
    heartbeat.tick();
    vi.setSystemTime(started + 60_010);
    heartbeat.noteReceived(); // the pong
    vi.setSystemTime(started + 61_500);
    heartbeat.tick();
    expect(dead).toEqual([]);
    expect(heartbeat.running).toBe(true);
    heartbeat.stop();
  });
});
