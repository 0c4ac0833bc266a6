/**
 * What the load benchmark can run: the peers (UserHub's SDK, when
 * `../shared/peers/` is there), the bare baseline, the floor, and the
 * project's server in each configuration, each with its name for `--only`
 * and its label in the table.
 *
 * @module
 */

import { PROJECT_ROOT, type Subject } from "./servers.ts";

/** Every name `--only` takes, in the order the runs of a round are done. */
export const RUN_NAMES = [
  "sdk",
  "sdk-noop",
  "bare",
  "floor",
  "off",
  "otel",
  "repeat",
  "on",
  "sdk-256k",
  "floor-256k",
  "off-256k",
] as const;

/** The folder of the peers, beside the project's: `../shared/peers/`. */
export const PEERS_DIR = new URL("../../shared/peers/", import.meta.url).pathname;

/** The folder of the SDK peer's two servers. */
const SDK_DIR = `${PEERS_DIR}userhub-sdk/`;

/** The peers' command, as `../shared/peers/README.md` gives it. */
const PEER_COMMAND = "deno run --allow-net --allow-env=PORT,SIGNING_SECRET";

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
  /** Whether the peers are there (`../shared/peers/`). */
  peers: boolean;
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

/** Whether the SDK peer's servers are there. */
export function hasPeers(): boolean {
  try {
    return Deno.statSync(`${SDK_DIR}sdk_seed.ts`).isFile &&
      Deno.statSync(`${SDK_DIR}sdk_noop.ts`).isFile;
  } catch {
    return false;
  }
}

/** The key of the run every ratio of the table is taken to: the SDK with the guide's handler. */
export function baselineKey(peers: boolean): string {
  return peers ? "sdk" : "bare";
}

/** Every run this checkout allows, in the order of {@linkcode RUN_NAMES}. */
export function allSubjects(choice: ServerChoice): Subject[] {
  const { command, name, dedupe, otlpEndpoint, peers } = choice;
  const off: Record<string, string> = dedupe ? { DEDUPE: "off" } : {};
  const offLabel = dedupe ? `${name}, DEDUPE=off` : name;
  const small = { size: "small", coldStarts: true } as const;
  // The large event's rows are compared with the SDK's (the floor's without the peers).
  const versus = peers ? "sdk-256k" : "floor-256k";
  const large = { size: "large", ids: "same", coldStarts: false, versus } as const;
  const subjects: Subject[] = [];
  if (peers) {
    const sdk = { cwd: SDK_DIR, env: {}, ids: "distinct" } as const;
    subjects.push(
      {
        key: "sdk",
        label: "UserHub SDK, the guide's handler (peer)",
        command: `${PEER_COMMAND} sdk_seed.ts`,
        logs: true,
        ...sdk,
        ...small,
      },
      {
        key: "sdk-noop",
        label: "UserHub SDK, no-op handler (peer)",
        command: `${PEER_COMMAND} sdk_noop.ts`,
        logs: false,
        ...sdk,
        ...small,
      },
    );
  }
  const floorCommand = "deno run --allow-net --allow-env=SIGNING_SECRET,PORT bench/floor.ts";
  subjects.push(
    {
      key: "bare",
      label: "bare `Deno.serve` (reads, answers `{}`)",
      command: "deno run --allow-net --allow-env=PORT bench/bare.ts",
      env: {},
      ids: "distinct",
      logs: false,
      ...small,
    },
    {
      key: "floor",
      label: "floor (`bench/floor.ts`)",
      command: floorCommand,
      env: {},
      ids: "distinct",
      logs: true,
      ...small,
    },
    { key: "off", label: offLabel, command, env: off, ids: "distinct", logs: true, ...small },
  );
  if (otlpEndpoint !== undefined) {
    // Deno's built-in OpenTelemetry reads these variables itself.
    const otel = {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    };
    subjects.push({
      key: "otel",
      label: `${offLabel}, OpenTelemetry on`,
      command,
      env: { ...off, ...otel },
      ids: "distinct",
      logs: true,
      ...small,
    });
  }
  if (dedupe) {
    const kv = { command, env: {}, kv: true, ...small };
    subjects.push(
      {
        key: "repeat",
        label: `${name}, dedupe on, one event repeated`,
        ids: "same",
        logs: false, // it logs each duplicate as such
        ...kv,
      },
      {
        key: "on",
        label: `${name}, dedupe on, every event new`,
        ids: "distinct",
        logs: true,
        ...kv,
      },
    );
  }
  if (peers) {
    subjects.push({
      key: "sdk-256k",
      label: "UserHub SDK, the guide's handler, 256 KiB event",
      command: `${PEER_COMMAND} sdk_seed.ts`,
      cwd: SDK_DIR,
      env: {},
      logs: true,
      ...large,
    });
  }
  subjects.push(
    {
      key: "floor-256k",
      label: "floor, 256 KiB event",
      command: floorCommand,
      env: {},
      logs: true,
      ...large,
    },
    {
      key: "off-256k",
      label: `${offLabel}, 256 KiB event`,
      command,
      env: off,
      logs: true,
      ...large,
    },
  );
  return subjects;
}

/**
 * The runs to do: all but `otel`, or those named in `only`, each with the
 * run its ratios are taken to, and the table's baseline.
 */
export function chosenSubjects(
  all: Subject[],
  only: Set<string> | undefined,
  baseline: string,
): Subject[] {
  const named = (key: string) => only ? only.has(key) : key !== "otel";
  const wanted = new Set(all.filter((s) => named(s.key)).map((s) => s.key));
  if (wanted.size > 0) wanted.add(baseline);
  for (const subject of all) {
    if (wanted.has(subject.key) && subject.versus !== undefined) wanted.add(subject.versus);
  }
  return all.filter((s) => wanted.has(s.key));
}
