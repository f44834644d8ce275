/**
 * The Deno permission flags run-docker runs with: one list, used by
 * `deno task compile`, the bundle runner (`dist/run-docker`), the end-to-end
 * tests and the benchmark, so what the binary may do is what is tested.
 *
 * Least privilege that still does the job: no `--allow-all`, no FFI.
 * - read: stdin's kind, the source tree, PATH lookup of the docker CLI
 * - write: creating ~/work/data and ~/work/log
 * - env: HOME, PATH, DOCKER_HOST, RUN_DOCKER_*
 * - run: the docker CLI (whatever RUN_DOCKER_DOCKER names)
 * - sys: uid/gid, host name, kernel release, network interfaces (HOST_IP, HOST_UNAME)
 * - net: the notebook port check (and the registry, later)
 *
 * @module
 */

/** Flags for `deno run` / `deno compile`, in the order given. */
export const PERMISSION_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys=hostname,osRelease,uid,gid,networkInterfaces",
  "--allow-net",
];
