/**
 * The data the options builder needs from the outside world: host facts and
 * settings. Gathered by the edge (`lib/host.ts`) once, then passed in.
 *
 * Pure module: types and defaults only.
 *
 * @module
 */

import { defaultSettings } from "./config/settings.ts";

/** Facts about the host, gathered once by {@link gatherHostFacts} in `lib/host.ts`. */
export interface HostFacts {
  /** Absolute home directory of the invoking user, e.g. `/home/zepu`. */
  readonly home: string;
  /** Current working directory, for relative `--host*dir` values. */
  readonly cwd: string;
  /** Name of the effective user (its uid in /etc/passwd, else `$USER`), e.g. `zepu`. */
  readonly user: string;
  /** Numeric uid of the invoking user; `undefined` on Windows. */
  readonly uid?: number;
  /** Numeric primary gid of the invoking user; `undefined` on Windows. */
  readonly gid?: number;
  /** `Deno.build.os`: `"linux"`, `"darwin"`, `"windows"`, … */
  readonly os: string;
  /** Host name, for `HOST_UNAME` (`Deno.hostname()`). */
  readonly hostname: string;
  /** Kernel release, for `HOST_UNAME` (`Deno.osRelease()`, e.g. `6.1.0-18-amd64`). */
  readonly osRelease: string;
  /** Machine architecture, for `HOST_UNAME` (`Deno.build.arch`: `x86_64`, `aarch64`). */
  readonly arch: string;
  /** The host's IPv4 address for others (`pickHostIp` of lib/core/host_ip.ts), when it has one. */
  readonly hostIp?: string;
  /** IANA time zone of the host, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** The host's offset from UTC at `now`, in minutes (`+120` for Berlin in summer). */
  readonly utcOffsetMinutes: number;
  /** The current time. */
  readonly now: Date;
  /** Whether stdin is a TTY. */
  readonly stdinIsTty: boolean;
  /** Whether stdout is a TTY. */
  readonly stdoutIsTty: boolean;
  /** Which of the directories the caller asked about exist (absolute paths, as asked). */
  readonly existingDirs: ReadonlySet<string>;
  /** The environment variables run-docker reads (e.g. `RUN_DOCKER_WORKDIR`), by name. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What the builder takes from the configuration (see `lib/config/`), for one image. */
export interface Settings {
  /** `auto` (default), `docker-user`, `root`, `host` (the invoking uid:gid), a name or uid[:gid]. */
  readonly containerUser: string;
  /** Home directory of that user in the image. */
  readonly containerHome: string;
  /** `--memory` default, docker size syntax. */
  readonly memory: string;
  /** `--shm-size` default, docker size syntax. */
  readonly shmSize: string;
  /** Host port (and container port) of the notebook. */
  readonly notebookPort: number;
  /** Host address the notebook port is published on. */
  readonly notebookBind: string;
  /** `TZ` in the container; `undefined`: the host's zone. */
  readonly timeZone?: string;
  /** Whether to add `--init`. */
  readonly init: boolean;
  /** `--gpus` value, when set. */
  readonly gpus?: string;
  /** Extra environment; a `null` value passes the host's value by name. */
  readonly env: Readonly<Record<string, string | null>>;
  /** Extra `--volume` values (`host:container[:opts]`), in order. */
  readonly volumes: readonly string[];
  /** Extra `--publish` values (`[ip:]host:container[/proto]`), in order. */
  readonly ports: readonly string[];
  /** Extra raw docker options (tokens), placed before the command line's. */
  readonly dockerArgs: readonly string[];
  /** The command to run when the command line gives none. */
  readonly command?: readonly string[];
  /** Where each setting came from (`default`, `file:line`, `env VAR`, `option --x`), for --explain. */
  readonly provenance?: ReadonlyMap<string, string>;
}

/**
 * Built-in defaults: the configuration's defaults (`DEFAULT_CONFIG` of `lib/config/schema.ts`,
 * the one place they are written) as settings.
 */
export const DEFAULT_SETTINGS: Settings = defaultSettings();
