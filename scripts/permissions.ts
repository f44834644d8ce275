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
