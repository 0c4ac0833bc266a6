/**
 * What the load benchmark can run: the bare baseline and the project's
 * server in each configuration, each with its name for `--only` and its
 * label in the table.
 *
 * @module
 */

import { PROJECT_ROOT, type Subject } from "./servers.ts";

/** Every name `--only` takes, in the order the runs are done. */
export const RUN_NAMES = ["bare", "off", "otel", "repeat", "on"] as const;

/** How to start the project's server, and what this checkout has. */
export interface ServerChoice {
  /** The shell command that starts the project's server. */
  command: string;
  /** How the table names it: "`deno task start`" or "the --command server". */
  name: string;
  /** Whether the checkout has duplicate protection that `DEDUPE=off` switches off. */
  dedupe: boolean;
  /** Where the `otel` run exports to; no `otel` run without it. */
  otlpEndpoint: string | undefined;
}

/** The command of the `start` task in deno.json. */
export function startTaskCommand(): string {
  const config = JSON.parse(Deno.readTextFileSync(`${PROJECT_ROOT}/deno.json`));
  const command = config.tasks?.start;
  const text = typeof command === "string" ? command : command?.command;
  if (typeof text !== "string") throw new Error("Cannot find the start task in deno.json");
  return text;
}

/** Whether this checkout has duplicate protection that `DEDUPE=off` switches off. */
export function hasDedupe(): boolean {
  try {
    return Deno.readTextFileSync(`${PROJECT_ROOT}/config.ts`).includes("DEDUPE");
  } catch {
    return false;
  }
}

/** Every run this checkout allows, the baseline first, in the order of {@linkcode RUN_NAMES}. */
export function allSubjects(choice: ServerChoice): Subject[] {
  const { command, name, dedupe, otlpEndpoint } = choice;
  const off: Record<string, string> = dedupe ? { DEDUPE: "off" } : {};
  const offLabel = dedupe ? `${name}, DEDUPE=off` : name;
  const subjects: Subject[] = [
    {
      key: "bare",
      label: "bare `Deno.serve` (baseline)",
      command: "deno run --allow-net --allow-env=PORT bench/bare.ts",
      env: {},
      ids: "distinct",
      logs: false,
    },
    { key: "off", label: offLabel, command, env: off, ids: "distinct", logs: true },
  ];
  if (otlpEndpoint !== undefined) {
    // Deno's built-in OpenTelemetry reads these variables itself.
    const otel = {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    };
    const label = `${offLabel}, OpenTelemetry on`;
    subjects.push({
      key: "otel",
      label,
      command,
      env: { ...off, ...otel },
      ids: "distinct",
      logs: true,
    });
  }
  if (dedupe) {
    const kv = { command, env: {}, logs: true, kv: true };
    subjects.push(
      { key: "repeat", label: `${name}, dedupe on, one event id repeated`, ids: "same", ...kv },
      { key: "on", label: `${name}, dedupe on, every event new`, ids: "distinct", ...kv },
    );
  }
  return subjects;
}

/** The runs to do: the baseline always, then those named in `only`, or all but `otel`. */
export function chosenSubjects(all: Subject[], only: Set<string> | undefined): Subject[] {
  return all.filter((s) => s.key === "bare" || (only ? only.has(s.key) : s.key !== "otel"));
}
