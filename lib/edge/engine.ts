/**
 * Edge module: the engine and its CLI: which CLI, where its engine is (`DOCKER_HOST`, docker
 * contexts), short captured CLI calls and the errors they map to. Every docker CLI run-docker
 * starts is started through the one spawner (`lib/spawn.ts`), as an argv array (no shell).
 * Queries before the run are in `engine_images.ts` (through the engine's API socket when it
 * has a local one, `engine_api.ts`), the run itself in `engine_run.ts`.
 *
 * @module
 */

import { DEFAULT_ENGINE, type EngineKind } from "../core/engine_kind.ts";
import { EngineError } from "../core/errors.ts";
import { capLength, stripControls } from "../core/printable.ts";
import { dockerConfigDir } from "../core/platform_paths.ts";
import { platformHints } from "../core/platform_hints.ts";
import { kill, spawn } from "./spawn.ts";
import { concatBytes } from "./bytes.ts";

/** This host's hints (Linux: systemctl, the docker group; macOS: Docker Desktop, Colima …). */
const HINTS = platformHints(Deno.build.os);

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
  /**
   * The path of the engine's API socket when the engine is local and reached through one
   * (`withApiSocket`, lib/edge/engine_api.ts): queries before the run go there, not through a
   * CLI process. Absent: every query runs the CLI.
   */
  readonly socket?: string;
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
  const stdout = concatBytes(chunks);
  return {
    code: status.code,
    stdout,
    stderr: await stderr,
    ...(overflow ? { overflow: true as const } : {}),
  };
}

/**
 * The error of a CLI that could not be started.
 *
 * @param engine The engine whose CLI it is.
 * @param error What starting it threw.
 * @returns `docker CLI not found` / `not executable` ({@link EngineError}), else `error` itself.
 */
export function cliMissing(engine: Engine, error: unknown): Error {
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

/** docker's words for an engine it cannot reach (or may not use). */
export const UNREACHABLE =
  /Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|permission denied while trying to connect/i;

/**
 * The error of a failed CLI call: the engine unreachable, permission denied on its socket, or
 * `WHAT failed: <the CLI's first line>`.
 *
 * @param engine The engine.
 * @param what What was being done, e.g. `listing local images`.
 * @param result The CLI's exit code and output (an API answer's message as `stderr`).
 * @returns The error to throw.
 */
export function failure(
  engine: Engine,
  what: string,
  result: Pick<Captured, "code" | "stderr">,
): EngineError {
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
