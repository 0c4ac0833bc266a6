/**
 * The dev server of the browser check, as a developer runs it: `main.ts`
 * with the `dev` task's command from the project's deno.json, and calls sent
 * to it with `deno task send`. Each wait has a deadline that fails with what
 * was awaited.
 *
 * @module
 */

/** The secret the dev server is started with, and calls are signed with. */
export const SECRET = "whsec_test";
/** How long starting the server, or one `deno task send`, may take. */
const START_MS = 60_000;
const SEND_MS = 20_000;
const root = new URL("../../", import.meta.url);

/**
 * Settles as `work` does, or fails after `ms` with `what` in the message.
 * A function gets a signal that aborts at the deadline, to stop its work.
 */
export async function within<T>(
  ms: number,
  what: string,
  work: Promise<T> | ((signal: AbortSignal) => Promise<T>),
): Promise<T> {
  const timeout = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Failed first: the work's own end, once aborted, comes too late to win the race.
      reject(new Error(`${what}: no end after ${ms / 1000} s`));
      timeout.abort();
    }, ms);
  });
  try {
    return await Promise.race([typeof work === "function" ? work(timeout.signal) : work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `dev` task of the project's deno.json: the variables it sets, and the words after `deno`. */
async function devTask(): Promise<{ env: Record<string, string>; args: string[] }> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const words = (config.tasks.dev as string).split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [name, value] = words.shift()!.split("=") as [string, string];
    env[name] = value;
  }
  if (words.shift() !== "deno" || words.at(-1) !== "main.ts") {
    throw new Error(`the dev task is not "deno … main.ts": ${config.tasks.dev}`);
  }
  return { env, args: words };
}

/** A running dev server. */
export interface Dev {
  /** The console's URL, as the server printed it. */
  url: string;
  /** The port it listens on. */
  port: string;
  /** Stops it as Ctrl+C does, or kills it when that takes more than 10 s. */
  stop(): Promise<void>;
  /** Kills it at once. */
  kill(): void;
}

/**
 * Starts the dev server on a free port, its Deno KV in memory (its own,
 * with no file and no cache directory of its own), and waits for the line
 * `Console: <url>`.
 *
 * @param preload A module of the project to load before `main.ts`, if any.
 */
export async function startDev(preload?: string): Promise<Dev> {
  const { env, args } = await devTask();
  if (preload !== undefined) args.splice(-1, 0, `--preload=${preload}`);
  const child = new Deno.Command("deno", {
    args,
    cwd: root,
    env: {
      ...env,
      SIGNING_SECRET: SECRET,
      PORT: "0",
      NO_COLOR: "1",
      DEDUPE: "",
      KV_PATH: "",
      HOSTNAME: "",
      DENO_KV_DB_MODE: "memory",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stop = async () => {
    try {
      // Deno's watcher takes SIGTERM as a stop of the program, not of itself.
      child.kill("SIGINT");
      await within(10_000, "the dev server stopping", child.status);
    } catch {
      child.kill("SIGKILL");
      await child.status;
    }
  };
  let output = "";
  const pumps = [child.stdout, child.stderr].map(async (stream) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) output += text;
  });
  const url = await within(
    START_MS,
    "the dev server printing its Console: line",
    async (signal) => {
      let ended = false;
      void Promise.all(pumps).then(() => ended = true);
      while (!signal.aborted) {
        const match = output.match(/^Console: (\S+)$/m);
        if (match) return match[1]!;
        if (ended) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return undefined;
    },
  ).catch((error) => error as Error);
  if (typeof url !== "string") {
    await stop();
    const why = url instanceof Error ? url.message : "the dev server ended first";
    throw new Error(`${why}. It printed:\n${output}`);
  }
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // It had exited already.
    }
  };
  return { url, port: new URL(url).port, stop, kill };
}

/**
 * `deno task send <args>` to the dev server, as a developer runs it in
 * another terminal; fails unless it exits with `code`.
 */
export async function send(port: string, args: string[], code = 0): Promise<void> {
  const command = `deno task send ${args.join(" ")}`;
  const signal = AbortSignal.timeout(SEND_MS);
  const output = await new Deno.Command("deno", {
    args: ["task", "send", ...args],
    cwd: root,
    env: { SIGNING_SECRET: SECRET, PORT: port, NO_COLOR: "1" },
    stdin: "null",
    signal,
  }).output();
  const decoder = new TextDecoder();
  const printed = decoder.decode(output.stdout) + decoder.decode(output.stderr);
  if (signal.aborted) throw new Error(`${command}: no end after ${SEND_MS / 1000} s:\n${printed}`);
  if (output.code !== code) {
    throw new Error(`${command} exited ${output.code}, not ${code}:\n${printed}`);
  }
}

/**
 * Delivers a signed event of `type`, which no handler handles, as UserHub
 * would: `deno task send` only knows the types this server handles.
 */
export async function deliverWithoutHandler(port: string, type: string): Promise<void> {
  const encoder = new TextEncoder();
  const letters = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const random = crypto.getRandomValues(new Uint8Array(22));
  const id = `evt_${Array.from(random, (byte) => letters[byte % letters.length]).join("")}`;
  const body = JSON.stringify({ id, time: new Date().toISOString(), type });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  const signature = Array.from(new Uint8Array(mac), (byte) => byte.toString(16).padStart(2, "0"));
  const response = await fetch(`http://127.0.0.1:${port}/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "userhub-action": "events.handle",
      "userhub-timestamp": timestamp,
      "userhub-signature": signature.join(""),
    },
    body,
    signal: AbortSignal.timeout(SEND_MS),
  });
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`${type}: answered ${response.status}`);
}
