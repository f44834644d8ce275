/**
 * Edge module: the one spawner. Every child process run-docker starts is
 * started here (as an argv array, no shell) and kept in a set of live
 * children, so that none outlives run-docker: once {@link handleStopSignals}
 * has run, SIGINT, SIGTERM, SIGHUP and SIGQUIT stop every live child and end
 * run-docker with 128+N, unless a foreground child (the `docker run` CLI)
 * takes the signal over (see {@link takeSignals}).
 *
 * The only child meant to outlive run-docker is the watchdog
 * (`lib/watchdog.ts`), spawned with `outlives: true`.
 *
 * @module
 */

/** Signal numbers for the 128+N exit code: the same on Linux and macOS, plus each one's own. */
export const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  ...(Deno.build.os === "darwin"
    ? { SIGBUS: 10, SIGUSR1: 30, SIGUSR2: 31, SIGCHLD: 20, SIGSTOP: 17, SIGTSTP: 18, SIGCONT: 19 }
    : { SIGBUS: 7, SIGUSR1: 10, SIGUSR2: 12, SIGCHLD: 17, SIGSTOP: 19, SIGTSTP: 20, SIGCONT: 18 }),
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  /** Windows' Ctrl+Break (its `signal.h` number). */
  SIGBREAK: 21,
};

/**
 * The signals that stop run-docker on a host OS. Windows: Ctrl+C (`SIGINT`), Ctrl+Break
 * (`SIGBREAK`), the console closing or the user logging off (`SIGHUP`, emulated by Deno) and
 * `SIGTERM` (Deno 2.7.6 and later); elsewhere SIGINT, SIGTERM, SIGHUP and SIGQUIT.
 *
 * @param os `Deno.build.os`.
 * @returns The signals, in the order listeners are added.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stopSignals } from "./spawn.ts";
 * assert.deepEqual(stopSignals("windows"), ["SIGINT", "SIGBREAK", "SIGHUP", "SIGTERM"]);
 * ```
 */
export function stopSignals(os: string): readonly Deno.Signal[] {
  return os === "windows"
    ? ["SIGINT", "SIGBREAK", "SIGHUP", "SIGTERM"]
    : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
}

/** The signals that stop run-docker on this host ({@link stopSignals}). */
export const STOP_SIGNALS: readonly Deno.Signal[] = stopSignals(Deno.build.os);

/**
 * Adds `listener` for each signal this Deno can listen for; one it cannot (an older Deno on
 * Windows without SIGTERM) is left out rather than failing the run.
 *
 * @param signals e.g. {@link STOP_SIGNALS}.
 * @param listener Called with the signal that arrived.
 */
export function listenFor(
  signals: readonly Deno.Signal[],
  listener: (signal: Deno.Signal) => void,
): void {
  for (const signal of signals) {
    try {
      Deno.addSignalListener(signal, () => listener(signal));
    } catch {
      // not supported on this OS by this Deno
    }
  }
}

/** Milliseconds children get to end after a stop signal before they are killed. */
const STOP_GRACE_MS = 3000;

/** What stopping a child needs: `Deno.ChildProcess` has it, and so does {@link spawnOntoStderr}'s. */
export interface Stoppable {
  /** The process id. */
  readonly pid: number;
  /** Sends it a signal. */
  kill(signal: Deno.Signal): void;
  /** Settles when it has ended. */
  readonly status: Promise<unknown>;
}

const live = new Set<Stoppable>();
/** Live children started in their own process group: a stop signals the whole group. */
const groups = new Set<Deno.ChildProcess>();
const cleanups = new Set<() => void>();
let takeover: ((signal: Deno.Signal) => void) | undefined;
let installed = false;
let stopping: Promise<void> | undefined;

/**
 * Starts a child process and keeps it in the live set until it ends.
 *
 * @param program Program name (PATH lookup) or path.
 * @param options As for `Deno.Command`; `outlives: true` keeps the child out
 *   of the live set (it is not stopped with run-docker).
 * @returns The running child.
 * @throws {Deno.errors.NotFound} when the program does not exist (and what `Deno.Command` throws).
 */
export function spawn(
  program: string,
  options: Deno.CommandOptions & { outlives?: boolean },
): Deno.ChildProcess {
  const { outlives, ...commandOptions } = options;
  const child = new Deno.Command(program, commandOptions).spawn();
  if (!outlives) {
    live.add(child);
    child.status.finally(() => live.delete(child));
  }
  return child;
}

/**
 * From now on SIGINT, SIGTERM, SIGHUP and SIGQUIT stop every live child
 * (the signal, then SIGKILL after {@link STOP_GRACE_MS}) and end run-docker
 * with 128+N. Call it before the first child starts; calling again does nothing.
 */
export function handleStopSignals(): void {
  if (installed) return;
  installed = true;
  listenFor(STOP_SIGNALS, (signal) => {
    if (takeover !== undefined) takeover(signal);
    else if (stopping === undefined) stopping = stopAll(signal);
    else stopNow(signal);
  });
}

/**
 * Lets `handler` have the stop signals instead of the default stop-all, for
 * a foreground child that forwards them itself (the `docker run` CLI, which
 * passes them to the container and ends with its exit code).
 *
 * @param handler Called with each stop signal.
 * @returns A function that gives the signals back.
 */
export function takeSignals(handler: (signal: Deno.Signal) => void): () => void {
  handleStopSignals();
  takeover = handler;
  return () => {
    if (takeover === handler) takeover = undefined;
  };
}

/**
 * The stop under way after a stop signal, if any: it ends run-docker
 * (`Deno.exit`) once the children are gone, so the caller awaits it instead
 * of reporting what the stopped children did (a failed pull).
 *
 * @returns A promise that never resolves in practice, or `undefined` when no stop is under way.
 */
export function stopUnderWay(): Promise<void> | undefined {
  return stopping;
}

/**
 * Runs `cleanup` when a stop signal ends run-docker: after the live children
 * are gone (or killed), just before the exit with 128+N. It must be
 * synchronous (the exit follows at once) and must not throw. Installs the
 * stop handling ({@link handleStopSignals}) if it is not yet.
 *
 * @param cleanup What to undo, e.g. remove a staging folder.
 * @returns A function that forgets `cleanup` (call it once the work is done).
 */
export function onStop(cleanup: () => void): () => void {
  handleStopSignals();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** A second signal: no more waiting. */
function stopNow(signal: Deno.Signal): never {
  for (const child of new Set([...live, ...groups])) kill(child, "SIGKILL");
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // the exit comes anyway
    }
  }
  cleanups.clear();
  Deno.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
}

async function stopAll(signal: Deno.Signal): Promise<void> {
  // A group outlives its leader's exit while run-docker still reads its pipes: signal it too.
  const children = [...new Set([...live, ...groups])];
  for (const child of children) kill(child, signal);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise((resolve) => timer = setTimeout(resolve, STOP_GRACE_MS));
  await Promise.race([Promise.allSettled(children.map((c) => c.status)), grace]);
  clearTimeout(timer);
  stopNow(signal);
}

/**
 * Sends a signal to a child, ignoring one that has already ended.
 *
 * @param child The child (as {@link spawn} returns it).
 * @param signal The signal.
 */
export function kill(child: Stoppable, signal: Deno.Signal): void {
  try {
    if (groups.has(child as Deno.ChildProcess)) Deno.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/** How a child of {@link spawnOntoStderr} ended. */
export interface StderrRun {
  /** The exit code; 128+N when it died of signal N. */
  readonly code: number;
  /** What it wrote on its own stderr (collected, for the caller to show or not). */
  readonly stderr: string;
}

/**
 * Runs a child whose stdout is run-docker's stderr, so that a terminal there is the child's
 * terminal (`docker pull` shows its per-layer progress only on one), and run-docker's stdout
 * stays free. Its stderr is collected; stdin is closed. `Deno.Command` cannot hand a child
 * another descriptor, so this one child goes through `node:child_process` (loaded here only).
 *
 * @param program Program name (PATH lookup) or path.
 * @param args Its arguments.
 * @returns How it ended, and its stderr.
 * @throws {Deno.errors.NotFound} when the program does not exist.
 */
export async function spawnOntoStderr(program: string, args: string[]): Promise<StderrRun> {
  const { spawn: nodeSpawn } = await import("node:child_process");
  const child = nodeSpawn(program, args, { stdio: ["ignore", 2, "pipe"] });
  const chunks: Uint8Array[] = [];
  child.stderr!.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  const stoppable: Stoppable = {
    pid: child.pid ?? 0,
    kill: (signal) => child.kill(signal as NodeJS.Signals),
    status: ended.catch(() => undefined),
  };
  live.add(stoppable);
  try {
    const { code, signal } = await ended.catch((error) => {
      if ((error as { code?: string }).code === "ENOENT") {
        throw new Deno.errors.NotFound(`${program}: not found`);
      }
      throw error;
    });
    const stderr = new TextDecoder().decode(
      chunks.length === 1 ? chunks[0] : new Uint8Array(chunks.flatMap((c) => [...c])),
    );
    return { code: signal !== null ? 128 + (SIGNAL_NUMBERS[signal] ?? 0) : code ?? 0, stderr };
  } finally {
    live.delete(stoppable);
  }
}

/** What {@link runCaptured} hands back. */
export interface CapturedRun {
  /** The exit code (128+N after signal N; 137 after the timeout's SIGKILL). */
  readonly code: number;
  /** Everything the child wrote to stdout before it ended (or the timeout). */
  readonly stdout: string;
  /** Everything the child wrote to stderr before it ended (or the timeout). */
  readonly stderr: string;
  /** True when the time ran out: the child's whole process group was killed. */
  readonly timedOut: boolean;
}

/**
 * Runs a short-lived helper program (a credential helper) with `input` on
 * stdin and collects its output, bounded in time: the child starts in its
 * own process group (a new session), so that on timeout, or when a stop
 * signal ends run-docker, the whole group is killed, grandchildren that hold
 * the pipes open included, and nothing waits on those pipes any longer.
 *
 * @param program Program name (PATH lookup) or path.
 * @param options `args`; `input`, written to stdin, which is then closed;
 *   `timeoutMs`, milliseconds the helper, its stdin, stdout and stderr may take.
 * @returns The exit code and output; `timedOut` when the time ran out.
 * @throws {Deno.errors.NotFound} when the program does not exist (and what `Deno.Command` throws).
 */
export async function runCaptured(
  program: string,
  options: { args: string[]; input: string; timeoutMs: number },
): Promise<CapturedRun> {
  const child = spawn(program, {
    args: options.args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  });
  groups.add(child);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<true>((resolve) => timer = setTimeout(resolve, options.timeoutMs, true));
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const writer = child.stdin.getWriter();
  const fed = writer.write(new TextEncoder().encode(options.input))
    .then(() => writer.close())
    // The helper ended without reading (a broken pipe): its exit code says why.
    .catch(() => {});
  try {
    const all = Promise.all([child.status, stdout.text, stderr.text, fed]).then(() => false);
    const timedOut = await Promise.race([all, late]);
    if (timedOut) {
      kill(child, "SIGKILL");
      await Promise.all([stdout.cancel(), stderr.cancel(), writer.abort().catch(() => {})]);
    }
    return {
      code: (await child.status).code,
      stdout: await stdout.text,
      stderr: await stderr.text,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
    groups.delete(child);
  }
}

/** Reads a stream to text, or what came until `cancel()`. */
function collect(stream: ReadableStream<Uint8Array>): {
  text: Promise<string>;
  cancel(): Promise<void>;
} {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  const text = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
      }
    } catch {
      // cancelled or broken: keep what came
    }
    const decoder = new TextDecoder();
    return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
  })();
  return { text, cancel: () => reader.cancel().catch(() => {}) };
}
