/**
 * Edge module: the engine's API on its local unix socket, for the questions run-docker asks
 * before and after a run (local images, image inspect, `info`, `events`): one HTTP request
 * (`http1.ts`) instead of a CLI process each (~20–70 ms less per question).
 *
 * Used when the engine is local and reached through a unix socket: docker's default
 * (`/var/run/docker.sock`), `DOCKER_HOST=unix://…`, a docker context whose endpoint is a unix
 * socket; for podman, `CONTAINER_HOST=unix://…` or its API service's socket. Everything else
 * (ssh, tcp, TLS, named pipes, a context without an endpoint) goes through the CLI, and so does
 * every question whose answer is not what the API documents, and any question to podman's API
 * service that is not running (podman's CLI works without it). docker's socket missing, refusing
 * or denying us is the error the CLI would give (`cannot connect to the Docker engine …`,
 * `permission denied on the Docker engine's socket …`), without starting it.
 * Each function returns `undefined` for "ask the CLI".
 *
 * @module
 */

import { CAPTURE_TIMEOUT_SECONDS, type Engine, failure, findProgram } from "./engine.ts";
import { nativeFamily } from "./engine_kind.ts";
import { exchange, type Http1Response } from "./http1.ts";
import { EngineError } from "../core/errors.ts";

/** What the socket choice reads from the environment. */
export interface ApiSocketEnv {
  /** podman's remote endpoint: a `unix://` one is its socket. */
  readonly CONTAINER_HOST?: string;
  /** Where a rootless podman's API service puts `podman/podman.sock`. */
  readonly XDG_RUNTIME_DIR?: string;
  /** Where a CLI given by name (`docker`, as `--dry-run` names it) is found. */
  readonly PATH?: string;
}

/**
 * The engine with the path of its API socket, when it has a local one.
 *
 * @param engine The engine, after `locateEndpoint` and `identifyEngine`.
 * @param env `CONTAINER_HOST`, `XDG_RUNTIME_DIR` (podman).
 * @param os `Deno.build.os`: Windows engines are reached by named pipes (the CLI).
 * @param isNativeCli Whether the CLI is docker's or podman's own executable: a wrapper script
 *   (`sudo docker "$@"`, one that adds options) may reach the engine differently, so every
 *   question goes through it. Default: `nativeFamily` (lib/edge/engine_kind.ts).
 * @returns The engine, with `socket` set when queries can go to a unix socket.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withApiSocket } from "./engine_api.ts";
 * const docker = { program: "docker", kind: { kind: "docker", rootless: false } } as const;
 * const native = () => true;
 * assert.equal(withApiSocket(docker, {}, "linux", native).socket, "/var/run/docker.sock");
 * const ssh = { ...docker, endpoint: "ssh://me@build-1", remote: true };
 * assert.equal(withApiSocket(ssh, {}, "linux", native).socket, undefined);
 * ```
 */
export function withApiSocket(
  engine: Engine,
  env: ApiSocketEnv,
  os: string,
  isNativeCli: (program: string) => boolean = (program) =>
    nativeFamily(findProgram(program, env, os) ?? program) !== undefined,
): Engine {
  const socket = os === "windows" || !isNativeCli(engine.program)
    ? undefined
    : socketOf(engine, env);
  return socket === undefined ? engine : { ...engine, socket };
}

function socketOf(engine: Engine, env: ApiSocketEnv): string | undefined {
  if (engine.kind?.kind === "podman") {
    // podman's CLI reaches its storage itself (it ignores DOCKER_HOST); its API service, when
    // it runs, serves the same storage.
    if (env.CONTAINER_HOST) return unixPath(env.CONTAINER_HOST);
    if (!engine.kind.rootless) return "/run/podman/podman.sock";
    return env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/podman/podman.sock` : undefined;
  }
  if (engine.endpoint !== undefined) return unixPath(engine.endpoint);
  // No DOCKER_HOST and no context: the CLI's default. A context without an endpoint: the CLI.
  return engine.context === undefined ? "/var/run/docker.sock" : undefined;
}

function unixPath(endpoint: string): string | undefined {
  const match = /^unix:\/\/(\/.+)$/i.exec(endpoint);
  return match === null ? undefined : match[1];
}

/** Cap on an answer of the engine's API, in bytes: 64 MiB. */
export const API_RESPONSE_LIMIT = 64 * 1024 * 1024;

type ApiResponse = Http1Response;

/**
 * Sends one GET to the engine's socket.
 *
 * @returns The answer; `undefined` when there is no socket, the answer is not HTTP, or podman's
 *   socket cannot be reached (ask the CLI).
 * @throws {EngineError} when docker's socket cannot be reached, or the engine does not answer in
 *   time (the CLI's messages).
 */
async function ask(engine: Engine, path: string, cli: string): Promise<ApiResponse | undefined> {
  if (engine.socket === undefined) return undefined;
  const seconds = engine.timeoutSeconds ?? CAPTURE_TIMEOUT_SECONDS;
  // AbortSignal.timeout, not setTimeout: the global setTimeout loads Deno's timers module on
  // first use (~9 ms of a cold start).
  const signal = AbortSignal.timeout(seconds * 1000);
  try {
    return await exchange({ transport: "unix", path: engine.socket }, {
      method: "GET",
      target: path,
      host: "engine",
      headers: { "User-Agent": "run-docker", Accept: "application/json" },
    }, { signal, limit: API_RESPONSE_LIMIT });
  } catch (error) {
    if (signal.aborted) {
      throw new EngineError(
        `the Docker engine did not answer in ${seconds} s (docker ${cli})`,
        "check that the engine is healthy: docker info",
      );
    }
    // docker's CLI would connect to the same socket and fail the same way: its error, without it.
    if (engine.kind?.kind !== "podman") {
      const denied = error instanceof Deno.errors.PermissionDenied;
      if (
        denied || error instanceof Deno.errors.NotFound ||
        error instanceof Deno.errors.ConnectionRefused
      ) {
        throw failure(engine, cli, {
          code: 1,
          stderr: denied
            ? "permission denied while trying to connect to the Docker daemon socket"
            : "Cannot connect to the Docker daemon",
        });
      }
    }
    // Not HTTP, or podman's API service not running: the CLI answers, or says why not.
    return undefined;
  }
}

/** The body as JSON, or `undefined` when it is not JSON. */
function json(response: ApiResponse): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    return undefined;
  }
}

/** An error answer as the CLI prints it: `Error response from daemon: <message>`. */
function daemonError(response: ApiResponse): { code: number; stderr: string } {
  const body = json(response) as { message?: unknown } | undefined;
  const message = typeof body?.message === "string" && body.message.trim() !== ""
    ? body.message.trim().split("\n")[0]
    : `status ${response.status}`;
  return { code: 1, stderr: `Error response from daemon: ${message}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A `RepoTags` entry's tag for `repository`: `acme/app:1.2` → `1.2`; another name: none. */
function tagOf(repoTag: string, repository: string): string | undefined {
  const colon = repoTag.lastIndexOf(":");
  if (colon <= repoTag.lastIndexOf("/")) return undefined;
  return repoTag.slice(0, colon) === repository ? repoTag.slice(colon + 1) : undefined;
}

/**
 * `docker image ls --format {{.Tag}} REPOSITORY` through the API: `GET /images/json` with a
 * reference filter, then the tags of the `RepoTags` entries named exactly `repository`.
 *
 * @param engine The engine (with `socket`).
 * @param repository The name as the engine lists it (`acme/app`, podman: `docker.io/acme/app`).
 * @returns The tags with their image IDs (`<none>` left out); `undefined`: ask the CLI.
 * @throws {EngineError} when the engine refuses (`listing local images failed: …`) or does not
 *   answer in time.
 */
export async function apiRepositoryImages(
  engine: Engine,
  repository: string,
): Promise<{ tag: string; id: string }[] | undefined> {
  const filters = encodeURIComponent(JSON.stringify({ reference: [repository] }));
  const response = await ask(engine, `/images/json?filters=${filters}`, "image ls");
  if (response === undefined) return undefined;
  if (response.status !== 200) {
    throw failure(engine, "listing local images", daemonError(response));
  }
  const images = json(response);
  if (!Array.isArray(images)) return undefined;
  const tags: { tag: string; id: string }[] = [];
  for (const image of images) {
    const repoTags = isRecord(image) ? image.RepoTags : undefined;
    if (!Array.isArray(repoTags)) continue;
    const id = isRecord(image) && typeof image.Id === "string" ? image.Id : "";
    for (const repoTag of repoTags) {
      if (typeof repoTag !== "string") continue;
      const tag = tagOf(repoTag, repository);
      if (tag !== undefined && tag !== "" && tag !== "<none>") tags.push({ tag, id });
    }
  }
  return tags;
}

/**
 * Every local image as `repository:tag` (`docker image ls --format
 * {{.Repository}}:{{.Tag}}`), through the API.
 *
 * @param engine The engine (with `socket`).
 * @returns The lines (an image without tags: `name:<none>` or `<none>:<none>`); `undefined`:
 *   ask the CLI.
 * @throws {EngineError} when the engine refuses or does not answer in time.
 */
export async function apiLocalImages(engine: Engine): Promise<string[] | undefined> {
  const response = await ask(engine, "/images/json", "image ls");
  if (response === undefined) return undefined;
  if (response.status !== 200) {
    throw failure(engine, "listing local images", daemonError(response));
  }
  const images = json(response);
  if (!Array.isArray(images)) return undefined;
  const lines: string[] = [];
  for (const image of images) {
    if (!isRecord(image)) continue;
    const tags = (Array.isArray(image.RepoTags) ? image.RepoTags : [])
      .filter((t): t is string => typeof t === "string" && t !== "<none>:<none>");
    if (tags.length > 0) {
      lines.push(...tags);
      continue;
    }
    const names = (Array.isArray(image.RepoDigests) ? image.RepoDigests : [])
      .filter((d): d is string => typeof d === "string" && d.includes("@"))
      .map((d) => `${d.slice(0, d.indexOf("@"))}:<none>`);
    lines.push(...(names.length > 0 ? [...new Set(names)] : ["<none>:<none>"]));
  }
  return lines;
}

/**
 * `docker image inspect IMAGE` through the API (`GET /images/IMAGE/json`).
 *
 * @param engine The engine (with `socket`).
 * @param image The reference as the engine takes it (`acme/app:1.2`, `…@sha256:…`).
 * @returns The inspect object; `null` when the engine does not have the image; `undefined`:
 *   ask the CLI.
 * @throws {EngineError} when the engine does not answer in time.
 */
export async function apiImage(
  engine: Engine,
  image: string,
): Promise<Record<string, unknown> | null | undefined> {
  const path = `/images/${image.replace(/[^A-Za-z0-9._~/:@+-]/g, encodeURIComponent)}/json`;
  const response = await ask(engine, path, "image inspect");
  if (response === undefined) return undefined;
  if (response.status === 404) return null;
  if (response.status !== 200) return undefined;
  const value = json(response);
  return isRecord(value) ? value : undefined;
}

/**
 * `docker info` through the API (`GET /info`): the shape of `docker info --format {{json .}}`
 * for the fields run-docker reads (`SecurityOptions`, `Runtimes`).
 *
 * @param engine The engine (with `socket`).
 * @returns The object; `null` when the engine answers but not with one; `undefined`: ask the CLI.
 */
export async function apiInfo(engine: Engine): Promise<Record<string, unknown> | null | undefined> {
  const response = await ask(engine, "/info", "info");
  if (response === undefined) return undefined;
  if (response.status !== 200) return null;
  const value = json(response);
  return isRecord(value) ? value : null;
}

/**
 * Whether the engine's event log has an `oom` event of a container in a time span (`GET
 * /events` with `since`, `until` and filters): the answer ends once `until` is past.
 *
 * @param engine The engine (with `socket`).
 * @param id The container's ID.
 * @param span `since` and `until` in milliseconds since the epoch.
 * @returns `true`/`false`; `undefined`: ask the CLI.
 * @throws {EngineError} when the engine does not answer in time.
 */
export async function apiOomKilled(
  engine: Engine,
  id: string,
  span: { readonly since: number; readonly until: number },
): Promise<boolean | undefined> {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const filters = encodeURIComponent(JSON.stringify({ container: [id], event: ["oom"] }));
  const response = await ask(
    engine,
    `/events?since=${seconds(span.since)}&until=${seconds(span.until)}&filters=${filters}`,
    "events",
  );
  if (response === undefined) return undefined;
  if (response.status !== 200) return false;
  return new TextDecoder().decode(response.body).split("\n").some((line) => {
    try {
      const event: unknown = JSON.parse(line);
      return isRecord(event) && (event.Action === "oom" || event.status === "oom");
    } catch {
      return false;
    }
  });
}
