/**
 * What to do about the engine or a folder, in the words of each host OS: Linux's hints
 * (`systemctl`, the `docker` group, sudo) mean nothing on a Mac with Docker Desktop or Colima,
 * or in PowerShell.
 *
 * Pure module: the OS comes in.
 *
 * @module
 */

/** The hint lines that differ by OS. */
export interface PlatformHints {
  /** No docker CLI: how to get one. */
  readonly installDocker: string;
  /** Neither docker nor podman: how to get one. */
  readonly installEngine: string;
  /** The engine does not answer: how to start it. */
  readonly startEngine: string;
  /** The engine's socket refuses this user. */
  readonly socketDenied: string;
  /** A folder of the binary that this user may not write (`--self-update`). */
  readonly writeAsAdmin: string;
}

const LINUX: PlatformHints = {
  installDocker: "install Docker (Debian: apt-get install docker.io)",
  installEngine:
    "install Docker (Debian: apt-get install docker.io) or podman (apt-get install podman)",
  startEngine: "start the engine (e.g. sudo systemctl start docker)",
  socketDenied: "add your user to the 'docker' group (then log in again), or use sudo",
  writeAsAdmin: "run it with sudo",
};

const MACOS: PlatformHints = {
  installDocker:
    "install Docker Desktop, OrbStack, Rancher Desktop or Colima (brew install colima docker)",
  installEngine:
    "install Docker Desktop, OrbStack, Rancher Desktop or Colima (brew install colima docker), " +
    "or podman (brew install podman)",
  startEngine:
    "start the engine (open Docker Desktop, OrbStack or Rancher Desktop, or colima start)",
  socketDenied: "restart the engine (Docker Desktop, OrbStack, or colima restart)",
  writeAsAdmin: "run it with sudo",
};

const WINDOWS: PlatformHints = {
  installDocker: "install Docker Desktop (winget install Docker.DockerDesktop)",
  installEngine: "install Docker Desktop (winget install Docker.DockerDesktop) or Podman Desktop",
  startEngine: "start Docker Desktop (and wait until it says the engine is running)",
  socketDenied:
    "add your user to the 'docker-users' group (then sign out and in), or start Docker Desktop",
  writeAsAdmin: "run it from a terminal opened as administrator",
};

/**
 * The hints for a host OS.
 *
 * @param os `Deno.build.os`; anything not `darwin` or `windows` gets Linux's.
 * @returns The hint texts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformHints } from "./platform_hints.ts";
 * assert.match(platformHints("darwin").startEngine, /colima start/);
 * assert.match(platformHints("linux").startEngine, /systemctl/);
 * ```
 */
export function platformHints(os: string): PlatformHints {
  return os === "darwin" ? MACOS : os === "windows" ? WINDOWS : LINUX;
}

/**
 * The warning for `user: host` on a host without uids (Windows): the container then runs as
 * the image user (`docker-user`), and `HOSTUSER` is not set.
 *
 * @param containerUser The configured `user` (after `--root`, which makes it `root`).
 * @param host `uid` (undefined on Windows) and `os`.
 * @returns The warning line (without the `run-docker: warning:` prefix), or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostUserWarning } from "./platform_hints.ts";
 * assert.match(hostUserWarning("host", { os: "windows" })!, /runs as docker-user/);
 * assert.equal(hostUserWarning("host", { uid: 1000, os: "linux" }), undefined);
 * ```
 */
export function hostUserWarning(
  containerUser: string,
  host: { readonly uid?: number; readonly os: string },
): string | undefined {
  if (containerUser !== "host" || host.uid !== undefined) return undefined;
  return `user: host needs your numeric uid, which ${
    host.os === "windows" ? "Windows does not have" : "this host does not report"
  }: the container runs as docker-user, and HOSTUSER is not set`;
}

/**
 * Why `-t` must be left out although stdin and stdout look like a terminal: Git Bash's mintty
 * without ConPTY hands programs an MSYS pty, a named pipe that Deno counts as a terminal but
 * docker.exe does not ("the input device is not a TTY. If you are using mintty, try prefixing
 * the command with 'winpty'"). With ConPTY (`MSYS=enable_pcon`) or in Windows Terminal
 * (`WT_SESSION`) stdin is a real console and `-t` works.
 *
 * @param host `os` and the environment view: `MSYSTEM` (set by Git Bash and MSYS2: `MINGW64`),
 *   `MSYS`, `WT_SESSION`.
 * @returns The reason, for `--explain`; `undefined` when `-t` may be given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { msysPipeReason } from "./platform_hints.ts";
 * assert.match(msysPipeReason({ os: "windows", env: { MSYSTEM: "MINGW64" } })!, /mintty/);
 * assert.equal(msysPipeReason({ os: "windows", env: {} }), undefined);
 * ```
 */
export function msysPipeReason(
  host: { readonly os: string; readonly env: Readonly<Record<string, string | undefined>> },
): string | undefined {
  const { MSYSTEM, MSYS, WT_SESSION } = host.env;
  if (host.os !== "windows" || !MSYSTEM) return undefined;
  if (WT_SESSION || /(^|\s)enable_pcon(\s|$)/.test(MSYS ?? "")) return undefined;
  return `left out -t: stdin is Git Bash's mintty pipe (MSYSTEM=${MSYSTEM}), not a console, ` +
    "and docker.exe refuses it as a TTY; for a TTY run in Windows Terminal, or with winpty";
}
