/**
 * Edge module: what run-docker asks the engine about a run's outcome, only when the outcome
 * calls for it (an exit 137, a refused `--gpus`, a refused run without a command), and the host
 * and engine facts of `gpus: auto`.
 *
 * @module
 */

import { capture, type Engine, findProgram } from "./engine.ts";
import { apiOomKilled } from "./engine_api.ts";
import { engineInfo } from "./engine_images.ts";
import type { GpuFacts } from "../core/outcome.ts";

/** Seconds an outcome question may take: past that, the run's own exit code stands alone. */
const OUTCOME_TIMEOUT_SECONDS = 10;

/**
 * Whether the engine saw this container killed for want of memory, from docker's event log
 * (`docker events --since … --until … --filter container=ID --filter event=oom`): it answers
 * at once for a time span in the past, and still after `--rm` removed the container, so the
 * run keeps `--rm`. Podman 4.3 records no `oom` event (and its `State.OOMKilled` stays false on
 * cgroup v1): it is not asked.
 *
 * @param engine The engine (docker).
 * @param id The container's 64-hex ID.
 * @param span `since` and `until` in milliseconds since the epoch (the engine's clock is taken to
 *   be this host's: a remote engine whose clock runs ahead may be missed).
 * @returns `true` when an `oom` event of the container lies in the span; `false` otherwise or
 *   when the engine cannot answer.
 */
export async function oomKilled(
  engine: Engine,
  id: string,
  span: { readonly since: number; readonly until: number },
): Promise<boolean> {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  try {
    const asked = { ...engine, timeoutSeconds: OUTCOME_TIMEOUT_SECONDS };
    const viaApi = await apiOomKilled(asked, id, span);
    if (viaApi !== undefined) return viaApi;
    const result = await capture(asked, [
      "events",
      "--since",
      seconds(span.since),
      "--until",
      seconds(span.until),
      "--filter",
      `container=${id}`,
      "--filter",
      "event=oom",
      "--format",
      "{{.Action}}",
    ]);
    return result.code === 0 && result.stdout.split("\n").some((line) => line.trim() === "oom");
  } catch {
    return false;
  }
}

/**
 * Whether a local image has no default command: neither `CMD` nor `ENTRYPOINT` (docker's
 * "No command specified").
 *
 * @param engine The engine.
 * @param image The reference that was run.
 * @returns `true` when the image's `Config.Cmd` and `Config.Entrypoint` are both empty; `false`
 *   when either is set, or the engine cannot answer.
 */
export async function hasNoDefaultCommand(engine: Engine, image: string): Promise<boolean> {
  try {
    const result = await capture({ ...engine, timeoutSeconds: OUTCOME_TIMEOUT_SECONDS }, [
      "image",
      "inspect",
      "--format",
      "{{json .Config.Cmd}} {{json .Config.Entrypoint}}",
      image,
    ]);
    const empty = (text: string | undefined) => text === "null" || text === "[]";
    const [cmd, entrypoint] = result.stdout.trim().split(" ");
    return result.code === 0 && empty(cmd) && empty(entrypoint);
  } catch {
    return false;
  }
}

/**
 * Whether the engine lists an `nvidia` runtime (docker's `info` `Runtimes`), from the one
 * `info` call a run makes (see `engineInfo`).
 *
 * @param engine The engine, found on this host.
 * @returns `true` when a runtime named `nvidia` (or `nvidia-…`) is listed.
 */
export async function hasNvidiaRuntime(engine: Engine): Promise<boolean> {
  const runtimes = (await engineInfo(engine))?.Runtimes;
  if (typeof runtimes !== "object" || runtimes === null) return false;
  return Object.keys(runtimes).some((name) => /^nvidia(-|$)/.test(name));
}

/**
 * The facts of `gpus: auto`: `nvidia-smi` on PATH (a few `stat` calls), and only then the
 * engine's runtimes.
 *
 * @param engine The engine, found on this host.
 * @param env `PATH` (and `PATHEXT`).
 * @param os `Deno.build.os`.
 * @returns See {@link GpuFacts}.
 */
export async function gpuFacts(
  engine: Engine,
  env: { PATH?: string; PATHEXT?: string },
  os: string,
): Promise<GpuFacts> {
  if (findProgram("nvidia-smi", env, os) === undefined) return { nvidiaSmi: false };
  return { nvidiaSmi: true, nvidiaRuntime: await hasNvidiaRuntime(engine) };
}
