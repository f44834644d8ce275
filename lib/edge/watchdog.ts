/**
 * Edge module: the watchdog that removes a run's container when run-docker
 * dies without cleaning up (SIGKILL, the OOM killer, a CI job timeout).
 *
 * The watchdog is run-docker itself in a hidden mode ({@link WATCHDOG_ARG}),
 * in its own session, deaf to SIGINT, SIGTERM and SIGHUP. Its stdin is a
 * pipe whose only writer is run-docker: a normal end writes one byte (the
 * watchdog leaves); any death of run-docker closes the pipe (the kernel does
 * it, even on SIGKILL), the watchdog reads end-of-file and removes the
 * container (`docker rm --force <id>`), or only stops it (`docker kill <id>`)
 * when the run keeps its container (`--rm=false`), or leaves it to docker's
 * restart policy (`--restart`). The container is found by the ID that
 * `docker run --cidfile` wrote, never by name, so another container of the
 * same name is never touched; nothing looks at process ids, so pid reuse
 * cannot fool it. Then it removes the cidfile's folder.
 *
 * @module
 */

import { ioReason } from "../core/errors.ts";
import { containerIdFrom } from "./engine_run.ts";
import { listenFor, spawn, STOP_SIGNALS } from "./spawn.ts";

/** Milliseconds a normal end waits for the watchdog to leave. */
const DONE_WAIT_MS = 3000;

/** The hidden first argument that makes run-docker the watchdog. */
export const WATCHDOG_ARG = "--run-docker-watchdog";

/**
 * What the watchdog does to the container when run-docker dies: `remove` it (a `--rm` run),
 * `stop` it and keep it (`--rm=false`), or `leave` it to docker's restart policy (`--restart`).
 */
export type WatchdogMode = "remove" | "stop" | "leave";

/** What the watchdog guards. */
export interface WatchdogTarget {
  /** The `docker run --cidfile` path, where the container's ID appears. */
  readonly cidfile: string;
  /** What to do to the container; see {@link WatchdogMode}. */
  readonly mode: WatchdogMode;
  /** A folder to remove at the end (run-docker's own cidfile folder); empty: none. */
  readonly folder: string;
  /** The container's name, only to show what the watchdog guards (`ps`). */
  readonly name: string;
}

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
 * no more than running the docker CLI, reading the cidfile and removing its
 * folder, so under deno it gets no more.
 */
function selfCommand(program: string, target: WatchdogTarget, args: string[]): [string, string[]] {
  const self = Deno.execPath();
  if (!/^deno(\.exe)?$/i.test(self.replace(/^.*[\\/]/, ""))) return [self, args];
  const only = (flag: string, value: string) => value.includes(",") ? flag : `${flag}=${value}`;
  const write = target.folder === "" ? [] : [only("--allow-write", target.folder)];
  const read = only("--allow-read", target.folder || target.cidfile);
  const permissions = [only("--allow-run", program), read, ...write];
  return [self, ["run", "--quiet", "--no-prompt", ...permissions, Deno.mainModule, ...args]];
}

/**
 * Starts the watchdog for a container, without waiting for it.
 *
 * @param program The docker CLI (a path, as resolved).
 * @param target See {@link WatchdogTarget}.
 * @param warn Prints one warning line (the watchdog could not start).
 * @returns The handle whose `done()` the run calls when it ends normally.
 */
export function startWatchdog(
  program: string,
  target: WatchdogTarget,
  warn: (message: string) => void,
): Watchdog {
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  const { cidfile, mode, folder, name } = target;
  let status: Promise<unknown> | undefined;
  try {
    const [command, args] = selfCommand(program, target, [
      WATCHDOG_ARG,
      program,
      cidfile,
      mode,
      folder,
      name,
    ]);
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
    status = child.status;
  } catch (error) {
    warn(
      `cannot start the watchdog that stops container ${name} if run-docker is killed: ${
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
      // It leaves at once on the byte; nothing of the run outlives it (a bound, in case).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        status,
        new Promise((resolve) => timer = setTimeout(resolve, DONE_WAIT_MS)),
      ]);
      clearTimeout(timer);
    },
  };
}

/**
 * The watchdog's own run: waits for run-docker's byte or end-of-file.
 *
 * @param args `[program, cidfile, mode, folder, name]`, as {@link startWatchdog} passes them.
 * @returns The exit code: 0 when run-docker ended normally or the container
 *   was dealt with, 1 when it could not be in time, 2 for wrong arguments.
 */
export async function runWatchdog(args: readonly string[]): Promise<number> {
  const [program, cidfile, mode, folder] = args;
  if (program === undefined || cidfile === undefined || folder === undefined) return 2;
  if (mode !== "remove" && mode !== "stop" && mode !== "leave") return 2;
  listenFor(STOP_SIGNALS, () => {});
  const byte = new Uint8Array(1);
  const read = await Deno.stdin.read(byte).catch(() => null);
  if (read === 1) return 0;
  try {
    if (mode === "leave") return 0;
    // run-docker died. The docker CLI it left may still be creating the container: try again.
    const deadline = Date.now() + REMOVE_WINDOW_MS;
    for (;;) {
      const id = containerIdFrom(cidfile);
      if (id !== undefined && await dealtWith(program, id, mode)) return 0;
      if (Date.now() >= deadline) return 1;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    try {
      if (folder !== "") Deno.removeSync(folder, { recursive: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/** One attempt: `true` once the container is removed (`remove`), or not running (`stop`). */
async function dealtWith(program: string, id: string, mode: "remove" | "stop"): Promise<boolean> {
  const docker = (...args: string[]) =>
    spawn(program, { args, stdin: "null", stdout: "piped", stderr: "null" }).output()
      .catch(() => undefined);
  if (mode === "remove") {
    // `docker rm --force` of no such container exits 0 too: it removed one when it says its ID.
    const output = await docker("rm", "--force", id);
    return output?.success === true && new TextDecoder().decode(output.stdout).trim() === id;
  }
  const state = await docker("inspect", "--format", "{{.State.Status}}", id);
  if (state === undefined) return false;
  if (!state.success) return true; // gone: nothing runs
  const status = new TextDecoder().decode(state.stdout).trim();
  // `created`: the docker CLI left behind is about to start it; kill it once it runs.
  if (status === "created") return false;
  if (status === "exited" || status === "dead" || status === "removing") return true;
  await docker("kill", id);
  return false;
}
