// Emitter: a tiny typed event emitter. Listener errors never break the emitter's own work.

/** Maps each event name to its listener signature. */
export type EventMap<E> = { [K in keyof E]: (...args: never[]) => void };

interface Entry<L> {
  listener: L;
  once: boolean;
}

export class Emitter<E extends EventMap<E>> {
  /** Type-level only (never set): lets generic helpers infer an emitter's event map. */
  declare protected readonly eventMap?: E;
  private readonly listeners = new Map<keyof E, Entry<E[keyof E]>[]>();

  /** Calls `listener` on every `event`; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    this.add(event, listener, false);
    return () => this.off(event, listener);
  }

  /** Calls `listener` on the next `event` only; returns a function that removes it. */
  once<K extends keyof E>(event: K, listener: E[K]): () => void {
    this.add(event, listener, true);
    return () => this.off(event, listener);
  }

  off<K extends keyof E>(event: K, listener: E[K]): void {
    const entries = this.listeners.get(event);
    if (!entries) return;
    const index = entries.findIndex((e) => e.listener === listener);
    if (index >= 0) entries.splice(index, 1);
    if (entries.length === 0) this.listeners.delete(event);
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const entries = this.listeners.get(event);
    if (!entries) return;
    for (const entry of [...entries]) {
      if (entry.once) this.off(event, entry.listener as E[K]);
      try {
        (entry.listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        // A throwing listener must not leave the client half-way through a message: report it the way an
        // uncaught error in an event handler is reported, after the emitter is done.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private add<K extends keyof E>(event: K, listener: E[K], once: boolean): void {
    const entries = this.listeners.get(event) ?? [];
    entries.push({ listener, once });
    this.listeners.set(event, entries);
  }
}
