/**
 * Edge module: the watchdog that removes a run's container when run-docker
 * dies without cleaning up (SIGKILL, the OOM killer, a CI job timeout).
 *
 * The watchdog is run-docker itself in a hidden mode ({@link WATCHDOG_ARG}),
 * in its own session, deaf to SIGINT, SIGTERM and SIGHUP. Its stdin is a
 * pipe whose only writer is run-docker: a normal end writes one byte (the
 * watchdog leaves); any death of run-docker closes the pipe (the kernel does
 * it, even on SIGKILL), the watchdog reads end-of-file and runs
 * `docker rm --force <name>`. Nothing looks at process ids, so pid reuse
 * cannot fool it.
 *
 * @module
 */

import { ioReason } from "../core/errors.ts";
import { spawn, STOP_SIGNALS } from "./spawn.ts";

/** The hidden first argument that makes run-docker the watchdog. */
export const WATCHDOG_ARG = "--run-docker-watchdog";

/** Milliseconds the watchdog keeps trying to remove a container not (yet) created. */
const REMOVE_WINDOW_MS = 10_000;

/** What {@link startWatchdog} hands back. */
export interface Watchdog {
  /** The run ended the normal way: the watchdog leaves without removing anything. */
  done(): Promise<void>;
}

/**
 * The command that starts this program again with `args`: the compiled
 * binary as it is, or deno with the same main module. The watchdog needs
 * no more than running the docker CLI, so under deno it gets no more.
 */
function selfCommand(program: string, args: string[]): [string, string[]] {
  const self = Deno.execPath();
  if (!/^deno(\.exe)?$/i.test(self.replace(/^.*[\\/]/, ""))) return [self, args];
  const allowRun = program.includes(",") ? "--allow-run" : `--allow-run=${program}`;
  return [self, ["run", "--quiet", "--no-prompt", allowRun, Deno.mainModule, ...args]];
}

/**
 * Starts the watchdog for a container, without waiting for it.
 *
 * @param program The docker CLI (a path, as resolved).
 * @param name The container's name.
 * @param warn Prints one warning line (the watchdog could not start).
 * @returns The handle whose `done()` the run calls when it ends normally.
 */
export function startWatchdog(
  program: string,
  name: string,
  warn: (message: string) => void,
): Watchdog {
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  try {
    const [command, args] = selfCommand(program, [WATCHDOG_ARG, program, name]);
    const child = spawn(command, {
      args,
      stdin: "piped",
      stdout: "null",
      stderr: "null",
      detached: true,
      outlives: true,
    });
    child.unref();
    writer = child.stdin.getWriter();
  } catch (error) {
    warn(
      `cannot start the watchdog that removes container ${name} if run-docker is killed: ${
        ioReason(error)
      }`,
    );
  }
  return {
    async done() {
      try {
        await writer?.write(new Uint8Array([1]));
        await writer?.close();
      } catch {
        // the watchdog is gone already: nothing to tell it
      }
    },
  };
}

/**
 * The watchdog's own run: waits for run-docker's byte or end-of-file.
 *
 * @param args `[program, name]`: the docker CLI and the container's name.
 * @returns The exit code: 0 when run-docker ended normally or the container
 *   was removed, 1 when it could not be removed in time.
 */
export async function runWatchdog(args: readonly string[]): Promise<number> {
  const [program, name] = args;
  if (program === undefined || name === undefined) return 2;
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, () => {});
  const byte = new Uint8Array(1);
  const read = await Deno.stdin.read(byte).catch(() => null);
  if (read === 1) return 0;
  // run-docker died. The docker CLI it left may still be creating the container: try again.
  const deadline = Date.now() + REMOVE_WINDOW_MS;
  for (;;) {
    const output = await spawn(program, {
      args: ["rm", "--force", name],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output().catch(() => undefined);
    // `docker rm --force` of no such container exits 0 too: it removed one when it says its name.
    if (output?.success && new TextDecoder().decode(output.stdout).trim() === name) return 0;
    if (Date.now() >= deadline) return 1;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
