/**
 * Reading the command line of `deno task send` with `parseArgs` from
 * `node:util`, and the sender's own one-line message for each mistake.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { quote } from "./quote.ts";
import { suggest } from "./suggest.ts";
import { UsageError } from "./usage_error.ts";

const SEE_HELP = "see deno task send --help";

/** The options, in the order a "did you mean" prefers them (the last of equals wins). */
const OPTIONS = {
  "help": { type: "boolean", short: "h" },
  "list": { type: "boolean" },
  "bad-signature": { type: "boolean" },
  "url": { type: "string" },
  "secret": { type: "string" },
  "data": { type: "string" },
  "set": { type: "string", multiple: true },
  "count": { type: "string" },
  "repeat": { type: "string" },
  "concurrency": { type: "string" },
  "timestamp-offset": { type: "string" },
  "timeout": { type: "string" },
} as const;

type OptionName = keyof typeof OPTIONS;

const OPTION_NAMES = Object.keys(OPTIONS).map((name) => `--${name}`);

/** The command line, before any value is checked: the option values by name, and the rest. */
export interface Arguments {
  /** Option values by name: `true` for a flag, a list for `set`, text for the others. */
  values: {
    [N in OptionName]?: typeof OPTIONS[N]["type"] extends "boolean" ? boolean
      : N extends "set" ? string[]
      : string;
  };
  /** The arguments that are not options, such as `<what>`. */
  positionals: string[];
}

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

/**
 * Splits the arguments into options and positionals. Value options take the
 * next argument whatever it is (`--timestamp-offset -600`, `--data -`) or
 * `--name=value`; `--` ends the options. Only the long spellings are known:
 * `-h` means `--help` but is handled before this is called.
 *
 * @param args The arguments after the task name.
 * @returns The option values by name (`set` is a list) and the positionals.
 * @throws {UsageError} For an unknown option, a value option without a value
 * or given twice, or a flag given a value.
 *
 * @example
 * ```ts
 * import { readArguments } from "./args.ts";
 *
 * const { values, positionals } = readArguments(["users.changed", "--timestamp-offset", "-600"]);
 * console.assert(values["timestamp-offset"] === "-600" && positionals[0] === "users.changed");
 * ```
 */
export function readArguments(args: readonly string[]): Arguments {
  // Not strict: parseArgs then takes a value that starts with "-" (`-600`, `-`)
  // and refuses nothing; every mistake is found in its tokens, in the order given.
  const parsed = parseArgs({
    args: [...args],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const mistake = firstMistake(parsed.tokens, args);
  if (mistake !== undefined) throw mistake;
  // Checked: every option is known, every flag has no value, every other option a text.
  return { values: parsed.values as Arguments["values"], positionals: parsed.positionals };
}

/**
 * The first mistake, in the order the options were given: what strict
 * parseArgs refuses, and a value option given twice (where parseArgs would
 * keep the last). An unknown option is quoted as typed, so `-count` is not
 * reported as `-c`.
 */
function firstMistake(tokens: readonly Token[], args: readonly string[]): UsageError | undefined {
  const seen = new Set<OptionName>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const name = token.name;
    if (!token.rawName.startsWith("--") || !isOptionName(name)) {
      const typed = args[token.index]!;
      return new UsageError(
        `Unknown option ${quote(typed, 60)}${suggest(typed, OPTION_NAMES)}: ${SEE_HELP}`,
      );
    }
    if (OPTIONS[name].type === "boolean") {
      if (token.value !== undefined) return new UsageError(`Option "--${name}" takes no value`);
      continue;
    }
    // A value "--" that was not written "--name=--" is the end of the options.
    if (token.value === undefined || (!token.inlineValue && token.value === "--")) {
      return new UsageError(`Option "--${name}" needs a value: ${SEE_HELP}`);
    }
    if (name !== "set" && seen.has(name)) {
      return new UsageError(`Option "--${name}" is given twice: give it once`);
    }
    seen.add(name);
  }
  return undefined;
}

function isOptionName(name: string): name is OptionName {
  return Object.hasOwn(OPTIONS, name);
}
