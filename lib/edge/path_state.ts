/**
 * Edge module: what is at a host path, for {@link checkMountSources}.
 *
 * @module
 */

import { hostPath } from "../core/host_path.ts";
import type { HostPathState } from "../core/layout.ts";
import type { RunSpec } from "../core/run_spec.ts";
import type { DirOwnership } from "../core/user.ts";

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

/** The file access {@link isExactDir} needs; tests hand in a case-insensitive one. */
export interface DirLister {
  /** Whether `path` is a directory (following links); `false` when nothing is there. */
  isDir(path: string): boolean;
  /** The names in a directory, as stored; empty when it cannot be read. */
  names(dir: string): string[];
}

const HOST_DIRS: DirLister = {
  isDir: (path) => {
    try {
      return Deno.statSync(path).isDirectory;
    } catch {
      return false;
    }
  },
  names: (dir) => {
    try {
      return [...Deno.readDirSync(dir)].map((e) => e.name);
    } catch {
      return [];
    }
  },
};

/**
 * Whether `path` is a directory whose last component is spelled exactly so, case included. On a
 * case-insensitive file system (APFS, NTFS) `~/work/src/MyApp` also answers for `…/myapp`; the
 * source tree of dev mode must match the image's name exactly on every OS, so that a checkout is
 * dev mode on a Mac exactly when it is on Linux. Costs one listing of the parent (`~/work/src`).
 *
 * @param path An absolute host path, e.g. `/Users/z/work/src/myapp`.
 * @param os `Deno.build.os`.
 * @param dirs File access; default the host's.
 * @returns `true` when the directory exists under that exact name.
 */
export function isExactDir(path: string, os: string, dirs: DirLister = HOST_DIRS): boolean {
  if (!dirs.isDir(path)) return false;
  const { dirname } = hostPath(os);
  const parent = dirname(path);
  const name = path.replace(/[\\/]+$/, "").replace(/^.*[\\/]/, "");
  return parent === path || dirs.names(parent).includes(name);
}

/**
 * The owners of the host directories that run-docker mounts (src, data, log), for
 * `unwritableDirsWarning` (lib/core/user.ts).
 *
 * @param mounts The run's mounts (`RunSpec.mounts`).
 * @returns One entry per src, data or log bind mount whose source is a directory now; none on
 *   Windows (no uids) or for a path that cannot be read.
 */
export function mountOwnership(mounts: RunSpec["mounts"]): DirOwnership[] {
  const owned: DirOwnership[] = [];
  for (const mount of mounts) {
    if (mount.kind !== "bind" || !["src", "data", "log"].includes(mount.role)) continue;
    const info = statOrUndefined(mount.source);
    if (info?.isDirectory && info.uid !== null && info.gid !== null && info.mode !== null) {
      owned.push({ path: mount.source, uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 });
    }
  }
  return owned;
}
