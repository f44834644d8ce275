/**
 * Edge module: the engine, through the docker CLI. Every docker CLI run-docker
 * starts is started here, through the one spawner (`lib/spawn.ts`), as an
 * argv array (no shell).
 *
 * @module
 */

import { DEFAULT_ENGINE, type EngineKind } from "../core/engine_kind.ts";
import { EngineError } from "../core/errors.ts";
import { capLength, stripControls } from "../core/printable.ts";
import { dockerConfigDir } from "../core/platform_paths.ts";
import { platformHints } from "../core/platform_hints.ts";

/** This host's hints (Linux: systemctl, the docker group; macOS: Docker Desktop, Colima …). */
const HINTS = platformHints(Deno.build.os);
import { kill, SIGNAL_NUMBERS, spawn, spawnOntoStderr, takeSignals } from "./spawn.ts";

/** Which docker CLI to run and how. */
export interface Engine {
  /** Program name or path: `RUN_DOCKER_ENGINE`, else `docker` from PATH. */
  readonly program: string;
  /** `DOCKER_HOST` as set, else the docker context's endpoint (see {@link locateEndpoint}). */
  readonly endpoint?: string;
  /** The docker context in use when it is not `default`, and where it was chosen. */
  readonly context?: { readonly name: string; readonly from: "DOCKER_CONTEXT" | "config.json" };
  /**
   * Whether the engine is reached over the network (`tcp://`, `ssh://`, …), not a local
   * socket: then bind-mount sources are paths on the engine's host.
   */
  readonly remote?: boolean;
  /** What the CLI says it is (`identifyEngine`, lib/edge/engine_kind.ts); absent: docker. */
  readonly kind?: EngineKind;
  /**
   * Seconds a captured docker CLI call (listing images, diagnosing) may take
   * before it is killed and reported; default {@link CAPTURE_TIMEOUT_SECONDS}.
   */
  readonly timeoutSeconds?: number;
}

/**
 * Picks the docker CLI.
 *
 * @param program The configured `engine` (file, `RUN_DOCKER_ENGINE`, `RUN_DOCKER_ENGINE`, as the
 *   configuration merged them): `auto`, `docker`, `podman` or a path; `undefined` or empty:
 *   `auto` (see `identifyEngine` in lib/edge/engine_kind.ts).
 * @param env `DOCKER_HOST`, for messages.
 * @returns The engine to use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { engineFrom } from "./engine.ts";
 * assert.deepEqual(engineFrom(undefined, {}), { program: "auto", endpoint: undefined });
 * assert.equal(engineFrom("/opt/bin/docker", {}).program, "/opt/bin/docker");
 * ```
 */
export function engineFrom(
  program: string | undefined,
  env: { readonly DOCKER_HOST?: string },
): Engine {
  return { program: program || DEFAULT_ENGINE, endpoint: env.DOCKER_HOST || undefined };
}

/**
 * Resolves the docker CLI to a path before anything else happens, so a
 * missing CLI is reported before run-docker creates a directory.
 *
 * @param engine The engine whose `program` to look up.
 * @param env `PATH` (and `PATHEXT` on Windows).
 * @param os `Deno.build.os`.
 * @returns The engine with `program` as found (a path given with a separator is kept).
 * @throws {EngineError} when the program is not on PATH.
 */
export function resolveEngine(
  engine: Engine,
  env: { PATH?: string; PATHEXT?: string },
  os: string,
): Engine {
  const found = findProgram(engine.program, env, os);
  if (found === undefined) throw cliMissing(engine, new Deno.errors.NotFound(engine.program));
  return { ...engine, program: found };
}

/**
 * Looks a program up as a shell would: a name on PATH (with PATHEXT's extensions on Windows),
 * a path with a separator as it is. Only `stat` calls, no child.
 *
 * @param program A name (`nvidia-smi`) or a path.
 * @param env `PATH` (and `PATHEXT` on Windows).
 * @param os `Deno.build.os`.
 * @returns The path of the first executable file found; `undefined` when there is none.
 */
export function findProgram(
  program: string,
  env: { PATH?: string; PATHEXT?: string },
  os: string,
): string | undefined {
  const separators = os === "windows" ? /[\\/]/ : /\//;
  const candidates: string[] = [];
  const extensions = os === "windows"
    ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").map((e) => e.toLowerCase())]
    : [""];
  if (separators.test(program)) {
    candidates.push(...extensions.map((ext) => program + ext));
  } else {
    for (const dir of (env.PATH ?? "").split(os === "windows" ? ";" : ":")) {
      if (dir === "") continue;
      for (const ext of extensions) candidates.push(`${dir}/${program}${ext}`);
    }
  }
  for (const candidate of candidates) {
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && (os === "windows" || ((info.mode ?? 0o111) & 0o111) !== 0)) {
        return candidate;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Seconds a captured docker CLI call (listing images, diagnosing) may take by default. */
export const CAPTURE_TIMEOUT_SECONDS = 30;

/** Result of a captured docker CLI call. */
export interface Captured {
  /** The CLI's exit code. */
  code: number;
  /** What it printed on stdout. */
  stdout: string;
  /** What it printed on stderr. */
  stderr: string;
}

/**
 * Runs a short docker CLI call and collects its output, bounded by the engine's timeout.
 *
 * @param engine The docker CLI.
 * @param args The argv after the program.
 * @returns `{ code, stdout, stderr }` (text).
 * @throws {EngineError} when the CLI is missing, not executable, or does not answer in time.
 */
export async function capture(engine: Engine, args: string[]): Promise<Captured> {
  const output = await captureBytes(engine, args);
  return { ...output, stdout: new TextDecoder().decode(output.stdout) };
}

/**
 * Runs the docker CLI to its end through the one spawner, with the engine's timeout.
 *
 * @param engine The engine.
 * @param args The CLI's arguments (`["image", "inspect", …]`).
 * @param limit The most bytes of stdout to take (e.g. an image's file, whose size the image
 *   chooses); past it the CLI is killed and `overflow` is set. Absent: no limit.
 * @returns The exit code, stdout as bytes (e.g. `docker cp`'s tar stream) and stderr as text;
 *   `overflow` when stdout went past `limit` (`stdout` then holds what came before it).
 * @throws {EngineError} when the CLI is missing, not executable, or does not answer in time.
 */
export async function captureBytes(
  engine: Engine,
  args: string[],
  limit = Infinity,
): Promise<{ code: number; stdout: Uint8Array; stderr: string; overflow?: true }> {
  const seconds = engine.timeoutSeconds ?? CAPTURE_TIMEOUT_SECONDS;
  const signal = AbortSignal.timeout(seconds * 1000);
  let child: Deno.ChildProcess;
  try {
    child = spawn(engine.program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    });
  } catch (error) {
    throw cliMissing(engine, error);
  }
  const stderr = new Response(child.stderr).text().catch(() => "");
  const chunks: Uint8Array[] = [];
  let size = 0;
  let overflow = false;
  const reader = child.stdout.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.length;
      if (size > limit) {
        overflow = true;
        kill(child, "SIGKILL");
        await reader.cancel().catch(() => {});
        break;
      }
      chunks.push(r.value);
    }
  } catch {
    // the stream broke (the timeout killed the CLI): keep what came
  }
  const status = await child.status;
  if (signal.aborted) {
    throw new EngineError(
      `the docker CLI did not answer in ${seconds} s (docker ${args.slice(0, 2).join(" ")})`,
      "check that the engine is healthy: docker info",
    );
  }
  const stdout = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    stdout.set(chunk, at);
    at += chunk.length;
  }
  return {
    code: status.code,
    stdout,
    stderr: await stderr,
    ...(overflow ? { overflow: true as const } : {}),
  };
}

function cliMissing(engine: Engine, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new EngineError(
      `docker CLI not found: ${JSON.stringify(engine.program)}`,
      `${HINTS.installDocker}, or set RUN_DOCKER_ENGINE to the docker CLI's path`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new EngineError(
      `docker CLI not executable: ${JSON.stringify(engine.program)}`,
      "check the file's permissions, or set RUN_DOCKER_ENGINE to another docker CLI",
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

function unreachable(engine: Engine): EngineError {
  const context = engine.context;
  if (context !== undefined) {
    const switchBack = context.from === "DOCKER_CONTEXT"
      ? "unset DOCKER_CONTEXT"
      : "switch with 'docker context use default'";
    return new EngineError(
      `cannot connect to the Docker engine ${engineWhere(engine)}`,
      `start the engine there, check the context ('docker context inspect ${context.name}'), or ${switchBack}`,
    );
  }
  const where = engine.endpoint === undefined
    ? "at the default endpoint (docker context)"
    : engineWhere(engine);
  return new EngineError(
    `cannot connect to the Docker engine ${where}`,
    `${HINTS.startEngine}, or check DOCKER_HOST and 'docker context ls'`,
  );
}

const UNREACHABLE =
  /Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|permission denied while trying to connect/i;

/**
 * The error for a failed docker CLI call: the engine unreachable or refusing us, else docker's
 * first line.
 *
 * @param engine The engine.
 * @param what What failed, e.g. `listing local images`.
 * @param result The captured call.
 * @returns The error to throw.
 */
export function failure(engine: Engine, what: string, result: Captured): EngineError {
  if (UNREACHABLE.test(result.stderr)) {
    if (/permission denied/i.test(result.stderr)) {
      return new EngineError(
        `permission denied on the Docker engine's socket${
          engine.endpoint ? ` (${engine.endpoint})` : ""
        }`,
        HINTS.socketDenied,
      );
    }
    return unreachable(engine);
  }
  const firstLine = result.stderr.trim().split("\n")[0] || `exit code ${result.code}`;
  return new EngineError(
    `${what} failed: ${firstLine}`,
    "check that the engine works: docker info",
  );
}

/**
 * How messages name the engine's CLI.
 *
 * @param engine The engine.
 * @returns `docker` or `podman`.
 */
export function cliName(engine: Engine): string {
  return engine.kind?.kind ?? "docker";
}

/**
 * The tags of a repository's local images.
 *
 * @param engine The docker CLI.
 * @param repository The familiar name (`ubuntu`, `acme/app`, `localhost:5000/a`).
 * @returns The tags, in the engine's order; `<none>` (dangling) left out.
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function listLocalTags(engine: Engine, repository: string): Promise<string[]> {
  return (await listRepositoryImages(engine, repository)).map((image) => image.tag);
}

/**
 * The tags of a repository's local images, each with its image ID (`user: auto` keys its cache
 * by it, so a run needs no `image inspect` of its own).
 *
 * @param engine The docker CLI.
 * @param repository The familiar name (`ubuntu`, `acme/app`, `localhost:5000/a`).
 * @returns `{ tag, id }` in the engine's order, `id` as the engine prints it untruncated
 *   (`sha256:<64 hex>`); `<none>` (dangling) left out.
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function listRepositoryImages(
  engine: Engine,
  repository: string,
): Promise<{ tag: string; id: string }[]> {
  const format = "{{.Tag}}\t{{.ID}}";
  const result = await capture(engine, [
    "image",
    "ls",
    "--no-trunc",
    "--format",
    format,
    repository,
  ]);
  if (result.code !== 0) throw failure(engine, "listing local images", result);
  return result.stdout.split("\n").map((line) => {
    const [tag, id = ""] = line.trim().split("\t");
    return { tag: tag.trim(), id: id.trim() };
  }).filter((image) => image.tag !== "" && image.tag !== "<none>");
}

/**
 * Whether an image is local: one `image inspect` (the check of a pinned tag before its run).
 *
 * @param engine The docker CLI.
 * @param image The reference as the engine takes it (`acme/app:1.2`, `…@sha256:…`).
 * @returns `true` when the engine has it.
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function imageIsLocal(engine: Engine, image: string): Promise<boolean> {
  const result = await capture(engine, ["image", "inspect", "--format", "{{.Id}}", image]);
  if (result.code === 0) return true;
  if (UNREACHABLE.test(result.stderr)) throw failure(engine, "looking for the image", result);
  return false;
}

/**
 * The digests a local image was pulled or pushed by (`docker image inspect`'s `RepoDigests`).
 *
 * @param engine The engine.
 * @param reference The image, e.g. `python:latest`.
 * @returns Entries like `python@sha256:…`; empty when the image has none or is not there.
 */
export async function localRepoDigests(engine: Engine, reference: string): Promise<string[]> {
  const result = await capture(engine, [
    "image",
    "inspect",
    "--format",
    "{{json .RepoDigests}}",
    reference,
  ]);
  if (result.code !== 0) return [];
  try {
    const digests: unknown = JSON.parse(result.stdout.trim() || "[]");
    return Array.isArray(digests) ? digests.filter((d) => typeof d === "string") : [];
  } catch {
    return [];
  }
}

/**
 * Every local image, for completing IMAGE: one `image ls`.
 *
 * @param engine The docker CLI.
 * @returns `repository:tag` lines in the engine's order (dangling ones as `<none>:<none>`).
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function listLocalImages(engine: Engine): Promise<string[]> {
  const format = "{{.Repository}}:{{.Tag}}";
  const result = await capture(engine, ["image", "ls", "--format", format]);
  if (result.code !== 0) throw failure(engine, "listing local images", result);
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}

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
 * Finds out why `docker run` exited 125 or 126 when that was run-docker's
 * business: the engine is unreachable or refuses us, or the image is not
 * local (and, without `--local`, could not be pulled). Called only after
 * such an exit, so a good run pays nothing for it.
 *
 * @param engine The docker CLI.
 * @param image The image reference given to `docker run`.
 * @param local Whether `--local` was given.
 * @returns The error to report, or `undefined` when docker's own message says it all.
 */
export async function diagnoseRunFailure(
  engine: Engine,
  image: string,
  local: boolean,
): Promise<EngineError | undefined> {
  const result = await capture(engine, ["image", "inspect", "--format", "{{.Id}}", image]);
  if (result.code === 0) return undefined;
  if (UNREACHABLE.test(result.stderr)) return failure(engine, "docker run", result);
  const cli = cliName(engine);
  if (local) {
    return new EngineError(
      `image ${image} is not local`,
      `--local never pulls: run without --local, or '${cli} load' the image first`,
    );
  }
  return new EngineError(
    `image ${image} is not local and could not be pulled`,
    `check the tag (run-docker --list-tags IMAGE), '${cli} login' to its registry, or the network`,
  );
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

/**
 * Finds where the docker CLI will connect, as the CLI itself decides: `DOCKER_HOST` (which
 * overrides any context), else the context named by `DOCKER_CONTEXT`, else `currentContext` in
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`); a context's endpoint is in
 * `contexts/meta/<sha256 of its name>/meta.json` there. Reads at most those two small files, and
 * none when `DOCKER_HOST` is set or no context is chosen.
 *
 * @param engine The engine from {@link engineFrom}.
 * @param env `DOCKER_HOST`, `DOCKER_CONTEXT`, `DOCKER_CONFIG`, `HOME`.
 * @param home The home host facts found (`%USERPROFILE%` on Windows, which sets no HOME);
 *   default `env.HOME`.
 * @param os `Deno.build.os`.
 * @returns The engine with `endpoint`, `context` and `remote` set; a file that cannot be read or
 *   parsed counts as absent (the docker CLI reports it when it runs).
 */
export async function locateEndpoint(
  engine: Engine,
  env: Readonly<Record<string, string | undefined>>,
  home: string | undefined = env.HOME,
  os = "linux",
): Promise<Engine> {
  if (env.DOCKER_HOST) {
    return { ...engine, endpoint: env.DOCKER_HOST, remote: isRemoteEndpoint(env.DOCKER_HOST) };
  }
  const dir = env.DOCKER_CONFIG || home
    ? dockerConfigDir({ os, home: home ?? "", env })
    : undefined;
  let context: Engine["context"];
  if (env.DOCKER_CONTEXT) context = { name: env.DOCKER_CONTEXT, from: "DOCKER_CONTEXT" };
  else if (dir !== undefined) {
    const current = readJson(`${dir}/config.json`)?.currentContext;
    if (typeof current === "string" && current !== "") {
      context = { name: current, from: "config.json" };
    }
  }
  if (context === undefined || context.name === "default" || dir === undefined) {
    return { ...engine, remote: false };
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(context.name));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  const meta = readJson(`${dir}/contexts/meta/${hex}/meta.json`);
  const endpoints = meta?.Endpoints as Record<string, { Host?: unknown }> | undefined;
  const host = endpoints?.docker?.Host;
  const endpoint = typeof host === "string" && host !== "" ? host : undefined;
  return {
    ...engine,
    endpoint,
    context,
    remote: endpoint !== undefined && isRemoteEndpoint(endpoint),
  };
}

/**
 * Whether an engine endpoint is on another host as far as run-docker can tell: anything but a
 * local socket (`unix://`, `npipe://`, `fd://`). `tcp://127.0.0.1` counts as remote too (it may be
 * a tunnel to another host).
 *
 * @param endpoint e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`, `ssh://me@host`.
 * @returns `true` for a network endpoint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRemoteEndpoint } from "./engine.ts";
 * assert.equal(isRemoteEndpoint("unix:///run/docker.sock"), false);
 * assert.equal(isRemoteEndpoint("ssh://me@build-1"), true);
 * ```
 */
export function isRemoteEndpoint(endpoint: string): boolean {
  return !/^(unix|npipe|fd):\/\//i.test(endpoint);
}

/**
 * Where the engine is, for messages: `at tcp://h:2376`, `at ssh://me@h (docker context "prod")`.
 * A password in the endpoint's user part is never shown.
 *
 * @param engine The engine, after {@link locateEndpoint}.
 * @returns The phrase, starting with `at` or `of`.
 */
export function engineWhere(engine: Engine): string {
  const endpoint = engine.endpoint === undefined ? undefined : capLength(
    stripControls(engine.endpoint.replace(/^([a-z0-9+.-]+:\/\/[^/@:]*):[^/@]*@/i, "$1:***@")),
    200,
  );
  const context = engine.context === undefined
    ? ""
    : `docker context ${JSON.stringify(capLength(stripControls(engine.context.name), 100))}`;
  if (endpoint === undefined) return context === "" ? "at the default endpoint" : `of ${context}`;
  return context === "" ? `at ${endpoint}` : `at ${endpoint} (${context})`;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Deno.readTextFileSync(path));
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the engine enforces SELinux, from one `info` call: docker's `SecurityOptions` holds
 * `name=selinux`, or podman's `host.security.selinuxEnabled` is true (`info --format {{json .}}`
 * answers both shapes). A local engine on a Linux host without SELinux (no `/sys/fs/selinux`)
 * shares this host's kernel: it is not asked.
 *
 * @param engine The engine, found on this host.
 * @param os `Deno.build.os`.
 * @returns `true` when the engine says so; `false` when it says otherwise or cannot answer
 *   (an unreachable engine is reported by the run that follows, not here).
 */
export async function engineReportsSelinux(engine: Engine, os: string): Promise<boolean> {
  if (os === "linux" && !engine.remote) {
    try {
      Deno.statSync("/sys/fs/selinux");
    } catch {
      return false;
    }
  }
  try {
    const info = await engineInfo(engine);
    const options: unknown = info?.SecurityOptions;
    if (Array.isArray(options)) {
      return options.some((o) => typeof o === "string" && /^name=selinux(,|$)/.test(o));
    }
    const host = info?.host as { security?: { selinuxEnabled?: unknown } } | undefined;
    return host?.security?.selinuxEnabled === true;
  } catch {
    return false;
  }
}

const infos = new WeakMap<Engine, Promise<Record<string, unknown> | undefined>>();

/**
 * The engine's `info --format {{json .}}`, asked at most once per engine value (SELinux and
 * `gpus: auto` share it).
 *
 * @param engine The engine, found on this host.
 * @returns The parsed object; `undefined` when the engine cannot answer (the run reports that).
 */
export function engineInfo(engine: Engine): Promise<Record<string, unknown> | undefined> {
  let info = infos.get(engine);
  if (info === undefined) {
    info = capture(engine, ["info", "--format", "{{json .}}"]).then((result) => {
      if (result.code !== 0) return undefined;
      const value = JSON.parse(result.stdout);
      return typeof value === "object" && value !== null ? value : undefined;
    }).catch(() => undefined);
    infos.set(engine, info);
  }
  return info;
}
