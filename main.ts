/**
 * run-docker: runs a project's Docker image the right way.
 *
 * The entry point. The program itself is `lib/edge/app.ts`, loaded here only
 * when this process is not the watchdog (`lib/edge/watchdog.ts`), which then
 * loads nothing else.
 *
 * @module
 */

import { runWatchdog, WATCHDOG_ARG } from "./lib/edge/watchdog.ts";

/**
 * Runs run-docker.
 *
 * @param argv The arguments after the program name.
 * @returns The exit code: the container's, 0 for what only prints (`--help`, `--dry-run`,
 *   `--emit` …), 125 for run-docker's own failures.
 * @throws What `lib/edge/app.ts`'s `main` throws (see `runEntry` there for the report).
 */
export async function main(argv: readonly string[]): Promise<number> {
  return await (await import("./lib/edge/app.ts")).main(argv);
}

if (import.meta.main) {
  if (Deno.args[0] === WATCHDOG_ARG) Deno.exit(await runWatchdog(Deno.args.slice(1)));
  Deno.exit(await (await import("./lib/edge/app.ts")).runEntry(Deno.args));
}
