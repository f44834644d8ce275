/**
 * What the engine's host changes about a run's mounts: SELinux relabelling of run-docker's own
 * bind mounts, and a remote engine, whose host the mount sources are paths on.
 *
 * Pure module: reads nothing; every fact comes in as data.
 *
 * @module
 */

import type { Config, Provenance } from "./config/schema.ts";
import { UsageError } from "./errors.ts";
import type { RunSpec } from "./run_spec.ts";

/**
 * Whether to relabel run-docker's own mounts for SELinux, and why (for `--explain`).
 *
 * @param setting The configuration's `selinux`.
 * @param provenance Where each setting came from.
 * @param reported Whether the engine reported SELinux; `undefined` when it was not asked.
 * @returns `{ why }` for `selinux: true`, or `auto` when the engine reports SELinux; else
 *   `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relabelOf } from "./engine_host.ts";
 * assert.equal(relabelOf("auto", new Map(), false), undefined);
 * assert.equal(relabelOf("auto", new Map(), true)?.why, "the engine reports SELinux (selinux: auto)");
 * assert.equal(relabelOf(false, new Map(), true), undefined);
 * ```
 */
export function relabelOf(
  setting: Config["selinux"],
  provenance: Provenance,
  reported: boolean | undefined,
): { why: string } | undefined {
  if (setting === true) {
    return { why: `selinux: true (${provenance.get("selinux") ?? "default"})` };
  }
  if (setting === "auto" && reported === true) {
    return { why: "the engine reports SELinux (selinux: auto)" };
  }
  return undefined;
}

const MOUNT_OPTIONS: Readonly<Record<string, string>> = {
  src: "--hostsrcdir",
  data: "--hostdatadir",
  log: "--hostlogdir",
};

/**
 * Refuses to relabel what must keep its label: a home or the work root, or a folder holding one
 * (relabelling a home broke logins, containers/podman#759), and a path docker's `-v` form (the
 * only one that relabels) cannot carry: one with `:` (a `,` is fine there).
 *
 * @param spec The planned run; only its mounts marked `relabel` are looked at.
 * @param home The invoking user's home.
 * @param workRoot The work root (`~/work`).
 * @throws {UsageError} naming the mount, its path and the option that moves it.
 */
export function checkRelabel(spec: RunSpec, home: string, workRoot: string): void {
  const trim = (path: string) => path.length > 1 ? path.replace(/\/+$/, "") : path;
  const kept = [home, workRoot].map(trim);
  for (const mount of spec.mounts) {
    if (mount.kind !== "bind" || !mount.relabel) continue;
    const source = trim(mount.source);
    const named = `the ${mount.role} directory ${JSON.stringify(mount.source)}`;
    const other = `mount another with ${MOUNT_OPTIONS[mount.role]} DIR, or set selinux: false`;
    const holds = (path: string) =>
      path === source || path.startsWith(source === "/" ? "/" : `${source}/`);
    const protectedPath = kept.find(holds);
    if (protectedPath !== undefined) {
      throw new UsageError(
        `will not relabel ${named} for SELinux: it is or holds ${
          JSON.stringify(protectedPath)
        } (your home or work root)`,
        `relabelling a home breaks logins; ${other}`,
      );
    }
    if (mount.source.includes(":") || mount.target.includes(":")) {
      throw new UsageError(
        `cannot relabel ${named} for SELinux: docker's -v form, the only one that relabels, ` +
          "cannot carry ':' in a path",
        `rename it, ${other}`,
      );
    }
  }
}

/**
 * The one warning of a run on a remote engine.
 *
 * @param where Where the engine is (`at tcp://h:2376`, `at ssh://h (docker context "x")`).
 * @param spec The planned run: its bind mounts' sources are listed.
 * @returns The warning, one line, without the `run-docker: warning:` prefix.
 */
export function remoteWarning(where: string, spec: RunSpec): string {
  const sources = spec.mounts.flatMap((m) => m.kind === "bind" ? [m.source] : []);
  const paths = sources.length > 0 ? ` (${sources.join(", ")})` : "";
  return `the engine ${where} is on another host: mounts refer to paths on the engine's host, ` +
    `which must have the same paths${paths}; dev mode is decided by this host's tree, and ` +
    "run-docker creates no folder and checks no port here";
}
