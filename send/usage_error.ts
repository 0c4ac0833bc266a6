/**
 * A mistake in what the sender was asked to do: an unknown option, a bad
 * value, a `--data` file it cannot use, a missing secret or permission. Its
 * message is one line; the sender prints it and exits with code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 *
 * const error = new UsageError('Unknown option "--colour": see deno task send --help');
 * console.assert(error.exitCode === 2);
 * ```
 */
export class UsageError extends Error {
  /** The process exit code for this error. */
  readonly exitCode = 2;

  /** @param message What is wrong and how to fix it, on one line. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
