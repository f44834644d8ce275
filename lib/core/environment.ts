/**
 * The process environment as run-docker reads it, per host OS: on Windows a variable's name is
 * case-insensitive (`Path`, `PATH` and `path` are one variable, and Windows itself spells it
 * `Path`), so the view holds every variable under its upper-case name and every look-up uses
 * that name (`PATH`, `USERPROFILE`, `PROGRAMDATA`, `MSYSTEM`). Elsewhere names are kept as they
 * are.
 *
 * Pure module: the edge (`lib/edge/host.ts`) hands the variables in.
 *
 * @module
 */

/** Environment variables by name; a missing one is `undefined`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The one view of the environment every look-up reads, made once per run.
 *
 * @param entries The variables as the OS lists them (`Deno.env.toObject()`), e.g.
 *   `{ Path: "C:\\Windows;…", USERPROFILE: "C:\\Users\\zepu" }`.
 * @param os `Deno.build.os` of the host.
 * @returns On Windows each variable under its upper-case name (`PATH`); elsewhere a copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { environmentView } from "./environment.ts";
 * assert.deepEqual(environmentView({ Path: "C:\\bin" }, "windows"), { PATH: "C:\\bin" });
 * assert.deepEqual(environmentView({ Path: "/bin" }, "linux"), { Path: "/bin" });
 * ```
 */
export function environmentView(
  entries: Readonly<Record<string, string>>,
  os: string,
): Environment {
  if (os !== "windows") return { ...entries };
  const view: Record<string, string> = {};
  for (const [name, value] of Object.entries(entries)) {
    // `=C:` and the like (per-drive current directories) are not variables one can name.
    if (name === "" || name.startsWith("=")) continue;
    view[name.toUpperCase()] = value;
  }
  return view;
}

/**
 * The name a `${NAME}` written by the user has in the {@link environmentView} of this OS.
 *
 * @param name As written, e.g. `ProgramData`.
 * @param os `Deno.build.os` of the host.
 * @returns `PROGRAMDATA` on Windows; elsewhere `name` itself.
 */
export function environmentName(name: string, os: string): string {
  return os === "windows" ? name.toUpperCase() : name;
}
