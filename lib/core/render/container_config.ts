/**
 * A {@link RunSpec} with the user's docker options folded in: what the
 * container gets, for renderers that cannot pass docker options through as
 * tokens (Compose, Kubernetes). docker/cli's `containerConfig` is the model.
 *
 * Pure module: a function of the spec alone.
 *
 * @module
 */

import { parseBool } from "../grammar.ts";
import { type GivenOption, parseRunRequest } from "../cli.ts";
import { formatReference } from "../reference.ts";
import type { EnvSpec, MountSpec, RunSpec } from "../run_spec.ts";

/** What the container gets, after the user's docker options. */
export interface ContainerConfig {
  /** The image reference as resolved (`repo:tag` or `repo@digest`). */
  readonly image: string;
  /** The registry's digest of the image (`sha256:…`), when it gave one. */
  readonly digest?: string;
  /** The container's command (argv after the image); empty: the image's own. */
  readonly command: readonly string[];
  /** The container name when run-docker or the user set one. */
  readonly name: string;
  /** The container user (`name`, `uid`, `uid:gid`), the user's `--user` applied; absent: the image's. */
  readonly user?: string;
  /** Working directory in the container, the user's `--workdir` applied; absent: the image's. */
  readonly workdir?: string;
  /** Memory limit in docker's size syntax (`12g`), the user's `--memory` applied. */
  readonly memory?: string;
  /** Size of `/dev/shm` in docker's size syntax (`4g`), the user's `--shm-size` applied. */
  readonly shmSize?: string;
  /** Whether an init process runs as PID 1 (`--init`). */
  readonly init: boolean;
  /** Whether stdin stays open (`-i`). */
  readonly interactive: boolean;
  /** Whether a TTY is allocated (`-t`). */
  readonly tty: boolean;
  /** Labels by key; the user's `--label` values replace run-docker's. */
  readonly labels: Readonly<Record<string, string>>;
  /** Bind and tmpfs mounts, in order. */
  readonly mounts: readonly MountSpec[];
  /** `--volume` values, docker's short syntax. */
  readonly volumes: readonly string[];
  /** `--publish` values, docker's syntax. */
  readonly ports: readonly string[];
  /** Environment by name, in order; a later entry for a name replaces an earlier one. */
  readonly env: readonly EnvSpec[];
  /** The user's docker options that have no field here, in order (`--cap-add`, `--network` …). */
  readonly other: readonly GivenOption[];
}

/** Options that only say how `docker run` behaves, not what the container is. */
const RUN_TIME_ONLY = new Set(["rm", "detach", "pull", "sig-proxy", "attach", "quiet"]);

/**
 * Folds the configuration's `docker_args` and the command line's docker options
 * into the spec's own values, as docker would apply them (last one wins; `-e`,
 * `-v`, `-p`, `-l` accumulate).
 *
 * @param spec The run.
 * @returns The container's configuration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun } from "../run_args.ts";
 * import { containerConfig } from "./container_config.ts";
 * import { exampleInput } from "../../../tests/fixtures.ts";
 * const { spec } = planRun(exampleInput(["--user", "0", "-e", "A=1", "zppz/app:1"]));
 * const config = containerConfig(spec);
 * assert.equal(config.user, "0");
 * assert.deepEqual(config.env.at(-1), { name: "A", value: "1" });
 * ```
 */
export function containerConfig(spec: RunSpec): ContainerConfig {
  const state: Folding = {
    scalars: {
      user: spec.user,
      workdir: spec.workdir,
      memory: spec.memory,
      shmSize: spec.shmSize,
      name: spec.name,
    },
    flags: { init: spec.init, interactive: spec.interactive, tty: spec.tty },
    labels: Object.fromEntries(spec.labels),
    volumes: [...spec.volumes],
    ports: [...spec.ports],
    env: new Map<string, EnvSpec>(spec.env.map((e) => [e.name, e])),
    other: [],
  };
  if (spec.notebook !== undefined) state.ports.push(spec.notebook.publish);
  if (spec.notebook?.tokenByName) {
    state.env.set("JUPYTER_TOKEN", { name: "JUPYTER_TOKEN", byName: true });
  }
  if (spec.gpus !== undefined) state.other.push({ long: "gpus", value: spec.gpus });
  const configOptions = spec.passThrough.config.length === 0
    ? []
    : parseRunRequest([...spec.passThrough.config, "run-docker/config:1"]).docker;
  for (const pass of [...configOptions, ...spec.passThrough.commandLine]) {
    for (const option of pass.options) fold(state, option);
  }
  return {
    image: formatReference(spec.image.reference),
    digest: spec.image.digest,
    command: spec.command,
    name: state.scalars.name ?? spec.name,
    user: state.scalars.user,
    workdir: state.scalars.workdir,
    memory: state.scalars.memory,
    shmSize: state.scalars.shmSize,
    ...state.flags,
    labels: state.labels,
    mounts: spec.mounts,
    volumes: state.volumes,
    ports: state.ports,
    env: [...state.env.values()],
    other: state.other,
  };
}

/** The container's values while the user's options are folded in. */
interface Folding {
  scalars: Record<"user" | "workdir" | "memory" | "shmSize" | "name", string | undefined>;
  flags: Record<"init" | "interactive" | "tty", boolean>;
  labels: Record<string, string>;
  volumes: string[];
  ports: string[];
  env: Map<string, EnvSpec>;
  other: GivenOption[];
}

/** docker options whose last value replaces the spec's, by option name. */
const SCALAR_OPTIONS: Readonly<Record<string, keyof Folding["scalars"]>> = {
  user: "user",
  workdir: "workdir",
  memory: "memory",
  "shm-size": "shmSize",
  name: "name",
};

/** Folds one docker option into the container's values, as docker applies it. */
function fold(state: Folding, option: GivenOption): void {
  const value = option.value ?? "";
  const [key, ...rest] = value.split("=");
  if (option.long in SCALAR_OPTIONS) {
    state.scalars[SCALAR_OPTIONS[option.long]] = value;
  } else if (option.long === "init" || option.long === "interactive" || option.long === "tty") {
    state.flags[option.long] = option.value === undefined || parseBool(option.value) === true;
  } else if (option.long === "env") {
    state.env.delete(key);
    state.env.set(
      key,
      rest.length > 0 ? { name: key, value: rest.join("=") } : { name: key, byName: true },
    );
  } else if (option.long === "label") {
    state.labels[key] = rest.join("=");
  } else if (option.long === "volume") {
    state.volumes.push(value);
  } else if (option.long === "publish") {
    state.ports.push(value);
  } else if (!RUN_TIME_ONLY.has(option.long)) {
    state.other.push(option);
  }
}
