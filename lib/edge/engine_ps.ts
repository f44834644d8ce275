/**
 * Edge module: the engine queries of `--ps` and `--cleanup`, each one small function, so that
 * they can move to the engine's HTTP API (`GET /containers/json?all=1&filters=…`,
 * `DELETE /containers/{id}?force=1`) in one place.
 *
 * @module
 */

import { type ContainerRow, parsePs } from "../core/containers.ts";
import { EngineError } from "../core/errors.ts";
import { LABELS } from "../core/labels.ts";
import { capture, cliName, type Engine, failure } from "./engine.ts";

/**
 * Every container run-docker started on the engine (by its `run-docker.version` label), running
 * or not: one `ps -a`.
 *
 * @param engine The docker CLI (docker or podman: podman answers `--format json` with an array).
 * @returns The containers, in the engine's order (newest first).
 * @throws {EngineError} when the CLI is missing, the engine unreachable, or the answer unreadable.
 */
export async function listRunDockerContainers(engine: Engine): Promise<ContainerRow[]> {
  const format = engine.kind?.kind === "podman" ? "json" : "{{json .}}";
  const args = ["ps", "--all", "--no-trunc", "--filter", `label=${LABELS.version}`];
  const result = await capture(engine, [...args, "--format", format]);
  if (result.code !== 0) throw failure(engine, "listing containers", result);
  try {
    return parsePs(result.stdout);
  } catch {
    throw new EngineError(
      `${cliName(engine)} ps answered something that is not JSON`,
      `check the engine's CLI: ${cliName(engine)} ps --all --format json`,
    );
  }
}

/**
 * Removes containers by ID: one `rm` (`--force`: running ones are killed first).
 *
 * @param engine The docker CLI.
 * @param ids Container IDs; none: nothing runs.
 * @param force Kill running ones first.
 * @returns The IDs the engine says it removed.
 * @throws {EngineError} when the CLI is missing or the engine unreachable.
 */
export async function removeContainers(
  engine: Engine,
  ids: readonly string[],
  force: boolean,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await capture(engine, ["rm", ...(force ? ["--force"] : []), ...ids]);
  const removed = new Set(result.stdout.split("\n").map((l) => l.trim()).filter(Boolean));
  if (result.code !== 0 && removed.size === 0) throw failure(engine, "removing containers", result);
  return removed;
}
