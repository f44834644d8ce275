/**
 * Renders a {@link RunSpec} as the `docker run` argv.
 *
 * Pure module: a function of the spec alone.
 *
 * @module
 */

import { formatReference, type ImageReference } from "../reference.ts";
import type { MountSpec, RunSpec } from "../run_spec.ts";

/** Where another engine's argv differs from docker's (see `render/podman.ts`). */
export interface Dialect {
  /** The image reference as the engine needs it. */
  readonly reference: (ref: ImageReference) => string;
  /** The `--tmpfs` value of a tmpfs mount. */
  readonly tmpfs: (mount: Extract<MountSpec, { kind: "tmpfs" }>) => string;
  /** Options added after `--user` (e.g. podman's `--userns`). */
  readonly identity: (spec: RunSpec) => string[];
}

/** docker's own forms. */
const DOCKER: Dialect = {
  reference: formatReference,
  tmpfs(mount) {
    const options = [`uid=${mount.uid}`, `gid=${mount.gid}`, `mode=${mount.mode}`];
    if (mount.exec) options.push("exec");
    return `${mount.target}:${options.join(",")}`;
  },
  identity: () => [],
};

/**
 * The `docker run` argv of a run, after the program name.
 *
 * @param spec The run.
 * @param dialect Where the engine's argv differs from docker's; default docker's own.
 * @returns `["run", …options, image, …command]`: run-docker's options in a fixed order, then
 *   the configuration's `docker_args`, then the user's docker options as typed, then the image
 *   reference and the command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun } from "../run_args.ts";
 * import { renderDockerArgs } from "./docker.ts";
 * import { exampleInput } from "../../../tests/fixtures.ts";
 * const { spec } = planRun(exampleInput(["zppz/app:1", "true"]));
 * assert.deepEqual(renderDockerArgs(spec).slice(0, 3), ["run", "--rm", "--init"]);
 * ```
 */
export function renderDockerArgs(spec: RunSpec, dialect: Dialect = DOCKER): string[] {
  const args = ["run"];
  const option = (name: string, value: string | boolean | undefined) => {
    if (value === true) args.push(`--${name}`);
    else if (typeof value === "string") args.push(`--${name}`, value);
  };
  option("rm", spec.remove);
  option("init", spec.init);
  if (spec.nameSet) option("name", spec.name);
  option("interactive", spec.interactive);
  option("tty", spec.tty);
  option("user", spec.user);
  args.push(...dialect.identity(spec));
  option("workdir", spec.workdir);
  option("memory", spec.memory);
  option("shm-size", spec.shmSize);
  option("gpus", spec.gpus);
  if (spec.pullNever) args.push("--pull", "never");
  for (const [key, value] of spec.labels) args.push("--label", `${key}=${value}`);
  for (const mount of spec.mounts) args.push(...mountArgs(mount, dialect));
  for (const volume of spec.volumes) args.push("--volume", volume);
  for (const port of spec.ports) args.push("--publish", port);
  for (const entry of spec.env) {
    args.push("--env", "value" in entry ? `${entry.name}=${entry.value}` : entry.name);
  }
  if (spec.notebook !== undefined) {
    args.push("--publish", spec.notebook.publish);
    if (spec.notebook.tokenByName) args.push("--env", "JUPYTER_TOKEN");
  }
  args.push(...spec.passThrough.config);
  for (const pass of spec.passThrough.commandLine) args.push(...pass.tokens);
  args.push(dialect.reference(spec.image.reference), ...spec.command);
  return args;
}

function mountArgs(mount: MountSpec, dialect: Dialect): string[] {
  if (mount.kind === "tmpfs") return ["--tmpfs", dialect.tmpfs(mount)];
  if (mount.relabel) {
    // --mount cannot relabel; -v can. decideRun refuses a source with ':' first (-v splits on it).
    const options = mount.readOnly ? "ro,z" : "z";
    return ["--volume", `${mount.source}:${mount.target}:${options}`];
  }
  const value = bindMount(mount.source, mount.target);
  return ["--mount", mount.readOnly ? `${value},readonly` : value];
}

/**
 * The value of `--mount` for a bind mount, CSV-quoted where docker's CSV
 * reader needs it (a field with `,`, `"` or a line break).
 *
 * @param source Absolute host path; any characters.
 * @param target Absolute container path.
 * @returns e.g. `type=bind,source=/a/b,target=/c`, or `type=bind,"source=/a,b",target=/c`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bindMount } from "./docker.ts";
 * assert.equal(bindMount('/x/a,"b', "/t"), 'type=bind,"source=/x/a,""b",target=/t');
 * ```
 */
export function bindMount(source: string, target: string): string {
  return ["type=bind", `source=${source}`, `target=${target}`].map(csvField).join(",");
}

function csvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
