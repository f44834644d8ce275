/**
 * The one expander of `~` and `${VAR}` in paths a user writes: configured paths (`workdir`,
 * `engine`, a volume's host side) and `--host*dir` values.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { ConfigError } from "./config/errors.ts";
import { hostPath } from "./host_path.ts";
import { environmentName } from "./environment.ts";

/**
 * Expands a leading `~` (alone, `~/…`, and `~\…` on Windows) to the home directory and, when
 * `env` is given, every `${VAR}` to its value. Anything else is returned as written (a relative
 * path stays relative: the caller resolves it against what it means).
 *
 * @param path As written, e.g. `~/work`, `${SCRATCH}/work`, `data`.
 * @param home The home directory, absolute.
 * @param env The environment for `${VAR}`; `undefined`: `${VAR}` is left alone (command-line
 *   values, which the shell has expanded already).
 * @param os `Deno.build.os`; `windows` also takes `~\`. Default `linux`.
 * @returns The expanded path; `~/…` is joined and normalized (`~/a/../b` → `<home>/b`).
 * @throws {ConfigError} when a `${VAR}` is not set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandPath } from "./expand_path.ts";
 * assert.equal(expandPath("~/work", "/home/z"), "/home/z/work");
 * assert.equal(expandPath("${S}/w", "/home/z", { S: "/scratch" }), "/scratch/w");
 * assert.equal(expandPath("${S}/w", "/home/z"), "${S}/w");
 * assert.equal(expandPath("~\\w", "C:/Users/z", {}, "windows"), "C:/Users/z/w");
 * ```
 */
export function expandPath(
  path: string,
  home: string,
  env?: Readonly<Record<string, string | undefined>>,
  os = "linux",
): string {
  const expanded = env === undefined
    ? path
    : path.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      // On Windows `${ProgramData}` is `PROGRAMDATA` of the environment view.
      const key = environmentName(name, os);
      const value = Object.hasOwn(env, key) ? env[key] : undefined;
      if (value === undefined) {
        throw new ConfigError(
          `\${${name}} in ${JSON.stringify(path)} is not set`,
          `set ${name}, or write the path out`,
        );
      }
      return value;
    });
  if (expanded === "~") return home;
  if (expanded.startsWith("~/") || (os === "windows" && expanded.startsWith("~\\"))) {
    return hostPath(os).join(home, expanded.slice(2));
  }
  return expanded;
}
