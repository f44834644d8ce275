/**
 * Where each host OS keeps the files run-docker reads besides its own: the system configuration,
 * docker's client folder (`config.json`: credentials, the current context) and the folders of
 * per-registry CA files (`certs.d`). One place, so every reader agrees.
 *
 * - Linux and macOS: `/etc/run-docker/config.yaml`, `/etc/docker/certs.d`.
 * - Windows: `%ProgramData%\run-docker\config.yaml` and `%ProgramData%\docker\certs.d` (docker's
 *   own), a folder only administrators may write. Never `/etc/…`, which Windows would read as
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

/** `%ProgramData%` when it is an absolute Windows path (`C:\ProgramData`, `\\server\share`). */
function programData(env: Environment): string | undefined {
  const dir = env.PROGRAMDATA;
  return dir !== undefined && /^([A-Za-z]:[\\/]|\\\\[^\\]+\\[^\\]+)/.test(dir) ? dir : undefined;
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
