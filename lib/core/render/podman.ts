/**
 * Renders a {@link RunSpec} as the `podman run` argv: docker's (`render/docker.ts`) with
 * podman's forms where they differ.
 *
 * - The image by its fully qualified reference (`docker.io/library/x:tag`): podman resolves no
 *   short names without `unqualified-search-registries`.
 * - A tmpfs HOME owned by the container user with `U` (podman rejects `uid=`/`gid=`).
 * - Rootless podman: `--userns=keep-id`, so the invoking user is the container user and src,
 *   data and log are writable inside. Mapped onto docker-user (uid 1000 by the images'
 *   convention) by default, onto itself for `user: host` (a numeric user). Not for root inside
 *   (root already maps to the invoking user: devcontainers/cli#1004), and not when the user gave
 *   `--user` or `--userns` (theirs decides: devcontainers/cli#1284, #1301).
 *
 * Pure module: a function of the spec and the engine kind alone.
 *
 * @module
 */

import type { EngineKind } from "../engine_kind.ts";
import { parseRunRequest } from "../cli.ts";
import { qualifiedReference } from "../reference.ts";
import type { RunSpec } from "../run_spec.ts";
import { type Dialect, renderDockerArgs } from "./docker.ts";

/** The uid (and gid) of the image user, docker-user, by the images' convention. */
const IMAGE_USER = { name: "docker-user", uid: 1000 };

/** docker options after which the user namespace is the user's business. */
const USERNS_OPTIONS = new Set(["user", "userns"]);

/**
 * The `run` argv for the engine: docker's, or podman's.
 *
 * @param spec The run.
 * @param engine The engine's kind.
 * @returns `["run", …]`: exactly {@link renderDockerArgs} for docker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun } from "../run_args.ts";
 * import { renderRunArgs } from "./podman.ts";
 * import { exampleInput } from "../../../tests/fixtures.ts";
 * const { spec } = planRun(exampleInput(["zppz/app:1", "true"]));
 * const args = renderRunArgs(spec, { kind: "podman", rootless: true });
 * assert.ok(args.includes("--userns=keep-id:uid=1000,gid=1000"));
 * assert.deepEqual(args.slice(-2), ["docker.io/zppz/app:1", "true"]);
 * ```
 */
export function renderRunArgs(spec: RunSpec, engine: EngineKind): string[] {
  if (engine.kind === "docker") return renderDockerArgs(spec);
  const dialect: Dialect = {
    reference: qualifiedReference,
    tmpfs(mount) {
      // `U`: owned by the container user (the uid and gid of the spec, which runs as them).
      const options = [`mode=${mount.mode}`, "U"];
      if (mount.exec) options.push("exec");
      return `${mount.target}:${options.join(",")}`;
    },
    identity: (spec) => engine.rootless ? keepId(spec) : [],
  };
  return renderDockerArgs(spec, dialect);
}

/** `--userns=keep-id…` for rootless podman, or nothing (see the module's notes). */
function keepId(spec: RunSpec): string[] {
  if (spec.user === undefined || givenOptions(spec).some((o) => USERNS_OPTIONS.has(o))) return [];
  const numeric = /^(\d+)(?::(\d+))?$/.exec(spec.user);
  if (spec.user === "root" || numeric?.[1] === "0") return [];
  if (numeric !== null) {
    return [`--userns=keep-id:uid=${numeric[1]},gid=${numeric[2] ?? numeric[1]}`];
  }
  if (spec.user === IMAGE_USER.name) {
    return [`--userns=keep-id:uid=${IMAGE_USER.uid},gid=${IMAGE_USER.uid}`];
  }
  return ["--userns=keep-id"];
}

/** The long names of the docker options the configuration and the command line gave. */
function givenOptions(spec: RunSpec): string[] {
  const config = spec.passThrough.config.length === 0
    ? []
    : parseRunRequest([...spec.passThrough.config, "run-docker/config:1"]).docker;
  return [...config, ...spec.passThrough.commandLine].flatMap((p) => p.options.map((o) => o.long));
}
