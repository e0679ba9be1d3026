// Heartbeat: keeps an idle connection pinged and notices a server that went silent (a browser may never
// notice a dead TCP connection by itself).

export interface HeartbeatOptions {
  /** welcome.heartbeat_ms: the server wants a message at least this often. */
  intervalMs: number;
  /** Silence tolerated beyond twice the interval before the connection counts as dead. Default 1000. */
  marginMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Sends a ping; the owner calls noteSent() for it like for any other frame. */
  ping(): void;
  /** Nothing came from the server for `silentMs` although it was pinged. */
  dead(silentMs: number): void;
}

export class Heartbeat {
  readonly pingEveryMs: number;
  readonly deadAfterMs: number;
  private readonly tickMs: number;
  private readonly now: () => number;
  private lastReceived = 0;
  private lastSent = 0;
  private lastPing = 0;
  private unansweredSince: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: HeartbeatOptions) {
    this.now = options.now ?? Date.now;
    // Pinging at half the interval keeps the server's idea of "idle" far away and gives the silence
    // check two answered pings per interval on a healthy connection.
    this.pingEveryMs = Math.max(1, options.intervalMs / 2);
    this.deadAfterMs = 2 * options.intervalMs + (options.marginMs ?? 1000);
    this.tickMs = Math.max(25, Math.min(1000, options.intervalMs / 4));
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    this.stop();
    const now = this.now();
    this.lastReceived = now;
    this.lastSent = now;
    this.lastPing = now;
    this.unansweredSince = undefined;
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  noteReceived(): void {
    this.lastReceived = this.now();
    this.unansweredSince = undefined;
  }

  noteSent(): void {
    this.lastSent = this.now();
  }

  /** One check; called by the timer, public for tests. */
  tick(): void {
    if (!this.running) return;
    const now = this.now();
    const silent = now - this.lastReceived;
    // Only a ping that went unanswered for a whole interval proves the silence: after timers were
    // throttled (a background tab), the first tick pings again rather than giving up at once.
    if (
      silent >= this.deadAfterMs &&
      this.unansweredSince !== undefined &&
      now - this.unansweredSince >= this.options.intervalMs
    ) {
      this.stop();
      this.options.dead(silent);
      return;
    }
    const idle = now - this.lastSent >= this.pingEveryMs || silent >= this.pingEveryMs;
    if (idle && now - this.lastPing >= this.pingEveryMs) {
      this.lastPing = now;
      if (this.unansweredSince === undefined) this.unansweredSince = now;
      this.options.ping();
    }
  }
}
