/**
 * Where each host OS keeps the files run-docker reads besides its own: the system configuration,
 * docker's client folder (`config.json`: credentials, the current context) and the folders of
 * per-registry CA files (`certs.d`). One place, so every reader agrees.
 *
 * - Linux and macOS: `/etc/run-docker/config.yaml`, `/etc/docker/certs.d`.
 * - Windows: `%ProgramData%\run-docker\config.yaml` and `%ProgramData%\docker\certs.d` (docker's
 *   own). By default any user may create a folder in `%ProgramData%` (and owns it), and
 *   run-docker cannot read Windows ACLs: an administrator makes these folders first, writable by
 *   Administrators only (README, Platforms). Never `/etc/…`, which Windows would read as
 *   `<current drive>:\etc\…`, a folder any user may create. Without an absolute `%ProgramData%`
 *   there is no system file and no system CA folder.
 * - Everywhere: docker's client folder is `$DOCKER_CONFIG`, else `<home>/.docker` with the home
 *   host facts found (`%USERPROFILE%` on Windows, where PowerShell and cmd set no HOME); the
 *   user's CA files are in `<home>/.docker/certs.d`, as Docker Desktop reads them.
 *
 * Pure module: the environment and the home come in.
 *
 * @module
 */

import type { Environment } from "./environment.ts";
import { hostPath } from "./host_path.ts";

/** What the places are made of: the OS, the home host facts found, the environment view. */
export interface HostPlaces {
  /** `Deno.build.os`. */
  readonly os: string;
  /** The invoking user's home, absolute (`C:\Users\zepu` on Windows). */
  readonly home: string;
  /** The environment view (`lib/core/environment.ts`): `DOCKER_CONFIG`, `PROGRAMDATA`. */
  readonly env: Environment;
}

/** The system file on Linux and macOS. */
export const POSIX_SYSTEM_CONFIG = "/etc/run-docker/config.yaml";

/** An absolute Windows path: `C:\…`, `C:/…` or a UNC `\\server\share` (either slash). */
const WINDOWS_ABSOLUTE = /^([A-Za-z]:[\\/]|[\\/]{2}[^\\/]+[\\/][^\\/]+)/;

/**
 * Whether a path is absolute on Windows: a drive (`C:\…`, `C:/…`) or a UNC share.
 *
 * @param path Any path.
 * @returns `true` for `C:\x`, `C:/x`, `\\nas\share`, `//nas/share`; `false` for `\\nas`, `x`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWindowsAbsolute } from "./platform_paths.ts";
 * assert.equal(isWindowsAbsolute("C:\\work"), true);
 * assert.equal(isWindowsAbsolute("\\\\nas\\share\\work"), true);
 * assert.equal(isWindowsAbsolute("work"), false);
 * ```
 */
export function isWindowsAbsolute(path: string): boolean {
  return WINDOWS_ABSOLUTE.test(path);
}

/** `%ProgramData%` when it is an absolute Windows path (`C:\ProgramData`, `\\server\share`). */
function programData(env: Environment): string | undefined {
  const dir = env.PROGRAMDATA;
  return dir !== undefined && isWindowsAbsolute(dir) ? dir : undefined;
}

/**
 * The system configuration file of this OS.
 *
 * @param host `os` and `env`.
 * @returns An absolute path, or `undefined` on Windows without an absolute `%ProgramData%`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemConfigFile } from "./platform_paths.ts";
 * assert.equal(systemConfigFile({ os: "darwin", env: {} }), "/etc/run-docker/config.yaml");
 * assert.equal(
 *   systemConfigFile({ os: "windows", env: { PROGRAMDATA: "C:\\ProgramData" } }),
 *   "C:/ProgramData/run-docker/config.yaml",
 * );
 * assert.equal(systemConfigFile({ os: "windows", env: {} }), undefined);
 * ```
 */
export function systemConfigFile(host: Pick<HostPlaces, "os" | "env">): string | undefined {
  if (host.os !== "windows") return POSIX_SYSTEM_CONFIG;
  const dir = programData(host.env);
  return dir === undefined ? undefined : hostPath("windows").join(dir, "run-docker", "config.yaml");
}

/**
 * docker's client folder: `$DOCKER_CONFIG`, else `<home>/.docker`.
 *
 * @param host `os`, `home`, `env`.
 * @returns A path (as `DOCKER_CONFIG` gives it, or joined for the OS).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dockerConfigDir } from "./platform_paths.ts";
 * assert.equal(dockerConfigDir({ os: "linux", home: "/home/z", env: {} }), "/home/z/.docker");
 * assert.equal(dockerConfigDir({ os: "linux", home: "/home/z", env: { DOCKER_CONFIG: "/d" } }), "/d");
 * assert.equal(dockerConfigDir({ os: "windows", home: "C:\\Users\\z", env: {} }), "C:/Users/z/.docker");
 * ```
 */
export function dockerConfigDir(host: HostPlaces): string {
  return host.env.DOCKER_CONFIG || hostPath(host.os).join(host.home, ".docker");
}

/**
 * The folders whose `*.crt` files are trusted for one registry, system first.
 *
 * @param registry `host[:port]`, e.g. `registry.example.com:5000`.
 * @param host `os`, `home`, `env`.
 * @returns Absolute folder paths, e.g. `/etc/docker/certs.d/<registry>` and
 *   `<home>/.docker/certs.d/<registry>`; on Windows `%ProgramData%\docker\certs.d\<registry>`
 *   (left out without an absolute `%ProgramData%`) and the home's.
 */
export function certsDirs(registry: string, host: HostPlaces): string[] {
  const path = hostPath(host.os);
  const system = host.os === "windows"
    ? programData(host.env) && path.join(programData(host.env)!, "docker", "certs.d", registry)
    : `/etc/docker/certs.d/${registry}`;
  return [
    ...(system ? [system] : []),
    path.join(host.home, ".docker", "certs.d", registry),
  ];
}

/**
 * run-docker's cache folder (the `user: auto` answers, the `user: host` passwd and group files):
 * `$XDG_CACHE_HOME/run-docker` (an absolute one) else `<home>/.cache/run-docker` on Linux and the
 * other Unixes; `<home>/Library/Caches/run-docker` on macOS (under the home that Docker Desktop,
 * Colima, OrbStack and Rancher Desktop all share with their VM, unlike `$TMPDIR`);
 * `%LOCALAPPDATA%\run-docker` on Windows.
 *
 * @param host `os`, `home`, `env` (`XDG_CACHE_HOME`, `LOCALAPPDATA`).
 * @returns An absolute path, or `undefined` when the home is not absolute (no cache then).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheDir } from "./platform_paths.ts";
 * assert.equal(cacheDir({ os: "linux", home: "/home/z", env: {} }), "/home/z/.cache/run-docker");
 * assert.equal(cacheDir({ os: "linux", home: "/home/z", env: { XDG_CACHE_HOME: "/c" } }), "/c/run-docker");
 * assert.equal(cacheDir({ os: "darwin", home: "/Users/z", env: {} }), "/Users/z/Library/Caches/run-docker");
 * ```
 */
export function cacheDir(host: HostPlaces): string | undefined {
  const path = hostPath(host.os);
  if (host.os === "windows") {
    const absolute = (p: string | undefined) => p !== undefined && isWindowsAbsolute(p);
    const local = host.env.LOCALAPPDATA;
    const base = absolute(local)
      ? local!
      : absolute(host.home)
      ? path.join(host.home, "AppData", "Local")
      : undefined;
    return base === undefined ? undefined : path.join(base, "run-docker");
  }
  if (!host.home.startsWith("/")) return undefined;
  if (host.os === "darwin") return path.join(host.home, "Library", "Caches", "run-docker");
  const xdg = host.env.XDG_CACHE_HOME;
  return path.join(xdg?.startsWith("/") ? xdg : path.join(host.home, ".cache"), "run-docker");
}
