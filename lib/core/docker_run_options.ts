/**
 * The options of `docker run`, as data.
 *
 * Taken from `docker run --help` of the docker CLI 28 (every option it lists
 * except `--help`, which is run-docker's own). `tests/docker_run_options_test.ts`
 * checks this table against the help text of the docker CLI on the machine
 * when there is one, so a newer CLI's additions show up as a failing test.
 *
 * Pure module: no I/O.
 *
 * @module
 */

/**
 * What an option's value is, for shell completion and `--help`: no value (a
 * switch), free text, a file, a directory, or one of a list.
 */
export type ValueHint =
  | { readonly kind: "none" }
  | { readonly kind: "text" }
  | { readonly kind: "file" }
  | { readonly kind: "directory" }
  | { readonly kind: "choice"; readonly values: readonly string[] };

/** One option of `docker run`. */
export interface DockerRunOption {
  /** Long name without the leading `--`, e.g. `"memory"`. */
  readonly long: string;
  /** One-letter short name without the `-`, e.g. `"m"`; absent when there is none. */
  readonly short?: string;
  /** Whether the option takes a value (`--cpus 2`); `false` for booleans (`--rm`). */
  readonly takesValue: boolean;
  /** Whether docker accumulates repeated uses (`-e A=1 -e B=2`) instead of keeping the last. */
  readonly repeatable: boolean;
  /** What the value is, when more is known than "text" (a file, one of a list). */
  readonly hint?: ValueHint;
}

/**
 * What a docker option's value is: its {@link DockerRunOption.hint}, else
 * `none` for a boolean and `text` for a value option.
 *
 * @param option A row of {@link DOCKER_RUN_OPTIONS}.
 * @returns The hint.
 */
export function dockerValueHint(option: DockerRunOption): ValueHint {
  return option.hint ?? { kind: option.takesValue ? "text" : "none" };
}

const FILE = { kind: "file" } as const;

/** Every option of `docker run` of the docker CLI 28, sorted by long name. */
export const DOCKER_RUN_OPTIONS: readonly DockerRunOption[] = [
  { long: "add-host", takesValue: true, repeatable: true },
  { long: "annotation", takesValue: true, repeatable: true },
  { long: "attach", short: "a", takesValue: true, repeatable: true },
  { long: "blkio-weight", takesValue: true, repeatable: false },
  { long: "blkio-weight-device", takesValue: true, repeatable: true },
  { long: "cap-add", takesValue: true, repeatable: true },
  { long: "cap-drop", takesValue: true, repeatable: true },
  { long: "cgroup-parent", takesValue: true, repeatable: false },
  { long: "cgroupns", takesValue: true, repeatable: false },
  { long: "cidfile", takesValue: true, repeatable: false, hint: FILE },
  { long: "cpu-count", takesValue: true, repeatable: false },
  { long: "cpu-percent", takesValue: true, repeatable: false },
  { long: "cpu-period", takesValue: true, repeatable: false },
  { long: "cpu-quota", takesValue: true, repeatable: false },
  { long: "cpu-rt-period", takesValue: true, repeatable: false },
  { long: "cpu-rt-runtime", takesValue: true, repeatable: false },
  { long: "cpu-shares", short: "c", takesValue: true, repeatable: false },
  { long: "cpus", takesValue: true, repeatable: false },
  { long: "cpuset-cpus", takesValue: true, repeatable: false },
  { long: "cpuset-mems", takesValue: true, repeatable: false },
  { long: "detach", short: "d", takesValue: false, repeatable: false },
  { long: "detach-keys", takesValue: true, repeatable: false },
  { long: "device", takesValue: true, repeatable: true },
  { long: "device-cgroup-rule", takesValue: true, repeatable: true },
  { long: "device-read-bps", takesValue: true, repeatable: true },
  { long: "device-read-iops", takesValue: true, repeatable: true },
  { long: "device-write-bps", takesValue: true, repeatable: true },
  { long: "device-write-iops", takesValue: true, repeatable: true },
  { long: "disable-content-trust", takesValue: false, repeatable: false },
  { long: "dns", takesValue: true, repeatable: true },
  { long: "dns-option", takesValue: true, repeatable: true },
  { long: "dns-search", takesValue: true, repeatable: true },
  { long: "domainname", takesValue: true, repeatable: false },
  { long: "entrypoint", takesValue: true, repeatable: false },
  { long: "env", short: "e", takesValue: true, repeatable: true },
  { long: "env-file", takesValue: true, repeatable: true, hint: FILE },
  { long: "expose", takesValue: true, repeatable: true },
  { long: "gpus", takesValue: true, repeatable: false },
  { long: "group-add", takesValue: true, repeatable: true },
  { long: "health-cmd", takesValue: true, repeatable: false },
  { long: "health-interval", takesValue: true, repeatable: false },
  { long: "health-retries", takesValue: true, repeatable: false },
  { long: "health-start-interval", takesValue: true, repeatable: false },
  { long: "health-start-period", takesValue: true, repeatable: false },
  { long: "health-timeout", takesValue: true, repeatable: false },
  { long: "hostname", short: "h", takesValue: true, repeatable: false },
  { long: "init", takesValue: false, repeatable: false },
  { long: "interactive", short: "i", takesValue: false, repeatable: false },
  { long: "io-maxbandwidth", takesValue: true, repeatable: false },
  { long: "io-maxiops", takesValue: true, repeatable: false },
  { long: "ip", takesValue: true, repeatable: false },
  { long: "ip6", takesValue: true, repeatable: false },
  { long: "ipc", takesValue: true, repeatable: false },
  { long: "isolation", takesValue: true, repeatable: false },
  { long: "kernel-memory", takesValue: true, repeatable: false },
  { long: "label", short: "l", takesValue: true, repeatable: true },
  { long: "label-file", takesValue: true, repeatable: true, hint: FILE },
  { long: "link", takesValue: true, repeatable: true },
  { long: "link-local-ip", takesValue: true, repeatable: true },
  { long: "log-driver", takesValue: true, repeatable: false },
  { long: "log-opt", takesValue: true, repeatable: true },
  { long: "mac-address", takesValue: true, repeatable: false },
  { long: "memory", short: "m", takesValue: true, repeatable: false },
  { long: "memory-reservation", takesValue: true, repeatable: false },
  { long: "memory-swap", takesValue: true, repeatable: false },
  { long: "memory-swappiness", takesValue: true, repeatable: false },
  { long: "mount", takesValue: true, repeatable: true },
  { long: "name", takesValue: true, repeatable: false },
  { long: "network", takesValue: true, repeatable: false },
  { long: "network-alias", takesValue: true, repeatable: true },
  { long: "no-healthcheck", takesValue: false, repeatable: false },
  { long: "oom-kill-disable", takesValue: false, repeatable: false },
  { long: "oom-score-adj", takesValue: true, repeatable: false },
  { long: "pid", takesValue: true, repeatable: false },
  { long: "pids-limit", takesValue: true, repeatable: false },
  { long: "platform", takesValue: true, repeatable: false },
  { long: "privileged", takesValue: false, repeatable: false },
  { long: "publish", short: "p", takesValue: true, repeatable: true },
  { long: "publish-all", short: "P", takesValue: false, repeatable: false },
  {
    long: "pull",
    takesValue: true,
    repeatable: false,
    hint: { kind: "choice", values: ["always", "missing", "never"] },
  },
  { long: "quiet", short: "q", takesValue: false, repeatable: false },
  { long: "read-only", takesValue: false, repeatable: false },
  { long: "restart", takesValue: true, repeatable: false },
  { long: "rm", takesValue: false, repeatable: false },
  { long: "runtime", takesValue: true, repeatable: false },
  { long: "security-opt", takesValue: true, repeatable: true },
  { long: "shm-size", takesValue: true, repeatable: false },
  { long: "sig-proxy", takesValue: false, repeatable: false },
  { long: "stop-signal", takesValue: true, repeatable: false },
  { long: "stop-timeout", takesValue: true, repeatable: false },
  { long: "storage-opt", takesValue: true, repeatable: true },
  { long: "sysctl", takesValue: true, repeatable: true },
  { long: "tmpfs", takesValue: true, repeatable: true },
  { long: "tty", short: "t", takesValue: false, repeatable: false },
  { long: "ulimit", takesValue: true, repeatable: true },
  { long: "use-api-socket", takesValue: false, repeatable: false },
  { long: "user", short: "u", takesValue: true, repeatable: false },
  { long: "userns", takesValue: true, repeatable: false },
  { long: "uts", takesValue: true, repeatable: false },
  { long: "volume", short: "v", takesValue: true, repeatable: true },
  { long: "volume-driver", takesValue: true, repeatable: false },
  { long: "volumes-from", takesValue: true, repeatable: true },
  { long: "workdir", short: "w", takesValue: true, repeatable: false },
];
