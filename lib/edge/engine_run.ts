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
import { kill, SIGNAL_NUMBERS, spawn, takeSignals } from "./spawn.ts";

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

/**
 * Pulls an image with docker's own progress, sent to stderr so that stdout
 * stays the container's. docker's stderr (its errors) is held back: shown
 * after a good pull, handed to the caller in the {@link PullError} of a bad one.
 *
 * @param engine The docker CLI.
 * @param image The reference to pull.
 * @param options Options of the pull before the reference (podman's `--tls-verify=false`).
 * @throws {PullError} when the pull fails.
 * @throws {EngineError} when the CLI is missing.
 */
export async function pullImage(
  engine: Engine,
  image: string,
  options: readonly string[] = [],
): Promise<void> {
  let child: Deno.ChildProcess;
  try {
    child = spawn(engine.program, {
      args: ["pull", ...options, image],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
  } catch (error) {
    throw cliMissing(engine, error);
  }
  const [, stderr, status] = await Promise.all([
    child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true }),
    new Response(child.stderr).text(),
    child.status,
  ]);
  if (!status.success) throw new PullError(image, status.code, stderr, cliName(engine));
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
 * Runs the docker CLI with inherited stdio and waits for it. SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT sent to run-docker go to the docker CLI (which passes
 * them to the container); if the container is still running
 * {@link KILL_AFTER_SECONDS} seconds after such a signal, it is killed, so it
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
    }, KILL_AFTER_SECONDS * 1000);
  });

  const status = await child.status;
  if (killTimer !== undefined) clearTimeout(killTimer);
  giveBack();
  // The container ignored the signal and run-docker killed it: the signal that arrived ended it.
  if (killed && arrived !== undefined) return 128 + (SIGNAL_NUMBERS[arrived] ?? 0);
  if (status.signal !== null) return 128 + (SIGNAL_NUMBERS[status.signal] ?? 0);
  return status.code;
}
