import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeiling, defaultReconnectOptions, resolveReconnectOptions } from '../../src/backoff.js';

describe('backoffCeiling', () => {
  it('grows by the factor from the initial delay and stops at the cap', () => {
    const options = { initialDelayMs: 200, maxDelayMs: 5000, factor: 2, maxAttempts: 20 };
    expect([0, 1, 2, 3, 4, 5, 6, 30].map((a) => backoffCeiling(a, options))).toEqual([
      200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
  });
});

describe('Backoff', () => {
  const options = resolveReconnectOptions({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3, maxAttempts: 5 });

  it('uses full jitter: the random number scales the whole ceiling', () => {
    const randoms = [0, 0.5, 0.999999, 0.25, 1];
    const backoff = new Backoff(options, () => randoms.shift() ?? 0);
    expect([1, 2, 3, 4, 5].map(() => backoff.next())).toEqual([
      { attempt: 1, delayMs: 0 }, // [0, 100]
      { attempt: 2, delayMs: 150 }, // [0, 300]
      { attempt: 3, delayMs: 899 }, // [0, 900]
      { attempt: 4, delayMs: 250 }, // [0, 1000] (2700 capped)
      { attempt: 5, delayMs: 1000 }, // random() = 1 still stays within the ceiling
    ]);
  });

  it('stays within [0, ceiling] for any random number', () => {
    const wide = resolveReconnectOptions({ initialDelayMs: 37, maxDelayMs: 1234, factor: 1.7, maxAttempts: 40 });
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const backoff = new Backoff(wide, random);
    for (let attempt = 1; attempt <= 40; attempt++) {
      const step = backoff.next();
      expect(step?.attempt).toBe(attempt);
      expect(step!.delayMs).toBeGreaterThanOrEqual(0);
      expect(step!.delayMs).toBeLessThanOrEqual(backoffCeiling(attempt - 1, wide));
    }
  });

  it('adds a server retry_after to the jitter', () => {
    const backoff = new Backoff(options, () => 0.5);
    expect(backoff.next(1000)).toEqual({ attempt: 1, delayMs: 1050 });
    expect(backoff.next(1000)).toEqual({ attempt: 2, delayMs: 1150 });
  });

  it('runs out after maxAttempts and starts over after reset', () => {
    const backoff = new Backoff(options, () => 0);
    for (let i = 0; i < 5; i++) expect(backoff.next()).toBeDefined();
    expect(backoff.next()).toBeUndefined();
    expect(backoff.attempts).toBe(5);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toEqual({ attempt: 1, delayMs: 0 });
  });

  it('allows Infinity attempts', () => {
    const backoff = new Backoff(resolveReconnectOptions({ maxAttempts: Infinity }), () => 0);
    for (let i = 0; i < 1000; i++) backoff.next();
    expect(backoff.next()?.attempt).toBe(1001);
  });
});

describe('resolveReconnectOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveReconnectOptions()).toEqual(defaultReconnectOptions);
    expect(resolveReconnectOptions({ factor: 3 })).toEqual({ ...defaultReconnectOptions, factor: 3 });
  });

  it('refuses values that cannot work', () => {
    expect(() => resolveReconnectOptions({ initialDelayMs: -1 })).toThrow(RangeError);
    expect(() => resolveReconnectOptions({ maxDelayMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveReconnectOptions({ factor: 0.5 })).toThrow(RangeError);
    expect(() => resolveReconnectOptions({ maxAttempts: 1.5 })).toThrow(RangeError);
    expect(() => resolveReconnectOptions({ maxAttempts: -1 })).toThrow(RangeError);
  });
});
