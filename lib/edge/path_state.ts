/**
 * Edge module: what is at a host path, for {@link checkMountSources}.
 *
 * @module
 */

import { hostPath } from "../core/host_path.ts";
import type { HostPathState } from "../core/layout.ts";

/**
 * Looks at a host path without changing anything.
 *
 * @param path An absolute host path (a mount source).
 * @param os `Deno.build.os`.
 * @returns `directory` (also through a symlink); `missing` when it and the symlinks on the
 *   way resolve to nothing yet (run-docker can create it); `not-directory` when it, or an
 *   ancestor, is a file; `dangling-symlink` when it, or its nearest existing ancestor, is a
 *   symlink to nothing. Unreadable paths count as `missing` (creating them reports the reason).
 */
export function inspectHostPath(path: string, os: string): HostPathState {
  const { dirname } = hostPath(os);
  try {
    return Deno.statSync(path).isDirectory
      ? { kind: "directory" }
      : { kind: "not-directory", at: path };
  } catch (error) {
    if (error instanceof Deno.errors.NotADirectory) {
      for (let at = dirname(path); at !== dirname(at); at = dirname(at)) {
        const info = statOrUndefined(at);
        if (info !== undefined && !info.isDirectory) return { kind: "not-directory", at };
      }
      return { kind: "missing" };
    }
    if (!(error instanceof Deno.errors.NotFound)) return { kind: "missing" };
  }
  // Not found: the nearest thing that exists on the way up decides.
  for (let at = path;; at = dirname(at)) {
    let link: Deno.FileInfo;
    try {
      link = Deno.lstatSync(at);
    } catch {
      if (at === dirname(at)) return { kind: "missing" };
      continue;
    }
    if (link.isSymlink && statOrUndefined(at) === undefined) {
      let target = "?";
      try {
        target = Deno.readLinkSync(at);
      } catch {
        // raced away: the path is still a symlink to nothing as far as we know
      }
      return { kind: "dangling-symlink", at, target };
    }
    return { kind: "missing" };
  }
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}
