import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../../src/emitter.js';

interface Events {
  ping: (n: number, text: string) => void;
  done: () => void;
}

class Source extends Emitter<Events> {
  fire<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    this.emit(event, ...args);
  }
}

describe('Emitter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls listeners in the order they were added, with the arguments', () => {
    const source = new Source();
    const calls: string[] = [];
    source.on('ping', (n, text) => calls.push(`a${n}${text}`));
    source.on('ping', (n) => calls.push(`b${n}`));
    source.fire('ping', 1, 'x');
    expect(calls).toEqual(['a1x', 'b1']);
    expect(source.listenerCount('ping')).toBe(2);
    expect(source.listenerCount('done')).toBe(0);
  });

  it('on returns an unsubscribe function; off removes a listener', () => {
    const source = new Source();
    const listener = vi.fn();
    const off = source.on('done', listener);
    source.fire('done');
    off();
    source.fire('done');
    const other = vi.fn();
    source.on('done', other);
    source.off('done', other);
    source.fire('done');
    expect(listener).toHaveBeenCalledTimes(1);
    expect(other).not.toHaveBeenCalled();
  });

  it('once calls a listener for the next event only', () => {
    const source = new Source();
    const listener = vi.fn();
    source.once('ping', listener);
    source.fire('ping', 1, 'a');
    source.fire('ping', 2, 'b');
    expect(listener).toHaveBeenCalledExactlyOnceWith(1, 'a');
    expect(source.listenerCount('ping')).toBe(0);
  });

  it('a listener removed or added during an emit does not change that emit', () => {
    const source = new Source();
    const calls: string[] = [];
    const second = (): void => {
      calls.push('second');
    };
    source.on('done', () => {
      calls.push('first');
      source.off('done', second);
      source.on('done', () => calls.push('late'));
    });
    source.on('done', second);
    source.fire('done');
    expect(calls).toEqual(['first', 'second']);
  });

  it('a throwing listener does not stop the others; the error is rethrown afterwards', async () => {
    const source = new Source();
    const thrown: unknown[] = [];
    const microtask = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      try {
        callback();
      } catch (error) {
        thrown.push(error);
      }
    });
    const after = vi.fn();
    source.on('done', () => {
      throw new Error('listener bug');
    });
    source.on('done', after);
    source.fire('done');
    expect(after).toHaveBeenCalledTimes(1);
    expect(microtask).toHaveBeenCalledTimes(1);
    expect(thrown).toEqual([new Error('listener bug')]);
  });
});
