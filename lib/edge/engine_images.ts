/**
 * Edge module: what run-docker asks the engine before a run (local tags, whether an image is
 * local, its digests, every local image, `info`) and after a failed one (why it failed). Each
 * question goes to the engine's API socket when the engine has a local one (`engine_api.ts`),
 * else, or when the socket cannot be reached, to the CLI; both give the same answers and the
 * same errors.
 *
 * @module
 */

import { capture, cliName, type Engine, failure, UNREACHABLE } from "./engine.ts";
import { apiImage, apiInfo, apiLocalImages, apiRepositoryImages } from "./engine_api.ts";
import { EngineError } from "../core/errors.ts";

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
 * @param engine The engine.
 * @param repository The familiar name (`ubuntu`, `acme/app`, `localhost:5000/a`).
 * @returns `{ tag, id }` in the engine's order, `id` untruncated (`sha256:<64 hex>`); `<none>`
 *   (dangling) left out.
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function listRepositoryImages(
  engine: Engine,
  repository: string,
): Promise<{ tag: string; id: string }[]> {
  const viaApi = await apiRepositoryImages(engine, repository);
  if (viaApi !== undefined) return viaApi;
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
 * The ID of a local image: one `image inspect` (the check of a pinned tag before its run; the
 * ID then keys `user: auto`'s cache, so the image is not inspected again).
 *
 * @param engine The docker CLI.
 * @param image The reference as the engine takes it (`acme/app:1.2`, `…@sha256:…`).
 * @returns The image ID (`sha256:…`; `""` when the engine did not say), or `undefined` when the
 *   engine does not have the image.
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function localImageId(engine: Engine, image: string): Promise<string | undefined> {
  const viaApi = await apiImage(engine, image);
  if (viaApi === null) return undefined;
  if (viaApi !== undefined) return typeof viaApi.Id === "string" ? viaApi.Id : "";
  const result = await capture(engine, ["image", "inspect", "--format", "{{.Id}}", image]);
  if (result.code === 0) return result.stdout.trim();
  // Only the engine's "no such image" means not local; anything else (an engine it cannot
  // reach, a DOCKER_HOST it cannot parse) is that failure, not a missing image.
  if (NO_SUCH_IMAGE.test(result.stderr)) return undefined;
  throw failure(engine, "looking for the image", result);
}

/** docker's and podman's words for an image the engine does not have. */
const NO_SUCH_IMAGE = /no such image|no such object|image not known/i;

/**
 * The digests a local image was pulled or pushed by (`docker image inspect`'s `RepoDigests`).
 *
 * @param engine The engine.
 * @param reference The image, e.g. `python:latest`.
 * @returns Entries like `python@sha256:…`; empty when the image has none or is not there.
 */
export async function localRepoDigests(engine: Engine, reference: string): Promise<string[]> {
  const viaApi = await apiImage(engine, reference).catch(() => null);
  if (viaApi !== undefined) {
    const digests = viaApi?.RepoDigests;
    return Array.isArray(digests) ? digests.filter((d) => typeof d === "string") : [];
  }
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
  const viaApi = await apiLocalImages(engine);
  if (viaApi !== undefined) return viaApi;
  const format = "{{.Repository}}:{{.Tag}}";
  const result = await capture(engine, ["image", "ls", "--format", format]);
  if (result.code !== 0) throw failure(engine, "listing local images", result);
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
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
  let viaApi;
  try {
    viaApi = await apiImage(engine, image);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  if (viaApi === undefined) {
    const result = await capture(engine, ["image", "inspect", "--format", "{{.Id}}", image]);
    if (result.code === 0) return undefined;
    if (UNREACHABLE.test(result.stderr)) return failure(engine, "docker run", result);
  } else if (viaApi !== null) return undefined;
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
    info = apiInfo(engine).then(async (viaApi) => {
      if (viaApi !== undefined) return viaApi ?? undefined;
      const result = await capture(engine, ["info", "--format", "{{json .}}"]);
      if (result.code !== 0) return undefined;
      const value = JSON.parse(result.stdout);
      return typeof value === "object" && value !== null ? value : undefined;
    }).catch(() => undefined);
    infos.set(engine, info);
  }
  return info;
}
