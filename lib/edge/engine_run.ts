/**
 * Edge module: the run itself, through the CLI: `docker pull` with docker's own progress,
 * `docker run` in the foreground with stop signals passed on, and the kill of a container
 * that would outlive run-docker.
 *
 * @module
 */

import { capture, cliMissing, cliName, type Engine } from "./engine.ts";
import { EngineError } from "../core/errors.ts";
import { capLength, stripControls } from "../core/printable.ts";
import { kill, SIGNAL_NUMBERS, spawn, spawnOntoStderr, takeSignals } from "./spawn.ts";

/** A failed `docker pull`: {@link EngineError} with docker's own last line as the reason. */
export class PullError extends EngineError {
  /** docker's last line on stderr (control characters removed, at most 300 characters). */
  readonly reason: string;
  /** Everything docker printed on stderr, for the caller to show when it does not fall back. */
  readonly stderr: string;

  /**
   * A failed `docker pull`.
   *
   * @param image The reference that failed.
   * @param code docker pull's exit code.
   * @param stderr docker pull's stderr.
   * @param cli The engine's name in messages: `docker` or `podman`.
   */
  constructor(image: string, code: number, stderr: string, cli = "docker") {
    super(
      `${cli} pull ${image} failed (exit ${code})`,
      `check the registry login (${cli} login) and the network, or run with --local`,
    );
    const last = stderr.trim().split("\n").at(-1) ?? "";
    this.reason = capLength(stripControls(last), 300) || `exit ${code}`;
    this.stderr = stderr;
  }
}

/** How a pull shows itself on stderr. */
export type PullOutput =
  /** docker's per-layer progress: docker's stdout is run-docker's stderr (a terminal). */
  | "progress"
  /** docker's short summary (`Pulling from`, `Digest`, `Status`), copied to stderr. */
  | "summary"
  /** Nothing (docker's `-q`/`--quiet`): only a failure is shown. */
  | "quiet";

/**
 * Pulls an image, its output on stderr so that stdout stays the container's. docker's stderr
 * (its errors) is held back: shown after a good pull, handed to the caller in the
 * {@link PullError} of a bad one.
 *
 * @param engine The docker CLI.
 * @param image The reference to pull.
 * @param options Options of the pull before the reference (podman's `--tls-verify=false`).
 * @param output See {@link PullOutput}; default `summary`.
 * @throws {PullError} when the pull fails.
 * @throws {EngineError} when the CLI is missing.
 */
export async function pullImage(
  engine: Engine,
  image: string,
  options: readonly string[] = [],
  output: PullOutput = "summary",
): Promise<void> {
  const args = ["pull", ...options, ...(output === "quiet" ? ["--quiet"] : []), image];
  let code: number;
  let stderr: string;
  try {
    if (output === "progress") {
      ({ code, stderr } = await spawnOntoStderr(engine.program, args));
    } else {
      const stdout = output === "quiet" ? "null" : "piped";
      const child = spawn(engine.program, { args, stdin: "null", stdout, stderr: "piped" });
      const [, text, status] = await Promise.all([
        // (`child.stdout` throws when it is not piped)
        stdout === "null"
          ? undefined
          : child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true }),
        new Response(child.stderr).text(),
        child.status,
      ]);
      code = status.code;
      stderr = text;
    }
  } catch (error) {
    throw cliMissing(engine, error);
  }
  if (code !== 0) throw new PullError(image, code, stderr, cliName(engine));
  if (stderr !== "") await Deno.stderr.write(new TextEncoder().encode(stderr));
}

/**
 * The container ID that `docker run --cidfile FILE` wrote: the docker CLI
 * writes it once the container is created (and removes the file when the
 * create fails), so an ID here is the container of this run, never another
 * one of the same name.
 *
 * @param cidfile The `--cidfile` path.
 * @returns The 64-hex ID, or `undefined` when no container was created (yet).
 */
export function containerIdFrom(cidfile: string): string | undefined {
  try {
    const id = Deno.readTextFileSync(cidfile).trim();
    return /^[0-9a-f]{64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops this run's container if it still runs: after the docker CLI ended
 * without the container's own exit code (a broken pipe, a crash), the
 * container must not outlive run-docker. Only the container whose ID the
 * run's cidfile holds is touched.
 *
 * @param engine The docker CLI.
 * @param cidfile The run's `--cidfile` path; no ID in it: nothing to do.
 */
export async function killIfRunning(engine: Engine, cidfile: string): Promise<void> {
  const id = containerIdFrom(cidfile);
  if (id !== undefined) await capture(engine, ["kill", id]).catch(() => undefined);
}

/** Seconds between a forwarded stop signal and `docker kill`, as docker stop's default. */
const KILL_AFTER_SECONDS = 10;

/**
 * Seconds after stop signal `signal` before the container is killed: {@link KILL_AFTER_SECONDS},
 * except when a Windows console closes (`SIGHUP` there): Windows ends the process about 5 s
 * later, so the kill goes out at once or never.
 *
 * @param signal The stop signal that arrived.
 * @param os `Deno.build.os`.
 * @returns Seconds, 0 or {@link KILL_AFTER_SECONDS}.
 */
export function killAfterSeconds(signal: Deno.Signal, os: string): number {
  return os === "windows" && signal === "SIGHUP" ? 0 : KILL_AFTER_SECONDS;
}

/**
 * Runs the docker CLI with inherited stdio and waits for it. The stop signals
 * (`STOP_SIGNALS`: SIGINT, SIGTERM, SIGHUP and SIGQUIT; on Windows also Ctrl+Break) sent to
 * run-docker go to the docker CLI (which passes them to the container; on Windows the console
 * event reaches docker.exe itself); if the container is still running
 * {@link killAfterSeconds} seconds after such a signal, it is killed, so it
 * never outlives run-docker.
 *
 * @param engine The docker CLI.
 * @param args The argv after `docker`.
 * @param options `env`: variables added to the CLI's environment;
 *   `cidfile`: where the CLI writes the container's ID, for the kill (absent: no kill);
 *   `stdinIsTty`: a SIGINT from the terminal already reached the CLI (same
 *   process group), so it is not sent twice.
 * @returns The CLI's exit code, which is the container's; 128+N when the CLI died of signal N,
 *   or when run-docker killed the container N seconds after stop signal N arrived.
 * @throws {EngineError} when the CLI is missing or not executable.
 */
export async function runForeground(
  engine: Engine,
  args: string[],
  options: { env?: Record<string, string>; cidfile?: string; stdinIsTty: boolean },
): Promise<number> {
  let child: Deno.ChildProcess;
  try {
    child = spawn(engine.program, {
      args,
      env: options.env,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    });
  } catch (error) {
    throw cliMissing(engine, error);
  }

  let killTimer: ReturnType<typeof setTimeout> | undefined;
  let arrived: Deno.Signal | undefined;
  let killed = false;
  const giveBack = takeSignals((signal) => {
    if (!(signal === "SIGINT" && options.stdinIsTty)) kill(child, signal);
    arrived ??= signal;
    const cidfile = options.cidfile;
    if (cidfile === undefined) return;
    killTimer ??= setTimeout(() => {
      killed = true;
      killIfRunning(engine, cidfile);
    }, killAfterSeconds(signal, Deno.build.os) * 1000);
  });

  const status = await child.status;
  if (killTimer !== undefined) clearTimeout(killTimer);
  giveBack();
  // The container ignored the signal and run-docker killed it: the signal that arrived ended it.
  if (killed && arrived !== undefined) return 128 + (SIGNAL_NUMBERS[arrived] ?? 0);
  if (status.signal !== null) return 128 + (SIGNAL_NUMBERS[status.signal] ?? 0);
  return status.code;
}
