/**
 * The host directory conventions: `~/work` (or `RUN_DOCKER_WORKDIR`) holds
 * `src/<project>`, `data` and `log`; which of them a run mounts.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { expandPath } from "./expand_path.ts";
import { hostPath } from "./host_path.ts";
import type { ValidRunRequest } from "./request.ts";
import { imageBaseName } from "./reference.ts";

/** Where things are on the host for one run. All paths are absolute host paths. */
export interface HostLayout {
  /** The work root, e.g. `/home/zepu/work`. */
  readonly workRoot: string;
  /** The source tree that makes dev mode when it exists, e.g. `/home/zepu/work/src/app`. */
  readonly srcDir: string;
  /** Whether `srcDir` came from `--hostsrcdir` (then it must exist). */
  readonly srcDirGiven: boolean;
  /** Data directory to mount, or `undefined` for `--hostdatadir no`. */
  readonly dataDir?: string;
  /** Log directory to mount, or `undefined` for `--hostlogdir no`. */
  readonly logDir?: string;
}

/** The work root when `workdir` is not configured. */
export const DEFAULT_WORKDIR = "~/work";

/**
 * The host work root: `workdir` as configured, expanded, or {@link DEFAULT_WORKDIR}.
 *
 * @param workdir The configured `workdir`, as written; `undefined` for the default.
 * @param home The home directory.
 * @param env The environment for `${VAR}` (see `expandPath`); `undefined` to leave them.
 * @param os `Deno.build.os`; default `linux`.
 * @returns The work root, as expanded (absolute unless `workdir` was relative).
 * @throws {ConfigError} when a `${VAR}` in it is not set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workRootOf } from "./layout.ts";
 * assert.equal(workRootOf(undefined, "/home/z"), "/home/z/work");
 * assert.equal(workRootOf("${S}/w", "/home/z", { S: "/scratch" }), "/scratch/w");
 * ```
 */
export function workRootOf(
  workdir: string | undefined,
  home: string,
  env?: Readonly<Record<string, string | undefined>>,
  os = "linux",
): string {
  return expandPath(workdir || DEFAULT_WORKDIR, home, env, os);
}

/**
 * Works out the host directories of a run.
 *
 * @param request The validated request (for `--host*dir` and the image name).
 * @param host `{ home, os, cwd, workRoot }`: home directory, `Deno.build.os`, the current
 *   directory, and the configured work root (`~/` expands; default {@link DEFAULT_WORKDIR}).
 * @returns The layout; relative `--host*dir` values resolve against `host.cwd`.
 *   On Windows the paths use `/` (docker there takes `C:/Users/...`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * import { validateRunRequest } from "./request.ts";
 * import { planLayout } from "./layout.ts";
 * const request = validateRunRequest(parseRunRequest(["zppz/app"]));
 * const layout = planLayout(request, { home: "/home/z", os: "linux", cwd: "/" });
 * assert.equal(layout.srcDir, "/home/z/work/src/app");
 * assert.equal(layout.dataDir, "/home/z/work/data");
 * ```
 */
export function planLayout(
  request: ValidRunRequest,
  host: {
    home: string;
    os: string;
    cwd: string;
    /** The configured work root (`workdir`, expanded); default {@link DEFAULT_WORKDIR}. */
    workRoot?: string;
  },
): HostLayout {
  const { join, resolve } = hostPath(host.os);
  const expand = (p: string): string =>
    resolve(host.cwd, expandPath(p, host.home, undefined, host.os));
  const workRoot = expand(workRootOf(host.workRoot, host.home, undefined, host.os));
  const own = request.own;
  const dir = (given: string | undefined, fallback: string): string | undefined =>
    given === "no" ? undefined : given !== undefined ? expand(given) : join(workRoot, fallback);
  return {
    workRoot,
    srcDir: own.hostSrcDir !== undefined
      ? expand(own.hostSrcDir)
      : join(workRoot, "src", imageBaseName(request.reference)),
    srcDirGiven: own.hostSrcDir !== undefined,
    dataDir: dir(own.hostDataDir, "data"),
    logDir: dir(own.hostLogDir, "log"),
  };
}

/**
 * What is at a host path, as far as mounting it goes (gathered by the edge with `lstat`/`stat`).
 * `at` is the path itself or the ancestor that decides: `~/work` being a file makes
 * `~/work/data` impossible.
 */
export type HostPathState =
  | { readonly kind: "directory" | "missing" }
  | { readonly kind: "not-directory"; readonly at: string }
  | { readonly kind: "dangling-symlink"; readonly at: string; readonly target: string };

/**
 * Checks that the data and log directories can be mounted: each is a directory, or
 * missing (run-docker creates it). A regular file would be mounted as DATADIR, and a
 * symlink to nothing makes docker fail with its own multi-line text, so both stop the run
 * before docker starts.
 *
 * @param layout From {@link planLayout}.
 * @param states What is at `layout.dataDir` and `layout.logDir`; an absent entry is fine.
 * @throws {UsageError} naming the directory, what is there, and the option to pick another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMountSources } from "./layout.ts";
 * const layout = { workRoot: "/h/work", srcDir: "/h/work/src/a", srcDirGiven: false, dataDir: "/h/work/data" };
 * const states = new Map([["/h/work/data", { kind: "not-directory" as const, at: "/h/work/data" }]]);
 * assert.throws(() => checkMountSources(layout, states), /data directory "\/h\/work\/data" is a file/);
 * ```
 */
export function checkMountSources(
  layout: HostLayout,
  states: ReadonlyMap<string, HostPathState>,
): void {
  for (
    const [what, option, dir] of [
      ["data", "--hostdatadir", layout.dataDir],
      ["log", "--hostlogdir", layout.logDir],
    ] as const
  ) {
    const state = dir === undefined ? undefined : states.get(dir);
    if (state === undefined || !("at" in state)) continue;
    const named = `${what} directory ${JSON.stringify(dir)}`;
    const where = state.at === dir ? named : `${named} cannot be made: ${JSON.stringify(state.at)}`;
    const other = `or mount another with ${option} DIR (${option} no: none)`;
    if (state.kind === "not-directory") {
      throw new UsageError(`${where} is a file, not a directory`, `move the file away, ${other}`);
    }
    throw new UsageError(
      `${where} is a symlink to ${JSON.stringify(state.target)}, which does not exist`,
      `create the link's target (a mounted disk?), remove the link, ${other}`,
    );
  }
}
