/**
 * Value grammars that several parts of run-docker read, each defined once: docker's size
 * (`--memory`, `--shm-size`, `memory:`, `RUN_DOCKER_MEMORY`) and docker's boolean (a docker
 * option's `=VALUE`, run-docker's own flags, `RUN_DOCKER_INIT`).
 *
 * Pure module: no I/O.
 *
 * @module
 */

/** docker's size grammar (`units.RAMInBytes`): a number, an optional unit, optional `i`/`b`. */
const SIZE = /^\d+(?:\.\d+)? ?[kKmMgGtTpP]?[iI]?[bB]?$/;

/** {@link isSize}'s grammar as a regular expression's source (for the JSON Schema). */
export const SIZE_PATTERN: string = SIZE.source;

/**
 * Whether a text is a size docker takes.
 *
 * @param text As written, e.g. `12g`, `512m`, `1.5GiB`.
 * @returns `true` when docker's `units.RAMInBytes` would parse it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSize } from "./grammar.ts";
 * assert.equal(isSize("12g"), true);
 * assert.equal(isSize("12x"), false);
 * ```
 */
export function isSize(text: string): boolean {
  return SIZE.test(text);
}

/** The words of docker's boolean (Go's `strconv.ParseBool`). */
const TRUE_WORDS: readonly string[] = ["1", "t", "T", "true", "TRUE", "True"];
const FALSE_WORDS: readonly string[] = ["0", "f", "F", "false", "FALSE", "False"];

/**
 * Reads a boolean the way docker does (Go's `strconv.ParseBool`).
 *
 * @param text The value, e.g. the text after `--init=`.
 * @returns The boolean, or `undefined` when the text is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBool } from "./grammar.ts";
 * assert.equal(parseBool("1"), true);
 * assert.equal(parseBool("False"), false);
 * assert.equal(parseBool("yes"), undefined);
 * ```
 */
export function parseBool(text: string): boolean | undefined {
  if (TRUE_WORDS.includes(text)) return true;
  if (FALSE_WORDS.includes(text)) return false;
  return undefined;
}
