/**
 * The tokenizer: the command line as a sequence of {@link Token}s, with the
 * same rules as docker's flag library (spf13/pflag): long options as
 * `--name value` or `--name=value`, short options alone (`-e K=V`), attached
 * (`-eK=V`, `-e=K=V`) or grouped (`-dit`), `--` ends the options, and the
 * first positional starts the operands (IMAGE and the container's command,
 * untouched). Which options exist and take a value comes from two tables:
 * run-docker's (`OPTION_TABLE` in `options.ts`) and docker's (`DOCKER_RUN_OPTIONS`).
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { closest, distance } from "fastest-levenshtein";
import { DOCKER_RUN_OPTIONS } from "../docker_run_options.ts";
import { UsageError } from "../errors.ts";
import { type OptionRow, type OwnRow, rowsOf, type Scope } from "./options.ts";

/** One option as given: its canonical long name and, for value options, the value. */
export interface GivenOption {
  /** Canonical long name without `--` (`"env"` for `-e`). */
  readonly long: string;
  /** The value; for a boolean given as `--rm=false`, `"false"`; absent for a bare boolean. */
  readonly value?: string;
}

/** A docker option as the user wrote it: its tokens, and the options they stand for. */
export interface PassThrough {
  /** The argv tokens, unchanged (`["-e", "K=V"]`, `["-dit"]`, `["--cpus=2"]`). */
  readonly tokens: readonly string[];
  /** One entry per option in the tokens (several for a group like `-dit`). */
  readonly options: readonly GivenOption[];
}

/** One step of the command line. */
export type Token =
  /** A run-docker option, with its value (`undefined` for a bare switch). */
  | {
    readonly kind: "own";
    readonly row: OwnRow;
    /** As written, without any `=value`: `--nb_port`. */
    readonly spelled: string;
    readonly value?: string;
  }
  /** A docker option (or a group of short ones), passed through. */
  | { readonly kind: "docker"; readonly pass: PassThrough }
  /** IMAGE and the container's command; empty when there is no IMAGE. Always the last token. */
  | { readonly kind: "operands"; readonly operands: readonly string[] };

/** Long name (and alias) → row, per scope. A run also knows update-only rows, to name them. */
const OWN_BY_LONG: Record<Scope, Map<string, OwnRow>> = { run: new Map(), update: new Map() };
for (const scope of ["update", "run"] as const) {
  for (const row of rowsOf(scope)) {
    for (const name of [row.long, ...(row.aliases ?? [])]) {
      OWN_BY_LONG[scope].set(name, row);
      if (scope === "update") OWN_BY_LONG.run.set(name, row);
    }
  }
}
const DOCKER_BY_LONG = new Map(DOCKER_RUN_OPTIONS.map((o) => [o.long, o]));
const DOCKER_BY_SHORT = new Map(
  DOCKER_RUN_OPTIONS.filter((o) => o.short !== undefined).map((o) => [o.short!, o]),
);

/** Every long option name either table knows, for did-you-mean. */
const ALL_LONG = [...new Set([...OWN_BY_LONG.run.keys(), ...DOCKER_BY_LONG.keys()])];
const SEE_HELP = "see 'run-docker --help' and 'docker run --help'";

/** The `--self-update` synopsis, from the rows: `run-docker --self-update [--version X] [--archive FILE]`. */
export const SELF_UPDATE_USAGE = `run-docker ${selfUpdateSynopsis()}`;

/**
 * `--self-update [--version X] [--archive FILE]`: the row that selects the
 * update scope, then the value options only that scope has.
 *
 * @returns The synopsis, as `--help` shows it.
 */
export function selfUpdateSynopsis(): string {
  const rows = rowsOf("update");
  const selector = rows.find((row) => "selects" in row && row.selects === "update");
  const own = rows.filter((row) => row !== selector && !row.scopes.includes("run"));
  return [`--${selector?.long}`, ...own.map((row) => `[--${row.long}${placeholder(row)}]`)]
    .join(" ");
}

function placeholder(row: OptionRow): string {
  return "placeholder" in row && row.placeholder !== undefined ? ` ${row.placeholder}` : "";
}

/** The error for a token that `--self-update` does not take. */
function notForUpdate(token: string): UsageError {
  const rows = rowsOf("update").filter((row) => !("selects" in row && row.selects));
  rows.sort((a, b) => a.scopes.length - b.scopes.length);
  const names = rows.map((row) => `--${row.long}${placeholder(row)}`);
  return new UsageError(
    `--self-update takes ${names.slice(0, -1).join(", ")} and ${names.at(-1)}, not ${
      JSON.stringify(token)
    }`,
    SELF_UPDATE_USAGE,
  );
}

/** Text from the command line as it appears in a message: quoted, escaped, at most 80 characters. */
export function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function unknownOption(spelled: string, name: string): UsageError {
  const lower = name.toLowerCase().replaceAll("_", "-");
  const guess = lower.length > 40 ? "" : closest(lower, ALL_LONG);
  const near = guess !== "" && distance(lower, guess) <= Math.max(2, Math.floor(guess.length / 4));
  return new UsageError(
    `unknown option ${shown(spelled)}: neither run-docker's nor docker run's`,
    near ? `did you mean --${guess}? ${SEE_HELP}` : SEE_HELP,
  );
}

/**
 * Splits the command line into tokens, lazily: a caller may stop early.
 *
 * @param argv The arguments after the program name.
 * @param scope `run`: run-docker's and docker's options, then the operands;
 *   `update`: only the options of `--self-update`, no operands.
 * @returns The tokens; the last is always `operands` (for `update`, empty).
 * @throws {UsageError} for an option neither table knows, a missing value, or
 *   (scope `update`) anything `--self-update` does not take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenize } from "./tokenize.ts";
 * const kinds = [...tokenize(["--dry-run", "-it", "img", "-x"], "run")].map((t) => t.kind);
 * assert.deepEqual(kinds, ["own", "docker", "operands"]);
 * ```
 */
export function* tokenize(argv: readonly string[], scope: Scope): Generator<Token> {
  let i = 0;
  const next = (name: string): string => {
    if (i >= argv.length) throw new UsageError(`option ${name} needs a value`);
    return argv[i++];
  };
  while (i < argv.length) {
    const token = argv[i++];
    const isOption = token.startsWith("-") && token.length > 1 && token !== "--";
    if (scope === "update" && !token.startsWith("--")) throw notForUpdate(token);
    if (!isOption) {
      yield { kind: "operands", operands: argv.slice(token === "--" ? i : i - 1) };
      return;
    }
    if (token.startsWith("--")) yield longOption(token, scope, next);
    else yield { kind: "docker", pass: shortGroup(token, next) };
  }
  yield { kind: "operands", operands: [] };
}

function longOption(token: string, scope: Scope, next: (name: string) => string): Token {
  const eq = token.indexOf("=");
  const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
  const inline = eq === -1 ? undefined : token.slice(eq + 1);
  const row = OWN_BY_LONG[scope].get(name);
  if (row !== undefined) {
    const value = inline ?? (row.value.kind === "none" ? undefined : next(`--${name}`));
    return { kind: "own", row, spelled: `--${name}`, value };
  }
  if (scope === "update") throw notForUpdate(token);
  const option = DOCKER_BY_LONG.get(name);
  if (option === undefined) {
    if (name === "") throw new UsageError(`invalid option ${shown(token)}`);
    throw unknownOption(`--${name}`, name);
  }
  if (option.takesValue && inline === undefined) {
    const value = next(`--${name}`);
    return { kind: "docker", pass: { tokens: [token, value], options: [{ long: name, value }] } };
  }
  return { kind: "docker", pass: { tokens: [token], options: [{ long: name, value: inline }] } };
}

function shortGroup(token: string, next: (name: string) => string): PassThrough {
  const options: GivenOption[] = [];
  const tokens = [token];
  for (let k = 1; k < token.length; k++) {
    const letter = token[k];
    const option = DOCKER_BY_SHORT.get(letter);
    if (option === undefined) {
      // `-rm`, `-dry-run`: a long option written with one dash.
      const long = token.slice(1).split("=")[0];
      throw new UsageError(
        `unknown shorthand flag: ${JSON.stringify(letter)} in ${shown(token)}`,
        ALL_LONG.includes(long) ? `did you mean --${long}? ${SEE_HELP}` : SEE_HELP,
      );
    }
    const rest = token.slice(k + 1);
    if (option.takesValue) {
      let value: string;
      if (rest.startsWith("=")) value = rest.slice(1);
      else if (rest !== "") value = rest;
      else {
        value = next(`-${letter} (--${option.long})`); // `-h` is --hostname, not help
        tokens.push(value);
      }
      options.push({ long: option.long, value });
      break;
    }
    if (rest.startsWith("=")) {
      options.push({ long: option.long, value: rest.slice(1) });
      break;
    }
    options.push({ long: option.long, value: undefined });
  }
  return { tokens, options };
}
