/**
 * Path arithmetic for host and container paths.
 *
 * POSIX paths are done here: on Linux and macOS a backslash is an ordinary
 * file name character, and `pathe` (which the Windows side uses) turns it
 * into a separator. `node:path` would be right too, but loading Node
 * compatibility costs ~15 ms on every run.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import * as pathe from "pathe";

/** The operations run-docker needs. */
export interface PathApi {
  /** Joins and normalizes; `join("/a/", "b", "../c")` → `/a/c`. */
  join(...parts: string[]): string;
  /** `p` when absolute, else `base/p`; normalized. */
  resolve(base: string, p: string): string;
  /** The parent; `/` for `/`. */
  dirname(p: string): string;
}

function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(part);
  }
  const body = out.join("/");
  return absolute ? `/${body}` : body || ".";
}

/**
 * POSIX paths: `/` is the only separator; everything else, `\` included, is a name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { posixPath } from "./host_path.ts";
 * assert.equal(posixPath.join("/home/z", "work", "da\\ta"), "/home/z/work/da\\ta");
 * assert.equal(posixPath.resolve("/c", "../x/./y"), "/x/y");
 * assert.equal(posixPath.dirname("/a/b/"), "/a");
 * ```
 */
export const posixPath: PathApi = {
  join: (...parts) => normalize(parts.filter((p) => p !== "").join("/")),
  resolve: (base, p) => normalize(p.startsWith("/") ? p : `${base}/${p}`),
  dirname: (p) => {
    const n = normalize(p);
    const slash = n.lastIndexOf("/");
    return slash <= 0 ? (n.startsWith("/") ? "/" : ".") : n.slice(0, slash);
  },
};

/** A UNC path, `\\server\share\…` (or with `/`). */
const UNC = /^[\\/]{2}[^\\/]/;

/**
 * Windows paths, by pathe (results use `/`, which docker on Windows accepts). A UNC path
 * (`\\nas\share\data`) keeps its two leading slashes: `//nas/share/data`, never `/nas/…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windowsPath } from "./host_path.ts";
 * assert.equal(windowsPath.resolve("C:/w", "\\\\nas\\share\\data"), "//nas/share/data");
 * assert.equal(windowsPath.resolve("//nas/share", "data"), "//nas/share/data");
 * assert.equal(windowsPath.resolve("C:/w", "data"), "C:/w/data");
 * ```
 */
export const windowsPath: PathApi = {
  join: (...parts) => pathe.join(...parts),
  resolve: (base, p) => {
    if (UNC.test(p)) return pathe.join(p);
    if (!pathe.isAbsolute(p) && UNC.test(base)) return pathe.join(base, p);
    return pathe.resolve(base, p);
  },
  dirname: (p) => pathe.dirname(p),
};

/**
 * The path API for a host OS.
 *
 * @param os `Deno.build.os` of the host.
 */
export function hostPath(os: string): PathApi {
  return os === "windows" ? windowsPath : posixPath;
}
