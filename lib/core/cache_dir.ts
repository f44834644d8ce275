/**
 * Where run-docker keeps what it caches (the update check's answer): the one rule.
 *
 * Pure module: the caller hands the facts in.
 *
 * @module
 */

/**
 * run-docker's cache directory: `$XDG_CACHE_HOME/run-docker` when that is an absolute path (on
 * every system, as the XDG spec asks), else `~/Library/Caches/run-docker` on macOS,
 * `%LOCALAPPDATA%\run-docker\cache` on Windows, and `~/.cache/run-docker` elsewhere.
 *
 * @param host `os` (`Deno.build.os`), `home`, and `env` with `XDG_CACHE_HOME` and `LOCALAPPDATA`.
 * @returns An absolute path; nothing is made.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheDir } from "./cache_dir.ts";
 * assert.equal(cacheDir({ os: "linux", home: "/home/z", env: {} }), "/home/z/.cache/run-docker");
 * assert.equal(cacheDir({ os: "linux", home: "/home/z", env: { XDG_CACHE_HOME: "/c" } }), "/c/run-docker");
 * assert.equal(cacheDir({ os: "darwin", home: "/Users/z", env: {} }), "/Users/z/Library/Caches/run-docker");
 * ```
 */
export function cacheDir(host: {
  readonly os: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}): string {
  const xdg = host.env.XDG_CACHE_HOME;
  // The spec: a relative path is invalid and ignored.
  if (xdg !== undefined && (xdg.startsWith("/") || /^[A-Za-z]:[\\/]/.test(xdg))) {
    return `${xdg.replace(/[\\/]+$/, "")}/run-docker`;
  }
  if (host.os === "darwin") return `${host.home}/Library/Caches/run-docker`;
  const local = host.env.LOCALAPPDATA;
  if (host.os === "windows" && local) return `${local}\\run-docker\\cache`;
  return `${host.home}/.cache/run-docker`;
}
