// Backoff: capped exponential delays with full jitter for reconnection attempts.

export interface ReconnectOptions {
  /** The first retry waits a uniform random time in [0, initialDelayMs]. Default 200. */
  initialDelayMs: number;
  /** Cap of the exponential ceiling. Default 5000. */
  maxDelayMs: number;
  /** Growth of the ceiling per attempt. Default 2. */
  factor: number;
  /** Attempts before giving up (`session_lost` with code `disconnected`); `Infinity` allowed. Default 20. */
  maxAttempts: number;
}

export const defaultReconnectOptions: Readonly<ReconnectOptions> = {
  initialDelayMs: 200,
  maxDelayMs: 5000,
  factor: 2,
  maxAttempts: 20,
};

/** Fills in defaults and checks the values; throws RangeError for values that cannot work. */
export function resolveReconnectOptions(options: Partial<ReconnectOptions> = {}): ReconnectOptions {
  const resolved = { ...defaultReconnectOptions, ...options };
  const finiteAtLeast = (name: keyof ReconnectOptions, min: number): void => {
    const value = resolved[name];
    if (!Number.isFinite(value) || value < min) throw new RangeError(`reconnect.${name} must be a number >= ${min}`);
  };
  finiteAtLeast('initialDelayMs', 0);
  finiteAtLeast('maxDelayMs', 0);
  finiteAtLeast('factor', 1);
  if (!(resolved.maxAttempts === Infinity || (Number.isInteger(resolved.maxAttempts) && resolved.maxAttempts >= 0)))
    throw new RangeError('reconnect.maxAttempts must be a whole number >= 0 or Infinity');
  return resolved;
}

/** Upper bound of the delay before attempt number `attempt` (0 for the first retry). */
export function backoffCeiling(attempt: number, options: ReconnectOptions): number {
  return Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** attempt);
}

export interface BackoffStep {
  /** 1 for the first attempt. */
  attempt: number;
  delayMs: number;
}

export class Backoff {
  private made = 0;

  constructor(
    private readonly options: ReconnectOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts handed out since the last reset. */
  get attempts(): number {
    return this.made;
  }

  reset(): void {
    this.made = 0;
  }

  /**
   * The next attempt and how long to wait before it, or undefined when the attempts are used up.
   * `minDelayMs` (a server's retry_after_ms) is added to the jittered delay rather than replacing it, so the
   * clients of a server that shut down do not all come back at the same millisecond.
   */
  next(minDelayMs = 0): BackoffStep | undefined {
    if (this.made >= this.options.maxAttempts) return undefined;
    const ceiling = backoffCeiling(this.made, this.options);
    const jitter = Math.min(ceiling, Math.max(0, this.random()) * ceiling);
    this.made += 1;
    return { attempt: this.made, delayMs: Math.ceil(Math.max(0, minDelayMs)) + Math.floor(jitter) };
  }
}
