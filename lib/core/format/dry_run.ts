/**
 * The `--dry-run` line: the run as one shell command that works pasted on a fresh machine.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { quoteCommand } from "../shell_quote.ts";

/** What the `--dry-run` line is made of. */
export interface DryRunFacts {
  /** The engine program, e.g. `docker` or a path. */
  readonly program: string;
  /** The rendered arguments after the program (`["run", …]`). */
  readonly args: readonly string[];
  /** The pull's arguments (options, then the reference) when the run pulls first (the newest
   * tag is only on the registry). */
  readonly pull?: readonly string[];
  /** Host directories the run would create first (data, log) that do not exist yet. */
  readonly missingDirs: readonly string[];
  /** A variable the line first sets to a fresh random value and exports (the notebook's
   * `JUPYTER_TOKEN`, which the run passes by name): no real token is printed. */
  readonly setToken?: string;
  /** Host root under `user: auto`: the owner those directories get (`chown`). */
  readonly dirOwner?: { readonly uid: number; readonly gid: number };
}

/** 24 random bytes as 48 hex digits, from the shell: POSIX `od` and `tr`. */
const RANDOM_HEX = "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \\n')";

/**
 * The `--dry-run` output: `TOKEN="$(…)" && export TOKEN && mkdir -p -- DIRS && docker pull REF &&
 * docker run …`, each part only when the run would do it, every word shell-quoted.
 *
 * @param facts See {@link DryRunFacts}.
 * @returns One line ending with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDryRun } from "./dry_run.ts";
 * assert.equal(
 *   formatDryRun({ program: "docker", args: ["run", "a b"], missingDirs: ["/w/data"] }),
 *   "mkdir -p -- /w/data && docker run 'a b'\n",
 * );
 * ```
 */
export function formatDryRun(facts: DryRunFacts): string {
  // Pasted into a shell on a fresh machine, the line must work as the run would: the run
  // creates the data and log directories first, and pulls a tag only the registry has.
  const owner = facts.dirOwner;
  const chown = owner !== undefined
    ? `${quoteCommand(["chown", `${owner.uid}:${owner.gid}`, "--", ...facts.missingDirs])} && `
    : "";
  const mkdir = facts.missingDirs.length > 0
    ? `${quoteCommand(["mkdir", "-p", "--", ...facts.missingDirs])} && ${chown}`
    : "";
  const pull = facts.pull !== undefined
    ? `${quoteCommand([facts.program, "pull", ...facts.pull])} && `
    : "";
  const token = facts.setToken !== undefined
    ? `${facts.setToken}="${RANDOM_HEX}" && export ${facts.setToken} && `
    : "";
  return token + mkdir + pull + quoteCommand([facts.program, ...facts.args]) + "\n";
}
