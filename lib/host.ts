/**
 * Edge module: gathers the host facts once. The only place, with
 * `lib/engine.ts` and `main.ts`, that reads the process environment, the
 * clock and the file system.
 *
 * @module
 */

import { fstatSync } from "node:fs";
import { userInfo } from "node:os";
import { posix, win32 } from "node:path";
import { RunDockerError } from "./errors.ts";
import type { HostFacts, StdinKind } from "./facts.ts";

/** Environment variables run-docker reads; everything else stays unread. */
export const ENV_NAMES = [
  "RUN_DOCKER_WORKDIR",
  "RUN_DOCKER_DOCKER",
  "DOCKER_HOST",
  "DOCKER_CONTEXT",
] as const;

/**
 * Gathers host facts.
 *
 * @param dirsToCheck Absolute host paths whose existence (as directories)
 *   the caller needs to know, e.g. the dev-mode source tree.
 * @returns The facts; never throws: a fact that cannot be read gets a safe
 *   fallback (user `user`, zone `UTC`, no host IP, stdin `other`).
 */
export function gatherHostFacts(dirsToCheck: readonly string[] = []): HostFacts {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_NAMES) env[name] = Deno.env.get(name);
  const existingDirs = checkDirs(dirsToCheck);
  const os = Deno.build.os;
  return {
    home: homeDir(),
    cwd: Deno.cwd(),
    user: userName(),
    uid: Deno.uid() ?? undefined,
    gid: Deno.gid() ?? undefined,
    os,
    hostname: attempt(() => Deno.hostname(), "localhost"),
    osRelease: attempt(() => Deno.osRelease(), ""),
    arch: Deno.build.arch,
    hostIp: hostIp(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
    now: new Date(),
    stdin: stdinKind(),
    stdoutIsTty: Deno.stdout.isTerminal(),
    existingDirs,
    env,
  };
}

/**
 * The invoking user's home directory: `$HOME` (`%USERPROFILE%` on Windows),
 * else the password database.
 *
 * @returns An absolute path.
 */
export function homeDir(): string {
  const fromEnv = Deno.build.os === "windows" ? Deno.env.get("USERPROFILE") : Deno.env.get("HOME");
  return fromEnv || attempt(() => userInfo().homedir, "/");
}

function userName(): string {
  return attempt(() => userInfo().username, "") || Deno.env.get("USER") ||
    Deno.env.get("USERNAME") || "user";
}

function hostIp(): string | undefined {
  const interfaces = attempt(() => Deno.networkInterfaces(), []);
  return interfaces.find((i) => i.family === "IPv4" && !i.address.startsWith("127."))?.address;
}

function stdinKind(): StdinKind {
  if (Deno.stdin.isTerminal()) return "tty";
  if (Deno.build.os === "windows") return "pipe";
  try {
    // Not Deno.statSync("/dev/stdin"): Deno wants --allow-all for /dev and /proc paths.
    const info = fstatSync(0);
    if (info.isFile()) return "file";
    if (info.isFIFO() || info.isSocket()) return "pipe";
    return "other";
  } catch {
    return "other";
  }
}

function attempt<T>(read: () => T, fallback: T): T {
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
 * @returns The directories this call created, parents before children, for {@link removeEmptyDirs}.
 * @throws {RunDockerError} when a directory cannot be created.
 */
export function makeDirs(dirs: readonly (string | undefined)[]): string[] {
  const created: string[] = [];
  for (const dir of dirs) {
    if (dir === undefined) continue;
    const missing: string[] = [];
    for (let d = dir; !exists(d); d = dirname(d)) {
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
    try {
      for (const d of missing) {
        Deno.mkdirSync(d);
        created.push(d);
      }
    } catch (error) {
      removeEmptyDirs(created);
      const reason = error instanceof Deno.errors.PermissionDenied
        ? "permission denied"
        : error instanceof Error
        ? error.message
        : String(error);
      throw new RunDockerError(
        `cannot create host directory ${JSON.stringify(dir)}: ${reason}`,
        "create it yourself, or pick another with --hostdatadir/--hostlogdir (or RUN_DOCKER_WORKDIR)",
      );
    }
  }
  return created;
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

function dirname(path: string): string {
  return Deno.build.os === "windows" ? win32.dirname(path) : posix.dirname(path);
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
