/**
 * Edge module: gathers the host facts once. The only place, with
 * `lib/engine.ts` and `main.ts`, that reads the process environment, the
 * clock and the file system.
 *
 * @module
 */

import { hostPath } from "../core/host_path.ts";
import { ioReason, RunDockerError } from "../core/errors.ts";
import type { HostFacts } from "../core/facts.ts";
import { type Environment, environmentView } from "../core/environment.ts";
import { defaultRouteInterface, pickHostIp } from "../core/host_ip.ts";

/** Environment variables run-docker reads; everything else stays unread. */
export const ENV_NAMES = [
  "HOME",
  "RUN_DOCKER_WORKDIR",
  "RUN_DOCKER_DOCKER",
  "RUN_DOCKER_INSECURE_REGISTRIES",
  "RUN_DOCKER_CONFIG",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "LOCALAPPDATA",
  "RUN_DOCKER_CONTAINER_HOME",
  "RUN_DOCKER_USER",
  "RUN_DOCKER_MEMORY",
  "RUN_DOCKER_SHM_SIZE",
  "RUN_DOCKER_TIMEZONE",
  "RUN_DOCKER_NOTEBOOK_PORT",
  "RUN_DOCKER_NOTEBOOK_BIND",
  "RUN_DOCKER_INIT",
  "RUN_DOCKER_GPUS",
  "RUN_DOCKER_ENGINE",
  "DOCKER_HOST",
  "DOCKER_CONTEXT",
  "DOCKER_CONFIG",
  // Windows: where docker's system certs.d is; Git Bash (mintty) and Windows Terminal, for -t.
  "PROGRAMDATA",
  "MSYSTEM",
  "MSYS",
  "WT_SESSION",
] as const;

/**
 * The process environment, read once: the one view every look-up of a variable goes through
 * (`PATH` for the engine's CLI, `HOME`/`USERPROFILE`, `DOCKER_CONFIG`, `${VAR}` in paths).
 * On Windows names are case-insensitive: the view holds each under its upper-case name, so
 * Windows' own `Path` is found as `PATH` (see `lib/core/environment.ts`).
 *
 * @param os `Deno.build.os`; given by tests that play another OS.
 * @param entries The variables; default the process's own.
 * @returns The view.
 */
export function readEnvironment(
  os: string = Deno.build.os,
  entries: Readonly<Record<string, string>> = Deno.env.toObject(),
): Environment {
  return environmentView(entries, os);
}

/**
 * Gathers host facts. Cheap on purpose (every run pays for it): no `node:os`,
 * `node:fs` or `Intl` time zone data on the common path.
 *
 * @param dirsToCheck Absolute host paths whose existence (as directories)
 *   the caller needs to know, e.g. the dev-mode source tree.
 * @param environment The view from {@link readEnvironment}: `env` and `home` come from it.
 * @param os `Deno.build.os`; given by tests that play another OS.
 * @returns The facts; never throws: a fact that cannot be read gets a safe
 *   fallback (user `user`, zone `UTC`, no host IP).
 */
export function gatherHostFacts(
  dirsToCheck: readonly string[] = [],
  environment: Environment = readEnvironment(),
  os: string = Deno.build.os,
): HostFacts {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_NAMES) env[name] = environment[name];
  const now = new Date();
  return {
    home: homeDir(os, environment),
    cwd: Deno.cwd(),
    user: userName(),
    uid: Deno.uid() ?? undefined,
    gid: Deno.gid() ?? undefined,
    os,
    hostname: attempt(() => Deno.hostname(), "localhost"),
    osRelease: attempt(() => Deno.osRelease(), ""),
    arch: Deno.build.arch,
    hostIp: hostIp(os),
    timeZone: timeZone(),
    utcOffsetMinutes: -now.getTimezoneOffset(),
    now,
    stdinIsTty: Deno.stdin.isTerminal(),
    stdoutIsTty: Deno.stdout.isTerminal(),
    existingDirs: checkDirs(dirsToCheck),
    env,
  };
}

/**
 * The invoking user's home directory: `$HOME` (`%USERPROFILE%` on Windows),
 * else the password database.
 *
 * @param os `Deno.build.os`.
 * @param environment The view from {@link readEnvironment}.
 * @returns An absolute path.
 */
export function homeDir(
  os: string = Deno.build.os,
  environment: Environment = readEnvironment(os),
): string {
  const fromEnv = os === "windows" ? environment.USERPROFILE : environment.HOME;
  return fromEnv || (os === "windows" ? undefined : passwdEntry()?.home) || "/";
}

/**
 * The effective user's name: its uid's entry in /etc/passwd (`USER=alice` as uid 0 is root),
 * else `$USER`, `$LOGNAME` or `%USERNAME%` (Windows; a directory service's users, who are not
 * in /etc/passwd). Reading /etc/passwd costs ~20-30 µs.
 */
function userName(): string {
  return passwdEntry()?.name || Deno.env.get("USER") || Deno.env.get("LOGNAME") ||
    Deno.env.get("USERNAME") || "user";
}

/**
 * The host's IANA time zone: `$TZ` when set, else the target of the
 * `/etc/localtime` link (`…/zoneinfo/Europe/Berlin`), else `Intl` (slow: it
 * loads the time zone data), else `UTC`.
 */
function timeZone(): string {
  const tz = Deno.env.get("TZ");
  // POSIX: ":Europe/Berlin" names a zone, ":/etc/localtime" a zone file.
  if (tz && !tz.startsWith(":/")) return tz.replace(/^:/, "");
  if (Deno.build.os !== "windows") {
    const link = attempt(() => Deno.readLinkSync(tz ? tz.slice(1) : "/etc/localtime"), "");
    const zone = /zoneinfo\/(.+)$/.exec(link)?.[1];
    if (zone) return zone;
  }
  return attempt(() => Intl.DateTimeFormat().resolvedOptions().timeZone, "") || "UTC";
}

/**
 * The invoking user's entry in /etc/passwd, for hosts whose environment has
 * no HOME or USER (systemd services). Not `node:os`: loading Node
 * compatibility costs ~15 ms on every run.
 */
function passwdEntry(): { name: string; home: string } | undefined {
  const uid = Deno.uid();
  if (uid === null) return undefined;
  const text = attempt(() => Deno.readTextFileSync("/etc/passwd"), "");
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 6 && fields[2] === String(uid)) {
      return { name: fields[0], home: fields[5] };
    }
  }
  return undefined;
}

/** `HOST_IP`: see `pickHostIp` (lib/core/host_ip.ts); Linux tells its default route cheaply. */
function hostIp(os: string): string | undefined {
  const interfaces = attempt(() => Deno.networkInterfaces(), []);
  const routes = os === "linux" ? attempt(() => Deno.readTextFileSync("/proc/net/route"), "") : "";
  return pickHostIp(interfaces, os, defaultRouteInterface(routes));
}

/**
 * A read that may fail: its value, or `fallback` when it throws.
 *
 * @param read The read.
 * @param fallback The value when it throws.
 * @returns What `read` returned, or `fallback`.
 */
export function attempt<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * Which of the given paths are existing directories (following links).
 *
 * @param dirs Absolute paths.
 * @returns The subset that exists as directories.
 */
export function checkDirs(dirs: readonly string[]): Set<string> {
  const existing = new Set<string>();
  for (const dir of dirs) {
    try {
      if (Deno.statSync(dir).isDirectory) existing.add(dir);
    } catch {
      // missing or unreadable: not there for us
    }
  }
  return existing;
}

/**
 * Creates directories (with parents) as the invoking user, so the engine
 * never creates them as root.
 *
 * @param dirs Absolute paths; `undefined` entries are skipped.
 * @param give When given (host root, `user: auto`: {@link dirGiver}): each of `dirs` that this
 *   call creates is given to the image user (its parents and the directories that existed are
 *   left alone).
 * @returns The directories this call created, parents before children, for {@link removeEmptyDirs}.
 * @throws {RunDockerError} when a directory cannot be created or given away.
 */
export function makeDirs(
  dirs: readonly (string | undefined)[],
  give?: (dir: string) => void,
): string[] {
  const created: string[] = [];
  for (const dir of dirs) {
    if (dir === undefined) continue;
    const missing: string[] = [];
    const { dirname } = hostPath(Deno.build.os);
    for (let d = dir; !exists(d); d = dirname(d)) {
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
    try {
      for (const d of missing) {
        try {
          Deno.mkdirSync(d);
          created.push(d);
          if (give !== undefined && d === dir) give(d);
        } catch (error) {
          // A run started at the same moment made it: fine, and not ours to remove.
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        }
      }
    } catch (error) {
      removeEmptyDirs(created);
      throw new RunDockerError(
        `cannot create host directory ${JSON.stringify(dir)}: ${ioReason(error)}`,
        "create it yourself, or pick another with --hostdatadir/--hostlogdir (or RUN_DOCKER_WORKDIR)",
      );
    }
  }
  return created;
}

/**
 * How host root gives a directory it just made to the image user: opened with `O_NOFOLLOW` and
 * `O_DIRECTORY`, then `fchown`, so that whoever can write its parent and swaps it for a
 * symlink between the `mkdir` and the `chown` cannot have root give away the symlink's target
 * (`Deno.chownSync` follows symlinks). Loads `node:fs` (~60 ms), so only when needed.
 *
 * @param owner The uid:gid the directory gets.
 * @returns A function of the directory's path for {@link makeDirs}; it throws (`ELOOP`,
 *   `ENOTDIR`) when the path is no longer a directory.
 */
export async function dirGiver(
  owner: { readonly uid: number; readonly gid: number },
): Promise<(dir: string) => void> {
  const fs = await import("node:fs");
  const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
  return (dir) => {
    const fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      fs.fchownSync(fd, owner.uid, owner.gid);
    } finally {
      fs.closeSync(fd);
    }
  };
}

/**
 * Removes directories that {@link makeDirs} created, children first, when still empty.
 *
 * @param created As returned by {@link makeDirs}.
 */
export function removeEmptyDirs(created: readonly string[]): void {
  for (const dir of [...created].reverse()) {
    try {
      Deno.removeSync(dir);
    } catch {
      // not empty any more, or gone: leave it
    }
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a TCP port can be listened on.
 *
 * @param hostname Address to bind, e.g. `127.0.0.1`.
 * @param port TCP port, 1 to 65535.
 * @returns `false` when something already listens there (or binding is refused).
 */
export function isPortFree(hostname: string, port: number): boolean {
  try {
    Deno.listen({ hostname, port, transport: "tcp" }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Random hex digits from the system's cryptographic generator.
 *
 * @param bytes How many random bytes (two hex digits each).
 * @returns Lowercase hex, `2 * bytes` long.
 */
export function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
