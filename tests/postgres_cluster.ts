/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` in a new
 * directory under `.test_kv/`, a server on a free loopback port (and a Unix
 * socket in that directory), stopped and removed by `stop()`. As root, the
 * cluster runs as the `postgres` user (`initdb` refuses root). Every wait has
 * a deadline, and one that passes fails with what the server logged.
 *
 * Two roles: `postgres`, trusted from loopback, and `webhooks`, which needs
 * its password, as a server in production would (so a wrong one is refused).
 *
 * @module
 */

import { connectPostgres } from "../dedupe/postgres.ts";

/** Where Debian's PostgreSQL 15 keeps its programs (`.ci/run` installs it when missing). */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A running throwaway cluster. */
export interface Cluster {
  /** `postgres://webhooks:<password>@127.0.0.1:<port>/webhooks`, the password URL-encoded. */
  url: string;
  /** The superuser's URL, trusted from loopback. */
  superUrl: string;
  /** The password of `webhooks`, with characters a URL must encode. */
  password: string;
  /** The loopback port. */
  port: number;
  /** Stops the server (fast shutdown: sessions are ended), keeping its data. */
  pause(): Promise<void>;
  /** Starts a paused server again, on the same port. */
  resume(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const SCRATCH = `${import.meta.dirname}/../.test_kv`;

/**
 * Starts a cluster.
 * @param options `durable: true` keeps PostgreSQL's default `fsync` and
 * `synchronous_commit` (benchmarks); tests turn both off.
 * @returns The running cluster; call `stop()` in a `finally`.
 */
export async function startCluster(options: { durable?: boolean } = {}): Promise<Cluster> {
  await Deno.mkdir(SCRATCH, { recursive: true });
  const dir = await Deno.realPath(await Deno.makeTempDir({ dir: SCRATCH, prefix: "pg_" }));
  await Deno.chmod(dir, 0o777); // The postgres user writes its data and socket here.
  const data = `${dir}/data`;
  const log = `${dir}/server.log`;
  const port = freePort();
  const settings = options.durable ? "" : " -c fsync=off -c synchronous_commit=off";
  const start = [
    "start",
    "-w",
    "-t",
    "30",
    "-D",
    data,
    "-l",
    log,
    "-o",
    `-k '${dir}' -h 127.0.0.1 -p ${port}${settings}`,
  ]; // deno-fmt-ignore
  let asPostgres = false;
  const pg = async (program: string, args: string[], seconds: number) => {
    try {
      return await run(program, args, seconds, asPostgres);
    } catch (error) {
      const logged = await Deno.readTextFile(log).catch(() => "");
      throw new Error(`${(error as Error).message}${logged && `\nserver log:\n${logged}`}`);
    }
  };
  const password = `s3cret/${crypto.randomUUID().slice(0, 8)}@x`;
  let started = false;
  const stop = async () => {
    try {
      if (started) await pg("pg_ctl", ["stop", "-w", "-t", "30", "-D", data, "-m", "fast"], 40);
    } finally {
      started = false;
      await Deno.remove(dir, { recursive: true });
    }
  };
  try {
    const initdb = ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"];
    try {
      await run("initdb", [...initdb, "--no-sync"], 60, false);
    } catch (error) {
      if (!/cannot be run as root/.test((error as Error).message)) throw error;
      asPostgres = true;
      await pg("initdb", [...initdb, "--no-sync"], 60);
    }
    await Deno.writeTextFile(
      `${data}/pg_hba.conf`,
      "local all all trust\n" +
        "host all postgres 127.0.0.1/32 trust\n" +
        "host all all 127.0.0.1/32 scram-sha-256\n",
    );
    await pg("pg_ctl", start, 40);
    started = true;
    const superUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const sql = await connectPostgres(superUrl, { max: 1 });
    try {
      await sql.unsafe(`CREATE ROLE webhooks LOGIN PASSWORD '${password}'`);
      await sql.unsafe("CREATE DATABASE webhooks OWNER webhooks");
    } finally {
      await sql.end({ timeout: 5 });
    }
    return {
      url: `postgres://webhooks:${encodeURIComponent(password)}@127.0.0.1:${port}/webhooks`,
      superUrl,
      password,
      port,
      pause: async () => {
        await pg("pg_ctl", ["stop", "-w", "-t", "30", "-D", data, "-m", "fast"], 40);
        started = false;
      },
      resume: async () => {
        await pg("pg_ctl", start, 40);
        started = true;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/** A loopback port nothing listens on now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Runs one of PostgreSQL's programs, as the `postgres` user if asked, and
 * kills it past the deadline.
 * @returns Its stdout.
 * @throws {Error} When it fails or takes too long, with its stderr.
 */
async function run(
  program: string,
  args: string[],
  seconds: number,
  asPostgres: boolean,
): Promise<string> {
  const path = `${PG_BIN}/${program}`;
  const [file, argv] = asPostgres
    ? ["runuser", ["-u", "postgres", "--", path, ...args]]
    : [path, args];
  const child = new Deno.Command(file, {
    args: argv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // It ended meanwhile.
    }
  }, seconds * 1000);
  const output = await child.output();
  clearTimeout(timer);
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (late) throw new Error(`${program} did not finish within ${seconds} s: ${stderr}`);
  if (!output.success || /^initdb: error/m.test(stderr)) {
    throw new Error(`${program} ${args[0]} failed (exit ${output.code}): ${stderr}`);
  }
  return new TextDecoder().decode(output.stdout);
}
