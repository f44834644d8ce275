/**
 * Checking one configuration value against its kind (`size`, `port`, `user`, …), and showing key
 * paths in messages.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { closest, distance } from "fastest-levenshtein";
import { isSize } from "../grammar.ts";
import { capLength, stripControls } from "../printable.ts";
import { isTagOrder, TAG_ORDERS } from "../tags.ts";
import type { ConfigNode } from "./yaml.ts";

/** Largest config file read, in bytes (1 MiB): checked on the file's size and on its text. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** What a value must be. */
export type Kind =
  | "string"
  | "path"
  | "abs-path"
  | "size"
  | "port"
  | "bool"
  | "auto-bool"
  | "user"
  | "timezone"
  | "regex"
  | "order"
  | "registry"
  | "positive"
  | "address"
  | "command"
  | "env"
  | "list";

const USER =
  /^(auto|docker-user|root|host|[a-z_][a-z0-9_.-]*\$?|\d+)(?::(\d+|[a-z_][a-z0-9_.-]*))?$/i;
const ZONE = /^(UTC|[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+|host|[A-Z]{3,5}[+-]?\d*)$/;

/**
 * Shows a key path the way messages do: `images."zppz/*".tag_order`.
 *
 * @param path Key segments.
 */
export function showPath(path: readonly string[]): string {
  return path.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : JSON.stringify(p))).join(".");
}

/** Longest key text from a file that a message shows, in characters. */
export const MAX_SHOWN_KEY = 40;

/**
 * A key from a file as a message shows it: quoted, non-printables removed, cut to
 * {@link MAX_SHOWN_KEY} characters (a key can be any text: a file's line, a terminal escape).
 *
 * @param key The key as written.
 * @returns The key in double quotes, safe to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyText } from "./values.ts";
 * assert.equal(keyText("a\u0085b"), '"ab"');
 * assert.equal(keyText("k".repeat(50)), `"${"k".repeat(39)}…"`);
 * ```
 */
export function keyText(key: string): string {
  return JSON.stringify(capLength(stripControls(key), MAX_SHOWN_KEY));
}

/**
 * A key path as a message shows it: like {@link showPath}, each quoted segment as
 * {@link keyText} shows it. Not for provenance keys, which must stay exact.
 *
 * @param path Key segments.
 * @returns `images."zppz/*".tag_order`, safe to print.
 */
export function keyPath(path: readonly string[]): string {
  return path.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : keyText(p))).join(".");
}

/**
 * A did-you-mean for a misspelled key, over the keys that may be written there.
 *
 * @param key The key as written.
 * @param known The keys that may be written there.
 * @returns ` (did you mean "memory"?)` when one is close (edit distance at most 2, or a third of
 *   the key's length), else `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { didYouMean } from "./values.ts";
 * assert.equal(didYouMean("memroy", ["memory", "env"]), ' (did you mean "memory"?)');
 * assert.equal(didYouMean("usr", ["memory", "env"]), "");
 * ```
 */
export function didYouMean(key: string, known: readonly string[]): string {
  if (known.length === 0) return "";
  const guess = closest(key, [...known]);
  const near = distance(key, guess) <= Math.max(2, Math.floor(key.length / 3));
  return near ? ` (did you mean "${guess}"?)` : "";
}

/**
 * Checks one value against a kind.
 *
 * @param node The value node (or a raw string from the environment, located at 0:0).
 * @param kind What it must be.
 * @param path Its key path (the caller names it in messages; kept for nested values).
 * @param fail Reports a problem at a node: the problem alone (`bad size "x" (…)`), without the
 *   key path or place, which the caller adds from what it knows.
 * @returns The value, typed for its kind.
 */
export function scalar(
  node: ConfigNode,
  kind: Kind,
  path: readonly string[],
  fail: (node: { line: number; col: number }, message: string) => never,
): unknown {
  if (kind === "command") {
    if (node.kind === "seq") return node.items.map((i) => String(scalar(i, "string", path, fail)));
    const text = String(scalar(node, "string", path, fail));
    if (/["'\\]/.test(text)) {
      fail(
        node,
        `quotes in a one-line command are not parsed; write the command as a list`,
      );
    }
    return text.split(/\s+/).filter(Boolean);
  }
  if (node.kind !== "scalar") {
    return fail(
      node,
      `expected a single value, not a ${node.kind === "map" ? "map" : "list"}`,
    );
  }
  const v = node.value;
  const text = v === null ? "" : String(v);
  switch (kind) {
    case "bool":
      if (typeof v !== "boolean") {
        fail(node, `expected true or false, got ${JSON.stringify(text)}`);
      }
      return v;
    case "auto-bool":
      if (typeof v === "boolean" || text === "auto") return v;
      if (text === "true" || text === "false") return text === "true";
      return fail(node, `expected auto, true or false, got ${JSON.stringify(text)}`);
    case "port": {
      const n = Number(text);
      if (!/^\d+$/.test(text) || n < 1 || n > 65535) {
        fail(node, `expected a port from 1 to 65535, got ${JSON.stringify(text)}`);
      }
      return n;
    }
    case "address":
      if (!/^(localhost|\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/.test(text)) {
        fail(
          node,
          `expected an IP address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(text)}`,
        );
      }
      return text;
    case "positive": {
      const n = Number(text);
      if (!(n > 0 && n <= 3600)) {
        fail(
          node,
          `expected a number of seconds from 1 to 3600, got ${JSON.stringify(text)}`,
        );
      }
      return n;
    }
    case "size":
      if (!isSize(text)) {
        fail(node, `bad size ${JSON.stringify(text)} (expected e.g. 12g, 512m)`);
      }
      return text;
    case "user":
      if (!USER.test(text)) {
        fail(
          node,
          `expected auto, docker-user, root, host, a name or uid[:gid], got ${
            JSON.stringify(text)
          }`,
        );
      }
      return text;
    case "timezone":
      if (!ZONE.test(text)) {
        fail(
          node,
          `expected host or an IANA zone like Europe/Berlin, got ${JSON.stringify(text)}`,
        );
      }
      return text;
    case "abs-path":
      if (!text.startsWith("/")) {
        fail(node, `expected an absolute container path, got ${JSON.stringify(text)}`);
      }
      return text;
    case "regex": // checked by validateConfig, with RE2's rules when it has them
      if (v === null || text === "") fail(node, `expected a value`);
      return text;
    case "registry":
      if (text !== "none") {
        fail(
          node,
          `expected none (no registry lookup for these images), got ${JSON.stringify(text)}`,
        );
      }
      return text;
    case "order":
      if (!isTagOrder(text)) {
        fail(
          node,
          `expected one of ${TAG_ORDERS.join(", ")}, got ${JSON.stringify(text)}`,
        );
      }
      return text;
    default:
      if (v === null || text === "") fail(node, `expected a value`);
      if (typeof v === "boolean") fail(node, `expected a string, got ${v}`);
      return text;
  }
}
