/**
 * The command line parsed: `run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]`
 * or `run-docker --self-update [--version X] [--archive FILE] [--local]`.
 * Folds the tokens of `tokenize.ts` into the typed values the option table
 * defines. Syntax only: values are checked in `request.ts`.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { parseBool } from "../grammar.ts";
import { UsageError } from "../errors.ts";
import type { OwnRow, OwnValues, Scope, SelfUpdateRequest, ValuesOf } from "./options.ts";
import { rowsOf } from "./options.ts";
import { type PassThrough, SELF_UPDATE_USAGE, shown, type Token, tokenize } from "./tokenize.ts";

/** The command line of a run, parsed but not yet validated. */
export interface RunRequest {
  /** run-docker's own options. */
  readonly own: OwnValues;
  /** docker options in the order given. */
  readonly docker: readonly PassThrough[];
  /** The IMAGE argument as given; absent when there was none. */
  readonly image?: string;
  /** Everything after IMAGE, untouched. */
  readonly command: readonly string[];
  /**
   * When there is no IMAGE and the last option took the last argument as its value
   * (`-e demo/app`, `--workdir demo/app`): that option as written and the value, so the
   * error can say which option swallowed what was probably meant as IMAGE.
   */
  readonly swallowed?: { readonly option: string; readonly value: string };
}

/** What the command line asks for. */
export type CommandLine =
  | { readonly kind: "run"; readonly request: RunRequest }
  | { readonly kind: "self-update"; readonly request: SelfUpdateRequest };

/**
 * Reads a boolean option's value the way docker does (`strconv.ParseBool`).
 *
 * @param spelled The option as written, for the error message.
 * @param value The text after `=`, or `undefined` for a bare flag (true).
 * @returns The boolean.
 * @throws {UsageError} when the value is not a boolean.
 */
export function parseBoolean(spelled: string, value: string | undefined): boolean {
  if (value === undefined) return true;
  const parsed = parseBool(value);
  if (parsed !== undefined) return parsed;
  throw new UsageError(`invalid boolean value ${shown(value)} for ${spelled}`);
}

/** The options of one scope, folded: values by field, docker options, operands. */
interface Folded<S extends Scope> {
  values: ValuesOf<S>;
  docker: PassThrough[];
  operands: readonly string[];
  /** The token before the operands, when there was one. */
  last?: Token;
}

/**
 * Folds tokens into the values of a scope: a switch's field is a boolean
 * (default `false`), a value option's field its string (absent when not
 * given), a repeatable value option's field every value in order.
 *
 * @throws {UsageError} for an option of another scope, a non-repeatable
 *   option given twice, or a switch with a value that is not a boolean.
 */
function fold<S extends Scope>(scope: S, tokens: Iterable<Token>): Folded<S> {
  const values: Record<string, unknown> = {};
  for (const row of rowsOf(scope)) {
    if (row.value.kind === "none") values[row.field] = false;
    else if (row.repeatable) values[row.field] = [];
  }
  const seen = new Set<OwnRow>();
  const docker: PassThrough[] = [];
  let last: Token | undefined;
  for (const token of tokens) {
    if (token.kind === "operands") {
      return { values: values as ValuesOf<S>, docker, operands: token.operands, last };
    }
    last = token;
    if (token.kind === "docker") {
      docker.push(token.pass);
      continue;
    }
    const { row, spelled, value } = token;
    if (!row.scopes.includes(scope)) throw otherScope(row, spelled);
    if (seen.has(row) && !row.repeatable) {
      throw new UsageError(
        `option --${row.long} given twice`,
        `give --${row.long} once: run-docker's own options do not repeat`,
      );
    }
    seen.add(row);
    if (row.value.kind === "none") values[row.field] = parseBoolean(spelled, value);
    else if (row.repeatable) (values[row.field] as string[]).push(value!);
    else values[row.field] = value;
  }
  throw new Error("tokenize() ended without operands");
}

function otherScope(row: OwnRow, spelled: string): UsageError {
  if ("selects" in row && row.selects === "update") {
    return new UsageError(`${spelled} goes before IMAGE, alone`, SELF_UPDATE_USAGE);
  }
  return new UsageError(`${spelled} goes with --self-update`, SELF_UPDATE_USAGE);
}

/**
 * Parses the command line of a run (syntax only).
 *
 * @param argv The arguments after the program name.
 * @returns The request: own options, docker options as given, image, command.
 * @throws {UsageError} for an option that is neither run-docker's nor docker run's
 *   (long, short, or a letter in a group), a missing value, a value given to a
 *   boolean own option, an own option given twice, or an option of `--self-update`:
 *   nothing reaches docker that it would answer with its usage text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./parse.ts";
 * const request = parseRunRequest(["-it", "--cpus=2", "img", "pytest", "-x", "--memory", "5"]);
 * assert.equal(request.image, "img");
 * assert.deepEqual(request.command, ["pytest", "-x", "--memory", "5"]);
 * assert.deepEqual(request.docker.map((p) => p.tokens), [["-it"], ["--cpus=2"]]);
 * ```
 */
export function parseRunRequest(argv: readonly string[]): RunRequest {
  const { values: own, docker, operands, last } = fold("run", tokenize(argv, "run"));
  if (operands.length > 0) return { own, docker, image: operands[0], command: operands.slice(1) };
  const swallowed = swallowedBy(last, argv.at(-1));
  return swallowed === undefined
    ? { own, docker, command: [] }
    : { own, docker, command: [], swallowed };
}

/**
 * The option that took the command line's last argument as its separate value
 * (`-e IMAGE`, `--hostdatadir IMAGE`), not glued to it (`-eK=V`, `--name=x`).
 *
 * @param last The token before the (empty) operands.
 * @param lastArg The last argument of the command line.
 * @returns The option as written (`-e`, `--workdir`) and the value; `undefined` when none.
 */
function swallowedBy(
  last: Token | undefined,
  lastArg: string | undefined,
): RunRequest["swallowed"] {
  if (last === undefined || lastArg === undefined) return undefined;
  if (last.kind === "own") {
    // Glued (`--hostdatadir=x`), the last argument is the option itself, not its value.
    return last.value === lastArg ? { option: last.spelled, value: lastArg } : undefined;
  }
  if (last.kind !== "docker" || last.pass.tokens.length !== 2) return undefined;
  const written = last.pass.tokens[0];
  // In a group (`-ite IMAGE`) the value belongs to its last letter.
  const option = written.startsWith("--") ? written : `-${written.at(-1)}`;
  return { option, value: last.pass.tokens[1] };
}

/**
 * Whether the command line is `--self-update`: an option that selects the
 * update scope (`--self-update`) comes before the first operand.
 */
function selectsUpdate(argv: readonly string[]): boolean {
  for (const token of tokenize(argv, "run")) {
    if (token.kind === "own" && "selects" in token.row && token.row.selects === "update") {
      return true;
    }
  }
  return false;
}

/**
 * Reads `run-docker --self-update [--version X] [--archive FILE] [--local]`.
 *
 * @param argv The arguments after the program name.
 * @returns The request, or `undefined` when `--self-update` is not among the options (before IMAGE).
 * @throws {UsageError} for any other option next to `--self-update`, an option
 *   given twice, a missing value, or an option neither run-docker nor docker knows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSelfUpdate } from "./parse.ts";
 * assert.deepEqual(parseSelfUpdate(["--self-update", "--version", "1.2.0"]), {
 *   local: false,
 *   version: "1.2.0",
 * });
 * assert.equal(parseSelfUpdate(["img", "--self-update"]), undefined);
 * ```
 */
export function parseSelfUpdate(argv: readonly string[]): SelfUpdateRequest | undefined {
  if (!selectsUpdate(argv)) return undefined;
  const { selfUpdate, ...request } = fold("update", tokenize(argv, "update")).values;
  if (!selfUpdate) {
    throw new UsageError("--self-update=false asks for nothing", SELF_UPDATE_USAGE);
  }
  return request;
}

/**
 * Parses the command line into what it asks for: a run, or `--self-update`.
 *
 * @param argv The arguments after the program name.
 * @returns `{kind: "self-update", request}` when `--self-update` comes before
 *   IMAGE, else `{kind: "run", request}`.
 * @throws {UsageError} as {@link parseRunRequest} and {@link parseSelfUpdate}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandLine } from "./parse.ts";
 * assert.equal(parseCommandLine(["--archive", "r.tar.gz", "--self-update"]).kind, "self-update");
 * assert.equal(parseCommandLine(["--dry-run", "img"]).kind, "run");
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const update = parseSelfUpdate(argv);
  if (update !== undefined) return { kind: "self-update", request: update };
  return { kind: "run", request: parseRunRequest(argv) };
}
