/**
 * How a run ended, in run-docker's words, and the GPU decision of `gpus: auto`: the container
 * ran out of memory (exit 137, the engine saw the OOM kill), the engine could not give it GPUs,
 * a pinned tag that is neither local nor on its registry.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { EngineError, RunDockerError } from "./errors.ts";

/** The exit code of a container killed by SIGKILL (the kernel's OOM killer's signal). */
export const EXIT_KILLED = 137;

/**
 * The container ran out of memory: reported as run-docker's error, while the exit code stays
 * the container's (137).
 */
export class OutOfMemoryError extends RunDockerError {
  /** The container's exit code, passed through. */
  override readonly exitCode: number = EXIT_KILLED;

  /** The memory limit as given (`256m`, `12g`); absent: none was set. */
  readonly limit: string | undefined;

  /**
   * The container was OOM-killed (exit 137).
   *
   * @param limit The memory limit as given (`256m`, `12g`); absent: none was set.
   */
  constructor(limit: string | undefined) {
    super(
      limit === undefined
        ? "the container ran out of memory (no limit set: the host's memory)"
        : `the container ran out of memory (limit ${limit})`,
      limit === undefined
        ? "lower what the command needs, or free memory on the engine's host"
        : "give it more with -m/--memory SIZE (e.g. -m 16g) or `memory:` in the configuration; " +
          "--explain shows where the limit came from",
    );
    this.name = "OutOfMemoryError";
    this.limit = limit;
  }
}

/**
 * The error for a container the engine could not give GPUs.
 *
 * @param gpus The `--gpus` value asked for (`all`, `device=0`).
 * @param cli The engine's CLI in messages: `docker` or `podman`.
 * @returns An {@link EngineError} (exit 125) naming the value, with a hint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpusUnavailable } from "./outcome.ts";
 * assert.equal(
 *   gpusUnavailable("all").message,
 *   "the engine cannot give the container GPUs (--gpus all): it has no NVIDIA runtime",
 * );
 * ```
 */
export function gpusUnavailable(gpus: string, cli = "docker"): EngineError {
  return new EngineError(
    `the engine cannot give the container GPUs (--gpus ${gpus}): it has no NVIDIA runtime`,
    `install the NVIDIA Container Toolkit on the engine's host and restart the engine ` +
      `(${cli} info lists an nvidia runtime then), or drop --gpus and \`gpus:\``,
  );
}

/** What the edge found out for `gpus: auto` (see {@link gpusQuestion}). */
export interface GpuFacts {
  /** Whether `nvidia-smi` is on this host's PATH. */
  readonly nvidiaSmi: boolean;
  /** Whether the engine lists an `nvidia` runtime (`info`); asked only when `nvidiaSmi`. */
  readonly nvidiaRuntime?: boolean;
}

/** The `gpus` setting's value that lets run-docker decide. */
export const GPUS_AUTO = "auto";

/**
 * Whether the edge must look for GPUs: `gpus: auto`, no `--gpus` on the command line, and a run
 * (or a dry run) on this host's engine, not a file for elsewhere (`--emit`) nor a lookup
 * (`--list-tags`, `--resolve`).
 *
 * @param setting The `gpus` setting for the image.
 * @param given Whether `--gpus` was on the command line.
 * @param lookupOnly Nothing runs here: `--emit`, `--list-tags`, `--resolve`.
 * @returns `true` when `nvidia-smi` should be looked up on PATH.
 */
export function gpusQuestion(
  setting: string | undefined,
  given: boolean,
  lookupOnly: boolean,
): boolean {
  return setting === GPUS_AUTO && !given && !lookupOnly;
}

/**
 * The `--gpus` value of a run and the `--explain` line saying why. `auto`: `all` when
 * `nvidia-smi` is on PATH and the engine has an nvidia runtime, nothing otherwise (and nothing
 * in a file for elsewhere: the engine there was not asked). Any other value is docker's own.
 *
 * @param setting The `gpus` setting (`auto`, `all`, `device=0`, absent).
 * @param facts What the edge found, when it was asked ({@link gpusQuestion}); absent: not asked.
 * @returns `gpus`: the value for `--gpus`, absent for none; `why`: the `--explain` line for
 *   `auto`, absent otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decideGpus } from "./outcome.ts";
 * assert.equal(decideGpus("auto", { nvidiaSmi: true, nvidiaRuntime: true }).gpus, "all");
 * assert.equal(decideGpus("auto", { nvidiaSmi: false }).gpus, undefined);
 * assert.equal(decideGpus("device=0", undefined).gpus, "device=0");
 * ```
 */
export function decideGpus(
  setting: string | undefined,
  facts: GpuFacts | undefined,
): { gpus?: string; why?: string } {
  if (setting !== GPUS_AUTO) return setting === undefined ? {} : { gpus: setting };
  const head = "gpus: auto:";
  if (facts === undefined) return { why: `${head} no --gpus (the engine that runs it decides)` };
  if (!facts.nvidiaSmi) return { why: `${head} no --gpus (nvidia-smi is not on PATH)` };
  if (!facts.nvidiaRuntime) {
    return {
      why: `${head} no --gpus (nvidia-smi is on PATH, but the engine has no nvidia runtime)`,
    };
  }
  return {
    gpus: "all",
    why: `${head} --gpus all (nvidia-smi is on PATH and the engine has an nvidia runtime)`,
  };
}

/** Why a pinned image could not be pulled, as the registry told run-docker. */
export type PinnedMissing =
  | { readonly kind: "no-tag" }
  | { readonly kind: "no-repository" }
  | { readonly kind: "unreachable"; readonly reason: string }
  | { readonly kind: "pull-failed"; readonly reason: string };

/**
 * The one error for a pinned image (`IMAGE:TAG`, `IMAGE@DIGEST`) that is not local and was not
 * pulled.
 *
 * @param image The reference as the user wrote it, familiar form (`acme/app:1.2`).
 * @param name The repository's familiar name (`acme/app`), for the hint.
 * @param registry The registry host (`docker.io`, `127.0.0.1:5000`).
 * @param why What the registry said, see {@link PinnedMissing}.
 * @param local `--local` (`true`), or the glob of an images rule with `registry: none`:
 *   nothing was asked of the registry, nothing pulled; `false`: neither.
 * @param cli The engine's CLI in messages: `docker` or `podman`.
 * @returns An {@link EngineError} (exit 125).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pinnedMissing } from "./outcome.ts";
 * const error = pinnedMissing("acme/app:9", "acme/app", "docker.io", { kind: "no-tag" }, false);
 * assert.equal(error.message, "image acme/app:9 is neither local nor on registry docker.io");
 * ```
 */
export function pinnedMissing(
  image: string,
  name: string,
  registry: string,
  why: PinnedMissing | undefined,
  local: boolean | string,
  cli = "docker",
): EngineError {
  if (typeof local === "string") {
    return new EngineError(
      `image ${image} is not local (images rule ${JSON.stringify(local)}: registry: none)`,
      `the rule never pulls: '${cli} pull ${image}', '${cli} load -i FILE' or build it, ` +
        "or remove the rule",
    );
  }
  if (local) {
    return new EngineError(
      `image ${image} is not local (--local)`,
      `--local never pulls: run once without --local to pull it, or '${cli} pull ${image}', ` +
        `'${cli} load -i FILE' or build it`,
    );
  }
  const listTags =
    `see the tags there with 'run-docker --list-tags ${name}', or push ${image} first`;
  switch (why?.kind) {
    case "no-tag":
      return new EngineError(
        `image ${image} is neither local nor on registry ${registry}`,
        listTags,
      );
    case "no-repository":
      return new EngineError(
        `image ${image} is neither local nor on registry ${registry} (no repository ${name} there)`,
        `check the name, or push ${image} first`,
      );
    case "unreachable":
      return new EngineError(
        `image ${image} is not local, and registry ${registry} is unreachable (${why.reason})`,
        `check the network and the registry login ('${cli} login ${registry}'), ` +
          `or run a local tag ('run-docker --list-tags --local ${name}')`,
      );
    default:
      return new EngineError(
        `image ${image} is not local, and pulling it from registry ${registry} failed${
          why === undefined ? "" : ` (${why.reason})`
        }`,
        `check the registry login ('${cli} login ${registry}') and the network`,
      );
  }
}
