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
 * import { exampleInput } from "../../tests/fixtures.ts";
 * const { spec } = planRun(exampleInput(["--user", "0", "-e", "A=1", "zppz/app:1"]));
 * const config = containerConfig(spec);
 * assert.equal(config.user, "0");
 * assert.deepEqual(config.env.at(-1), { name: "A", value: "1" });
 * ```
 */
export function containerConfig(spec: RunSpec): ContainerConfig {
  let { user, workdir, memory, shmSize, init, interactive, tty } = spec;
  let name = spec.name;
  const labels: Record<string, string> = Object.fromEntries(spec.labels);
  const volumes = [...spec.volumes];
  const ports = [...spec.ports];
  if (spec.notebook !== undefined) ports.push(spec.notebook.publish);
  const env = new Map<string, EnvSpec>(spec.env.map((e) => [e.name, e]));
  if (spec.notebook?.tokenByName) env.set("JUPYTER_TOKEN", { name: "JUPYTER_TOKEN", byName: true });
  const other: GivenOption[] = [];
  if (spec.gpus !== undefined) other.push({ long: "gpus", value: spec.gpus });
  const configOptions = spec.passThrough.config.length === 0
    ? []
    : parseRunRequest([...spec.passThrough.config, "run-docker/config:1"]).docker;
  for (const pass of [...configOptions, ...spec.passThrough.commandLine]) {
    for (const option of pass.options) {
      const value = option.value ?? "";
      const flag = option.value === undefined || parseBool(option.value) === true;
      switch (option.long) {
        case "env": {
          const [key, ...rest] = value.split("=");
          env.delete(key);
          env.set(
            key,
            rest.length > 0 ? { name: key, value: rest.join("=") } : { name: key, byName: true },
          );
          break;
        }
        case "user":
          user = value;
          break;
        case "workdir":
          workdir = value;
          break;
        case "memory":
          memory = value;
          break;
        case "shm-size":
          shmSize = value;
          break;
        case "name":
          name = value;
          break;
        case "init":
          init = flag;
          break;
        case "interactive":
          interactive = flag;
          break;
        case "tty":
          tty = flag;
          break;
        case "volume":
          volumes.push(value);
          break;
        case "publish":
          ports.push(value);
          break;
        case "label": {
          const [key, ...rest] = value.split("=");
          labels[key] = rest.join("=");
          break;
        }
        default:
          if (!RUN_TIME_ONLY.has(option.long)) other.push(option);
      }
    }
  }
  return {
    image: formatReference(spec.image.reference),
    digest: spec.image.digest,
    command: spec.command,
    name,
    user,
    workdir,
    memory,
    shmSize,
    init,
    interactive,
    tty,
    labels,
    mounts: spec.mounts,
    volumes,
    ports,
    env: [...env.values()],
    other,
  };
}
