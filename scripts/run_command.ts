/**
 * Running a program and capturing what it says, for the scripts and tests
 * (run-docker itself spawns only through `lib/edge/spawn.ts`).
 *
 * @module
 */

/** What a finished program said. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to the end.
 *
 * @param program Name on PATH or a path.
 * @param args Its arguments.
 * @param options `cwd`; `env` (when given, the whole environment: nothing is inherited);
 *   `stdin` text to write (else stdin is closed).
 * @returns Exit code and decoded output.
 * @throws {Deno.errors.NotFound} when the program does not exist.
 */
export async function runCommand(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.env !== undefined,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
