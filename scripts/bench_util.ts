/**
 * What the benchmark scripts share: the program under test, interleaved
 * timing, medians.
 *
 * @module
 */

export { runDockerCommand } from "./permissions.ts";

/** A program and its arguments. */
export type Command = [program: string, args: string[]];

/**
 * Runs each command once to warm up, then `rounds` times interleaved.
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
  const time = async ([program, args]: Command): Promise<number> => {
    const start = performance.now();
    const output = await new Deno.Command(program, {
      args,
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    })
      .output();
    const elapsed = performance.now() - start;
    if (!output.success) {
      throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
    }
    return elapsed;
  };
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(cases).map((k) => [k, []]),
  );
  for (const command of Object.values(cases)) await time(command);
  for (let round = 0; round < rounds; round++) {
    for (const [name, command] of Object.entries(cases)) samples[name].push(await time(command));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
