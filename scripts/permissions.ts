/**
 * The Deno permission flags run-docker runs with: one list, used by
 * `deno task compile`, the bundle runner (`dist/run-docker`), the end-to-end
 * tests and the benchmark, so what the binary may do is what is tested.
 *
 * Least privilege that still does the job: no `--allow-all`, no FFI.
 * - read: stdin's kind, the source tree, PATH lookup of the docker CLI
 * - write: creating ~/work/data and ~/work/log
 * - env: HOME, PATH, DOCKER_HOST, RUN_DOCKER_*
 * - run: the docker CLI (whatever RUN_DOCKER_ENGINE names)
 * - sys: uid/gid, host name, kernel release, network interfaces (HOST_IP, HOST_UNAME)
 * - net: the notebook port check (and the registry, later)
 *
 * @module
 */

/** Flags for `deno run` / `deno compile`, in the order given. */
export const PERMISSION_FLAGS: readonly string[] = [
  "--no-prompt", // the binary never asks; a missing permission is an error
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys=hostname,osRelease,uid,gid,networkInterfaces",
  "--allow-net",
];

/**
 * Where TLS trust comes from: Mozilla's roots and the OS's own store (the macOS Keychain, the
 * Windows certificate store, Linux's /etc/ssl), so that a company root CA that Docker Desktop and
 * `docker pull` trust is trusted by the tag lookup too. `deno compile` bakes the variable's value
 * into the binary; the launcher sets it.
 */
export const TLS_CA_STORE = "mozilla,system";

/** The environment `deno compile` and `deno run` get for run-docker. */
export const DENO_ENV: Readonly<Record<string, string>> = { DENO_TLS_CA_STORE: TLS_CA_STORE };

/**
 * The text of `dist/run-docker.sh`, the launcher of the bundle: deno with
 * {@link PERMISSION_FLAGS} and {@link DENO_ENV}, on `run-docker.js` beside the (resolved) launcher.
 *
 * @returns A POSIX sh script.
 */
export function launcherScript(): string {
  const quoted = PERMISSION_FLAGS.map((f) => `'${f}'`).join(" ");
  const env = Object.entries(DENO_ENV).map(([k, v]) => `${k}='${v}'`).join(" ");
  // DENO_NO_UPDATE_CHECK: deno would otherwise look for a newer deno on the network, even with --local.
  return `#!/bin/sh\nself=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")\n` +
    `DENO_NO_UPDATE_CHECK=1 ${env} exec deno run --quiet ${quoted} "$(dirname "$self")/run-docker.js" "$@"\n`;
}

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/**
 * run-docker as shipped, for the end-to-end tests and the benchmarks:
 * `RUN_DOCKER_BIN` (a compiled binary) when set, else `dist/run-docker.js`
 * run by deno with {@link PERMISSION_FLAGS}.
 *
 * @param args run-docker's arguments.
 * @returns `[program, args]`.
 */
export function runDockerCommand(args: string[]): [program: string, args: string[]] {
  const bin = Deno.env.get("RUN_DOCKER_BIN");
  if (bin) return [bin, args];
  return [Deno.execPath(), [
    "run",
    "--quiet",
    ...PERMISSION_FLAGS,
    `${ROOT}dist/run-docker.js`,
    ...args,
  ]];
}
