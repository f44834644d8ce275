/**
 * The run model: one typed {@link RunSpec} that says what a run is, whatever
 * renders it (docker argv, Compose, Kubernetes, JSON). As in docker/cli's
 * `containerOptions` → `containerConfig`, the command line is parsed and
 * validated first; this module turns it, the host facts, the settings and
 * the resolved image into the spec; renderers in `lib/render/` never decide.
 *
 * Pure module: reads nothing; every fact comes in as data.
 *
 * @module
 */

import type { ImageUser, UserPlace } from "./user.ts";
import type { EngineKind } from "./engine_kind.ts";
import type { HostFacts, Settings } from "./facts.ts";
import type { HostLayout } from "./layout.ts";
import type { ImageReference } from "./reference.ts";
import type { RunOwner } from "./labels.ts";
import type { PassThrough } from "./cli.ts";
import type { ValidRunRequest } from "./request.ts";

/** A bind mount of a host path, or a tmpfs. Paths are absolute. */
export type MountSpec =
  | {
    readonly kind: "bind";
    /** What the mount is for: `src`, `data`, `log`, `passwd`, `group`. */
    readonly role: "src" | "data" | "log" | "passwd" | "group";
    /** Host path (any characters; renderers quote as their format needs). */
    readonly source: string;
    /** Container path. */
    readonly target: string;
    readonly readOnly: boolean;
    /**
     * Relabel the source with SELinux's shared label (`z`) so the container may use it; set only
     * on run-docker's own `src`, `data` and `log` mounts, when SELinux relabelling is on.
     */
    readonly relabel?: true;
  }
  | {
    readonly kind: "tmpfs";
    /** What the mount is for: `home` (a writable HOME for another uid). */
    readonly role: "home";
    readonly target: string;
    /** Owner of the tmpfs root. */
    readonly uid: number;
    readonly gid: number;
    /** Octal mode of the tmpfs root, e.g. `"0755"`. */
    readonly mode: string;
    /** Whether programs may run from it. */
    readonly exec: boolean;
  };

/**
 * One environment entry: a literal value, or a name whose value the engine
 * takes from its own environment (`-e NAME`, Compose's bare `NAME`).
 */
export type EnvSpec =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly byName: true };

/** The notebook shortcut's port and token, when the command is `notebook`. */
export interface NotebookSpec {
  /** `--publish` value, `ADDRESS:PORT:PORT`. */
  readonly publish: string;
  /** Whether `JUPYTER_TOKEN` goes to the container by name (its value in the engine's environment). */
  readonly tokenByName: boolean;
}

/**
 * What a run is. Option fields that run-docker decides are `undefined` (or
 * `false`) when the user gave the docker option: then the user's option, in
 * {@link RunSpec.passThrough}, decides.
 */
export interface RunSpec {
  /** `dev` when the source tree is mounted, else `prod`. */
  readonly mode: "dev" | "prod";
  /** The image: its reference as resolved (tag or digest), and the registry's digest when known. */
  readonly image: { readonly reference: ImageReference; readonly digest?: string };
  /** The command and its arguments after the image (shortcuts expanded); empty: the image's. */
  readonly command: readonly string[];
  /** The container's name: the user's `--name` when given, else a unique one. */
  readonly name: string;
  /** Whether run-docker sets the name (false: the user's `--name` does). */
  readonly nameSet: boolean;
  /** Remove the container when it ends (`--rm`). */
  readonly remove: boolean;
  /** Run an init process as PID 1 (`--init`). */
  readonly init: boolean;
  /** Keep stdin open (`--interactive`). */
  readonly interactive: boolean;
  /** Allocate a TTY (`--tty`). */
  readonly tty: boolean;
  /** The container user (`name`, `uid` or `uid:gid`); absent: the image's. */
  readonly user?: string;
  /** Working directory in the container (absolute); absent: the image's. */
  readonly workdir?: string;
  /** Memory limit in docker's size syntax (`12g`); absent: none. */
  readonly memory?: string;
  /** Size of `/dev/shm` in docker's size syntax (`4g`); absent: docker's 64 MiB. */
  readonly shmSize?: string;
  /** docker's `--gpus` value (`all`); absent: no GPUs. */
  readonly gpus?: string;
  /** Never pull at run time (`--pull never`): the image is local or was just pulled. */
  readonly pullNever: boolean;
  /** Labels, in order. */
  readonly labels: readonly (readonly [string, string])[];
  /** Bind mounts and tmpfs mounts, in order. */
  readonly mounts: readonly MountSpec[];
  /** Extra volumes from settings, in `--volume` syntax (`host:container[:opts]`). */
  readonly volumes: readonly string[];
  /** Published ports from settings, in `--publish` syntax (`[ip:]host:container[/proto]`). */
  readonly ports: readonly string[];
  /** Environment, in order; entries the user set with `-e` are left out. */
  readonly env: readonly EnvSpec[];
  /** The notebook's port and token. */
  readonly notebook?: NotebookSpec;
  /** docker options from the configuration (`docker_args`), then from the command line, as tokens. */
  readonly passThrough: {
    readonly config: readonly string[];
    readonly commandLine: readonly PassThrough[];
  };
}

/** Everything {@link buildRunSpec} needs. */
export interface RunSpecInput {
  /** The validated command line. */
  readonly request: ValidRunRequest;
  /** The image to run, with the tag (or digest) resolved. */
  readonly image: ImageReference;
  /** The registry's digest of that tag, when the lookup gave one. */
  readonly digest?: string;
  /** Host facts, with `existingDirs` covering `layout.srcDir`. */
  readonly host: HostFacts;
  /** Host directories, from `planLayout`. */
  readonly layout: HostLayout;
  /** Settings for this image. */
  readonly settings: Settings;
  /** run-docker's version, for the `run-docker.version` label. */
  readonly version: string;
  /** 4 random hex digits that make the default container name unique. */
  readonly nonce: string;
  /** Who runs it (host name, pid, detached), for the labels; absent when nothing runs here. */
  readonly owner?: RunOwner;
  /** Jupyter token for the `notebook` command (random, made by the caller; for `--dry-run`,
   * `$JUPYTER_TOKEN`, as the printed line's shell expands it). When set, the token goes to the
   * container by name (`--env JUPYTER_TOKEN`) and its value in the engine's environment. */
  readonly notebookToken?: string;
  /** The image was just pulled, or must be local: `--pull never`. */
  readonly pullNever?: boolean;
  /** For `user: host`: host paths of the generated passwd and group files to mount. */
  readonly hostUserFiles?: { readonly passwd: string; readonly group: string };
  /**
   * Relabel the `src`, `data` and `log` mounts for SELinux, and why (for `--explain`). The
   * caller has checked their sources (see `relabelProblem` in `lib/core/decide.ts`).
   */
  readonly relabel?: { readonly why: string };
  /** The engine that runs it (how the argv is rendered); default docker. */
  readonly engine?: EngineKind;
  /** For `user: auto`: the image's user as read from the image; absent: docker-user, uid 1000. */
  readonly imageUser?: ImageUser;
  /** For `user: auto`: where the container runs; default `desktop` on macOS and Windows, else
   * `local`. */
  readonly userPlace?: UserPlace;
}
