/**
 * Shared pieces of the end-to-end tests: the engine check, the program
 * under test (the bundle with the binary's permission flags, or
 * `RUN_DOCKER_BIN`), and running it in a temp HOME.
 *
 * @module
 */

import { runDockerCommand } from "../scripts/permissions.ts";
import { type CommandResult, runCommand } from "../scripts/run_command.ts";

export const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
export const decoder = new TextDecoder();

export type Result = CommandResult;

/** Runs the docker CLI (at DOCKER_HOST) and captures its output. */
export function docker(...args: string[]): Promise<Result> {
  return runCommand("docker", args);
}

export async function engineReachable(): Promise<string | undefined> {
  try {
    const result = await docker("version", "--format", "{{.Server.Version}}");
    return result.code === 0 ? undefined : result.stderr.trim() || `exit ${result.code}`;
  } catch (error) {
    return `docker CLI: ${error instanceof Error ? error.message : error}`;
  }
}

export const unreachable = await engineReachable();
export const inCI = Deno.env.get("CI") === "true";
if (unreachable !== undefined && !inCI) {
  console.error(`end-to-end tests ignored: no engine (${unreachable}); scripts/test.sh starts one`);
}
/** `RUN_DOCKER_E2E=skip` (deno task test:unit) leaves the engine alone even when there is one. */
export const ignore = Deno.env.get("RUN_DOCKER_E2E") === "skip" ||
  (unreachable !== undefined && !inCI);

/** The program to run: `RUN_DOCKER_BIN`, else the bundle with the binary's permissions. */
export const program = runDockerCommand;

export interface RunOptions {
  home: string;
  stdin?: string;
  env?: Record<string, string>;
}

export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    DENO_NO_UPDATE_CHECK: "1",
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    TZ: "UTC",
  };
  const host = Deno.env.get("DOCKER_HOST");
  if (host) env.DOCKER_HOST = host;
  return { ...env, ...extra };
}

/**
 * Starts run-docker in a temp HOME with stdout piped (stdin closed), for tests
 * that talk to it while it runs.
 */
export function spawnRunDocker(
  args: string[],
  home: string,
  stderr: "piped" | "null" = "piped",
  env: Record<string, string> = {},
): Deno.ChildProcess {
  const [cmd, argv] = program(args);
  return new Deno.Command(cmd, {
    args: argv,
    clearEnv: true,
    env: baseEnv(home, env),
    stdin: "null",
    stdout: "piped",
    stderr,
  }).spawn();
}

export async function runDocker(args: string[], options: RunOptions): Promise<Result> {
  const [cmd, argv] = program(args);
  return await runCommand(cmd, argv, {
    env: baseEnv(options.home, options.env),
    stdin: options.stdin,
  });
}

export async function withHome(name: string, fn: (home: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "run-docker-e2e-" });
  const home = `${base}/${name}`;
  await Deno.mkdir(home);
  try {
    await fn(home);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

export function e2e(name: string, fn: () => Promise<void>) {
  Deno.test({ name: `e2e: ${name}`, ignore, fn });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
