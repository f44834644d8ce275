/**
 * `deno task compile [--target TARGET] [--output PATH]`: the run-docker
 * binary, with the permission flags of `scripts/permissions.ts`.
 *
 * `deno compile` needs its `denort` base binary: `DENORT_BIN` when set, else
 * a download from dl.deno.land. Where that download is impossible, this says
 * so in one line and exits non-zero; it gives up after 5 minutes rather than hang.
 *
 * @module
 */

import { DENO_ENV, PERMISSION_FLAGS } from "./permissions.ts";

/** The five release targets. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/**
 * The `deno compile` command line and environment: {@link PERMISSION_FLAGS}, and
 * `DENO_TLS_CA_STORE=mozilla,system` ({@link DENO_ENV}), which deno bakes into the binary.
 *
 * @param target One of {@link TARGETS}, or undefined for this host.
 * @param output Path of the binary.
 * @returns deno's arguments and the variables added to its environment.
 */
export function compileCommand(
  target: string | undefined,
  output: string,
): { args: string[]; env: Record<string, string> } {
  const args = ["compile", "--quiet", ...PERMISSION_FLAGS, "--output", output];
  if (target) args.push("--target", target);
  args.push(`${ROOT}main.ts`);
  return { args, env: { ...DENO_ENV } };
}

/**
 * Compiles run-docker.
 *
 * @param target One of {@link TARGETS}, or undefined for this host.
 * @param output Path of the binary (`.exe` is added for Windows by deno).
 * @throws {Error} one line saying why, when `deno compile` fails or times out.
 */
export async function compile(target: string | undefined, output: string): Promise<void> {
  const { args, env } = compileCommand(target, output);
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output();
  if (result.success) return;
  const text = new TextDecoder().decode(result.stderr);
  if (result.signal !== null) {
    throw new Error(`deno compile${target ? ` for ${target}` : ""} took over 5 minutes; gave up`);
  }
  if (/denort|dl\.deno\.land|download/i.test(text) && !Deno.env.get("DENORT_BIN")) {
    throw new Error(
      `deno compile${
        target ? ` for ${target}` : ""
      } could not get its denort base binary (no access to dl.deno.land?); set DENORT_BIN`,
    );
  }
  // deno-lint-ignore no-control-regex -- strips colour codes
  const first = text.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").trim()).find((l) =>
    /error/i.test(l)
  );
  throw new Error(
    `deno compile${target ? ` for ${target}` : ""} failed: ${first ?? `exit ${result.code}`}`,
  );
}

if (import.meta.main) {
  const targetAt = Deno.args.indexOf("--target");
  const outputAt = Deno.args.indexOf("--output");
  const target = targetAt === -1 ? undefined : Deno.args[targetAt + 1];
  const output = outputAt === -1 ? `${ROOT}dist/run-docker` : Deno.args[outputAt + 1];
  try {
    await Deno.mkdir(`${ROOT}dist`, { recursive: true });
    await compile(target, output);
    console.log(`built ${output}`);
  } catch (error) {
    console.error(`compile: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
