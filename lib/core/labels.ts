/**
 * The labels run-docker puts on its containers, named once: `--ps` and `--cleanup` find
 * run-docker's containers by them, and tell a leftover (its run-docker died) by the host name
 * and the pid.
 *
 * Pure module: no I/O.
 *
 * @module
 */

/** The label keys, by what they hold. */
export const LABELS = {
  /** run-docker's version; every run-docker container has it (`--ps` filters on it). */
  version: "run-docker.version",
  /** `dev` or `prod`. */
  mode: "run-docker.mode",
  /** The host name of the run-docker that started the container (runs only, not `--emit`). */
  host: "run-docker.host",
  /** The pid of that run-docker (runs only). */
  pid: "run-docker.pid",
  /** `true` for a detached run (`-d`): nothing waits for it, so it is never a leftover. */
  detached: "run-docker.detached",
  /** Why a container that never runs exists: `read-image-user` (`user: auto` copies the image's
   * `/etc/passwd` out of it); one left by a killed run-docker is `--cleanup`'s to remove. */
  purpose: "run-docker.purpose",
} as const;

/** Who started a run: the host name and run-docker's pid, and whether it is detached. */
export interface RunOwner {
  /** `Deno.hostname()`. */
  readonly host: string;
  /** run-docker's process id. */
  readonly pid: number;
  /** Whether the run is detached (`-d`). */
  readonly detached: boolean;
}

/**
 * The labels of a run, in order.
 *
 * @param version run-docker's version.
 * @param mode `dev` or `prod`.
 * @param owner Who runs it; absent (`--dry-run`, `--emit`): no host, pid or detached label.
 * @returns `[key, value]` pairs for `--label key=value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runLabels } from "./labels.ts";
 * assert.deepEqual(runLabels("1.0.0", "prod", { host: "h", pid: 42, detached: false }), [
 *   ["run-docker.version", "1.0.0"],
 *   ["run-docker.mode", "prod"],
 *   ["run-docker.host", "h"],
 *   ["run-docker.pid", "42"],
 *   ["run-docker.detached", "false"],
 * ]);
 * ```
 */
export function runLabels(
  version: string,
  mode: string,
  owner?: RunOwner,
): [string, string][] {
  const labels: [string, string][] = [[LABELS.version, version], [LABELS.mode, mode]];
  if (owner === undefined) return labels;
  labels.push(
    [LABELS.host, owner.host],
    [LABELS.pid, String(owner.pid)],
    [LABELS.detached, String(owner.detached)],
  );
  return labels;
}

/**
 * The line a detached run prints on stderr once its container started.
 *
 * @param name The container's name.
 * @returns One line, e.g. `run-docker: started container zepu-app-… (run-docker --ps lists it)`.
 */
export function detachedNotice(name: string): string {
  return `run-docker: started container ${name} (run-docker --ps lists it)\n`;
}
