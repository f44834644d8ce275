/**
 * What shell completion needs of each option, from the option table: its
 * spellings, its description, what its value is (none, text, a file, a
 * directory, one of a list).
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { DOCKER_RUN_OPTIONS, dockerValueHint, type ValueHint } from "../docker_run_options.ts";
import { OPTION_TABLE, type OptionRow, rowsOf, type Scope } from "./options.ts";

/** One option as shell completion needs it. */
export interface CompletionSpec {
  /** Every spelling: `--notebook-port`, `--nb_port`, `-m`, `--memory`. */
  readonly names: readonly string[];
  /** The option's description (run-docker's options and docker's with a run-docker default). */
  readonly help?: string;
  /** What its value is. */
  readonly value: ValueHint;
}

/**
 * The options a shell may complete for a scope: run-docker's own and, for a
 * run, every docker option (with run-docker's description when it sets a
 * default).
 *
 * @param scope `run` for `run-docker [OPTIONS] IMAGE`, `update` after `--self-update`.
 * @returns One entry per option, run-docker's first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionSpecs } from "./completion.ts";
 * const dir = completionSpecs("run").find((s) => s.names.includes("--hostdatadir"));
 * assert.deepEqual(dir?.value, { kind: "directory" });
 * ```
 */
export function completionSpecs(scope: Scope): CompletionSpec[] {
  const own = rowsOf(scope).filter((row) => !row.hidden).map((row) => ({
    names: [row.long, ...(row.aliases ?? [])].map((name) => `--${name}`),
    help: row.help,
    value: row.value,
  }));
  if (scope === "update") return own;
  const notes = new Map<string, string>();
  for (const row of OPTION_TABLE as readonly OptionRow[]) {
    if (row.owner === "docker") notes.set(row.long, row.help);
  }
  const docker = DOCKER_RUN_OPTIONS.map((option) => ({
    names: [...(option.short ? [`-${option.short}`] : []), `--${option.long}`],
    ...(notes.has(option.long) ? { help: notes.get(option.long) } : {}),
    value: dockerValueHint(option),
  }));
  return [...own, ...docker];
}
