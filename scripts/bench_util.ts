/**
 * What the benchmark scripts share: the program under test, interleaved
 * timing, medians, peak memory, the load average beside every figure.
 *
 * @module
 */

export { runDockerCommand } from "./permissions.ts";

/** A program and its arguments. */
export type Command = [program: string, args: string[]];

/** One run's wall time and, when `/usr/bin/time` is there, its peak resident memory. */
export interface Sample {
  /** Wall time, milliseconds. */
  readonly ms: number;
  /** Peak resident set size, KiB (`undefined` without GNU time). */
  readonly peakKiB?: number;
}

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = (() => {
  try {
    return Deno.statSync(GNU_TIME).isFile;
  } catch {
    return false;
  }
})();

/**
 * Runs a command once, with stdout discarded.
 *
 * @param command The program and its arguments.
 * @param env Its whole environment.
 * @param options `peak`: measure the peak RSS through GNU time (adds ~1 ms to both sides alike).
 * @returns Wall time and peak memory.
 * @throws {Error} when the command fails (with its stderr).
 */
export async function runOnce(
  [program, args]: Command,
  env: Record<string, string>,
  options: { peak?: boolean } = {},
): Promise<Sample> {
  const peak = options.peak === true && hasGnuTime;
  const [cmd, argv] = peak ? [GNU_TIME, ["-f", "peak-rss-kib %M", program, ...args]] : [
    program,
    args,
  ];
  const start = performance.now();
  const output = await new Deno.Command(cmd, {
    args: argv,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${program} ${args.join(" ")}: ${stderr}`);
  const kib = /peak-rss-kib (\d+)\s*$/.exec(stderr);
  return { ms, peakKiB: kib ? Number(kib[1]) : undefined };
}

/**
 * Runs each command once to warm up, then `rounds` times interleaved (A B C, A B C, …).
 *
 * @param cases Commands by name.
 * @param rounds How many timed rounds.
 * @param env The environment of every command.
 * @param options `peak`: measure peak memory too.
 * @returns Per case: median wall time (ms) and the largest peak RSS (KiB) seen.
 * @throws {Error} when a command fails (with its stderr).
 */
export async function measure(
  cases: Record<string, Command>,
  rounds: number,
  env: Record<string, string>,
  options: { peak?: boolean } = {},
): Promise<Record<string, { ms: number; peakKiB?: number }>> {
  const samples: Record<string, Sample[]> = Object.fromEntries(
    Object.keys(cases).map((k) => [k, []]),
  );
  for (const command of Object.values(cases)) await runOnce(command, env, options);
  for (let round = 0; round < rounds; round++) {
    for (const [name, command] of Object.entries(cases)) {
      samples[name].push(await runOnce(command, env, options));
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, xs]) => {
      const peaks = xs.map((x) => x.peakKiB).filter((k): k is number => k !== undefined);
      return [name, {
        ms: median(xs.map((x) => x.ms)),
        peakKiB: peaks.length ? Math.max(...peaks) : undefined,
      }];
    }),
  );
}

/**
 * {@link measure}, medians only.
 *
 * @param cases Commands by name.
 * @param rounds How many timed rounds.
 * @param env The environment of every command.
 * @returns Median wall time of each case, in milliseconds.
 * @throws {Error} when a command fails (with its stderr).
 */
export async function medians(
  cases: Record<string, Command>,
  rounds: number,
  env: Record<string, string>,
): Promise<Record<string, number>> {
  const m = await measure(cases, rounds, env);
  return Object.fromEntries(Object.entries(m).map(([name, { ms }]) => [name, ms]));
}

/**
 * The 1-minute load average, for the line beside a figure (the machine may be shared).
 *
 * @returns e.g. `load 1.52`; `load ?` where the OS does not tell.
 */
export function load(): string {
  try {
    return `load ${Deno.loadavg()[0].toFixed(2)}`;
  } catch {
    return "load ?";
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
