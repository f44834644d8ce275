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

/** docker's container name grammar (the daemon's `RestrictedNamePattern`, a leading `/` allowed). */
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The longest default name run-docker makes (a DNS label's length, as hostnames go). */
export const MAX_DEFAULT_NAME = 63;

/**
 * Whether a text is a container name docker takes.
 *
 * @param text As given to `--name`.
 * @returns `true` when the daemon's `RestrictedNamePattern` matches it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isContainerName } from "./grammar.ts";
 * assert.equal(isContainerName("zepu-app-1"), true);
 * assert.equal(isContainerName("-x"), false);
 * ```
 */
export function isContainerName(text: string): boolean {
  return CONTAINER_NAME.test(text);
}

/**
 * A piece of a container name in docker's grammar: other characters become `_`, and what does
 * not start with a letter or digit loses its first characters.
 *
 * @param text Any text, e.g. a user name `j.doe@corp`.
 * @param max The longest result, in characters.
 * @returns e.g. `j.doe_corp`; empty when nothing is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namePart } from "./grammar.ts";
 * assert.equal(namePart("-j.doe@corp", 20), "j.doe_corp");
 * ```
 */
export function namePart(text: string, max: number): string {
  return text.replace(/[^a-zA-Z0-9_.-]/g, "_").replace(/^[^a-zA-Z0-9]+/, "").slice(0, max);
}
