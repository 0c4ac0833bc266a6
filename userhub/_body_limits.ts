/**
 * What bounds the bodies being read: the bytes they may hold together
 * ({@linkcode BodyBudget}) and the time they may take ({@linkcode BodyDeadlines}).
 *
 * @module
 */

/** How many bytes all requests together may hold in memory while they are read: 32 MiB. */
export const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * The bytes that bodies being read may hold together, so that many large
 * uploads at once cannot grow memory without bound. A body takes its bytes as
 * it is read and gives them back with {@linkcode BodyBudget.give} once its
 * call is answered.
 */
export class BodyBudget {
  #free: number;

  /**
   * Starts with every byte free.
   * @param bytes The bytes all bodies together may hold.
   */
  constructor(bytes = MAX_BUFFERED_BYTES) {
    this.#free = bytes;
  }

  /** Takes `bytes` if that many are free; returns whether it did. */
  take(bytes: number): boolean {
    if (bytes > this.#free) return false;
    this.#free -= bytes;
    return true;
  }

  /** Gives back bytes taken before. */
  give(bytes: number): void {
    this.#free += bytes;
  }
}

/** How long a body may take to arrive once its headers have: 30 s. */
export const BODY_DEADLINE_MS = 30_000;

/** The deadline of one body, from {@linkcode BodyDeadlines.start}. */
export interface BodyDeadline {
  /** Rejects with {@linkcode BODY_LATE} once the body's time is up; never resolves. */
  readonly expired: Promise<never>;
  /** Stops watching the body: call it once the read is over, whichever way. */
  stop(): void;
}

/** What {@linkcode BodyDeadline.expired} rejects with. */
export const BODY_LATE: Error = new Error("The body did not arrive in time");

/**
 * The deadline of the bodies being read, kept by one timer for all of them
 * (a timer per request cost more than the rest of a request). The timer runs
 * only while a body is being read, ticks every tenth of the deadline or every
 * second, whichever is sooner, and never keeps the process alive.
 */
export class BodyDeadlines {
  readonly #deadline: number;
  readonly #tick: number;
  readonly #reads = new Set<{ until: number; late: () => void }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Keeps one deadline for all bodies.
   * @param deadline Milliseconds a body may take; {@linkcode BODY_DEADLINE_MS} by default.
   */
  constructor(deadline = BODY_DEADLINE_MS) {
    this.#deadline = deadline;
    this.#tick = Math.min(1000, deadline / 10);
  }

  /** Milliseconds a body may take. */
  get deadline(): number {
    return this.#deadline;
  }

  /**
   * Watches a read from now on.
   * @param late Called once if the read is still under way when its time is up.
   * @returns Stops watching it.
   */
  watch(late: () => void): () => void {
    const read = { until: Date.now() + this.#deadline, late };
    this.#reads.add(read);
    if (this.#timer === undefined) {
      const timer = setInterval(() => this.#check(), this.#tick);
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
    return () => void this.#reads.delete(read);
  }

  /**
   * Starts the deadline of one body, as a promise to race its reads against.
   * @returns The promise, and the function that stops watching.
   */
  start(): BodyDeadline {
    let late!: () => void;
    const expired = new Promise<never>((_, reject) => late = () => reject(BODY_LATE));
    // A body that arrives in time never awaits it.
    expired.catch(() => {});
    return { expired, stop: this.watch(late) };
  }

  #check(): void {
    const now = Date.now();
    for (const read of this.#reads) {
      if (read.until > now) continue;
      this.#reads.delete(read);
      read.late();
    }
    if (this.#reads.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
