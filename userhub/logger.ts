/** Where the receiver writes what happens. Never given secrets, signatures or bodies. */
export interface Logger {
  /** Normal operation: an event arrived, a duplicate was skipped. */
  info(message: string): void;
  /** A call was refused: bad signature, stale timestamp, malformed request. */
  warn(message: string): void;
  /** A handler or the server failed; `error` carries the cause for the operator. */
  error(message: string, error?: unknown): void;
}

/** Logs to stdout (info) and stderr (warn, error). */
export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(message),
  error: (message, error) =>
    error === undefined ? console.error(message) : console.error(message, error),
};

/** What {@linkcode bufferConsole} returns. */
export interface BufferedConsole {
  /** Writes every buffered line now. */
  flush(): void;
  /** Flushes, and puts the original console methods back. */
  restore(): void;
}

/** Options of {@linkcode bufferConsole}. */
export interface BufferConsoleOptions {
  /** Buffer even when the stream is a terminal; for tests. */
  terminals?: boolean;
  /** Flush as soon as this many characters wait; 64 KiB by default. */
  maxPending?: number;
  /**
   * Lines written directly before buffering starts; 64 by default. The first
   * timer of a Deno 2.9 process loads its timer module, about 10 ms of the main
   * thread: a server that has logged only its start lines does not pay that
   * before its first request.
   */
  directLines?: number;
}

const STDOUT_METHODS = ["log", "info", "debug"] as const;
const STDERR_METHODS = ["warn", "error"] as const;
const encoder = new TextEncoder();

/**
 * Makes `console` write through a buffer when stdout or stderr is a file or a
 * pipe, where Deno otherwise makes one blocking `write` per `console.log`
 * (under load, as costly as verifying the HMAC). Handlers keep calling
 * `console.log`; lines keep their order, across stdout and stderr too.
 *
 * The first 64 lines are written directly. After them, the buffer is written
 * at the end of the current turn of the event loop (a 0 ms timer, so lines
 * still show at once), when 64 KiB wait, before any console call it does not
 * buffer, on exit and on an uncaught error. A terminal is written to directly.
 *
 * It adds no signal listener: a process killed by a signal loses the lines of
 * the turn it was in. `main.ts` stops on SIGTERM and SIGINT by letting the
 * server finish, so its process exits normally and every line is written.
 *
 * Only plain lines are buffered: `log`, `info`, `debug`, `warn` and `error`
 * called with strings and no format directive, outside `console.group`.
 * Anything else goes to Deno's own console after a flush.
 *
 * @param options For tests: buffer terminals too, or flush earlier.
 * @returns `flush` and `restore`.
 *
 * @example
 * ```ts
 * import { bufferConsole } from "./logger.ts";
 *
 * const buffered = bufferConsole();
 * console.log("Event: users.changed");
 * buffered.restore(); // flushes
 * ```
 */
export function bufferConsole(options: BufferConsoleOptions = {}): BufferedConsole {
  const maxPending = options.maxPending ?? 64 * 1024;
  let direct = options.directLines ?? 64;
  const buffering = {
    stdout: options.terminals === true || !Deno.stdout.isTerminal(),
    stderr: options.terminals === true || !Deno.stderr.isTerminal(),
  };
  const original = new Map<string, (...args: unknown[]) => void>();
  // Pending text, as runs of one stream each, in the order it was logged.
  const runs: { stream: "stdout" | "stderr"; text: string }[] = [];
  let pending = 0;
  let groups = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending === 0) return;
    const todo = runs.splice(0);
    pending = 0;
    for (const { stream, text } of todo) {
      writeAll(stream === "stdout" ? Deno.stdout : Deno.stderr, encoder.encode(text));
    }
  };

  const append = (stream: "stdout" | "stderr", line: string) => {
    if (direct > 0) {
      direct--;
      writeAll(stream === "stdout" ? Deno.stdout : Deno.stderr, encoder.encode(line));
      return;
    }
    const last = runs.at(-1);
    if (last?.stream === stream) last.text += line;
    else runs.push({ stream, text: line });
    pending += line.length;
    if (pending >= maxPending) flush();
    else if (timer === undefined) {
      const scheduled = setTimeout(flush, 0);
      Deno.unrefTimer(scheduled);
      timer = scheduled;
    }
  };

  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const name of Object.keys(console)) {
    const method = target[name];
    if (typeof method !== "function") continue;
    original.set(name, method);
    const stream = (STDOUT_METHODS as readonly string[]).includes(name)
      ? "stdout"
      : (STDERR_METHODS as readonly string[]).includes(name)
      ? "stderr"
      : undefined;
    const tracksGroups = name === "group" || name === "groupCollapsed"
      ? 1
      : name === "groupEnd"
      ? -1
      : 0;
    target[name] = (...args: unknown[]) => {
      if (stream !== undefined && buffering[stream] && groups === 0 && isPlain(args)) {
        append(stream, args.length === 1 ? `${args[0]}\n` : `${args.join(" ")}\n`);
        return;
      }
      flush();
      groups = Math.max(0, groups + tracksGroups);
      method.apply(console, args);
    };
  }

  globalThis.addEventListener("unload", flush);
  globalThis.addEventListener("error", flush);
  globalThis.addEventListener("unhandledrejection", flush);

  return {
    flush,
    restore() {
      flush();
      for (const [name, method] of original) target[name] = method;
      globalThis.removeEventListener("unload", flush);
      globalThis.removeEventListener("error", flush);
      globalThis.removeEventListener("unhandledrejection", flush);
    },
  };
}

function isPlain(args: unknown[]): boolean {
  if (args.length === 0) return false;
  for (const arg of args) if (typeof arg !== "string") return false;
  // Deno applies %s, %d, %o, %c... to the first of several arguments.
  return args.length === 1 || !(args[0] as string).includes("%");
}

function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length;) offset += stream.writeSync(bytes.subarray(offset));
}
