/**
 * The machine the load benchmark runs on: which cores the server and `wrk`
 * get, what `/proc` says about a process, and `wrk` itself, installed from
 * Debian's packages when it is missing.
 *
 * @module
 */

/** Which cores the server and the load generator run on. */
export interface Pins {
  /** A command prefix that pins the server to its core; empty when not pinned. */
  server: string[];
  /** A command prefix that pins `wrk` to its core; empty when not pinned. */
  load: string[];
  /** What was pinned where, for the output. */
  note: string;
}

async function run(
  command: string[],
  options: { quiet?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdout: "piped",
    stderr: options.quiet ? "piped" : "inherit",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: options.quiet ? decoder.decode(output.stderr) : "",
  };
}

async function has(program: string): Promise<boolean> {
  const result = await run(["sh", "-c", `command -v ${program}`], { quiet: true });
  return result.code === 0;
}

/** Installs wrk from Debian's packages when it is missing. */
export async function ensureWrk(): Promise<void> {
  if (await has("wrk")) return;
  console.log("wrk is missing: installing it with apt-get (Debian package wrk)");
  const sudo = Deno.uid() === 0 ? [] : ["sudo"];
  let result = await run([...sudo, "apt-get", "install", "-y", "-qq", "wrk"], { quiet: true });
  if (result.code !== 0) {
    await run([...sudo, "apt-get", "update", "-qq"], { quiet: true });
    result = await run([...sudo, "apt-get", "install", "-y", "-qq", "wrk"], { quiet: true });
  }
  if (result.code !== 0 || !await has("wrk")) {
    throw new Error(`Cannot install wrk: apt-get install wrk failed:\n${result.stderr}`);
  }
}

/** Pins this script to core 1 and says how to pin the server (core 0) and wrk (core 1). */
export async function pinCores(): Promise<Pins> {
  const count = navigator.hardwareConcurrency;
  if (count < 2 || !await has("taskset")) {
    return { server: [], load: [], note: `${count} core(s): server and wrk share them` };
  }
  // This script idles while wrk runs; keep it, and its polling, off the server's core.
  await run(["taskset", "-a", "-c", "-p", "1", String(Deno.pid)], { quiet: true });
  return {
    server: ["taskset", "-c", "0"],
    load: ["taskset", "-c", "1"],
    note: "server pinned to core 0, wrk and this script to core 1",
  };
}

/** The CPU time a process has used, user and system, in clock ticks. */
export function cpuTicks(pid: number): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the name.
  return Number(fields[11]) + Number(fields[12]);
}

/** A process's peak (`VmHWM`) or current (`VmRSS`) resident memory, in MiB. */
export function memoryMiB(pid: number, field: "VmHWM" | "VmRSS"): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (match === null) throw new Error(`Cannot read ${field} of process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Resets the peak RSS to the current RSS; false where the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** The kernel's clock ticks per second, the unit of {@linkcode cpuTicks}. */
export async function clockTicks(): Promise<number> {
  const result = await run(["getconf", "CLK_TCK"], { quiet: true });
  return Number(result.stdout.trim()) || 100;
}

/** The CPU's model name from `/proc/cpuinfo`, if it gives one. */
export function cpuModel(): string | undefined {
  return /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1];
}
