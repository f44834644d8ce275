/**
 * YAML text → a tree of located nodes (file, line, column), with every YAML
 * problem (syntax, tabs, duplicate keys, aliases, huge or binary files)
 * reported as one {@link ConfigError} that names the place.
 *
 * Pure module: no I/O (the text comes in).
 *
 * @module
 */

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { ConfigError } from "./errors.ts";
import { capLength, stripControls } from "../printable.ts";
import { keyText, MAX_CONFIG_BYTES, MAX_SHOWN_KEY } from "./values.ts";

/** A value in a config file, with where it is. */
export type ConfigNode =
  | { kind: "scalar"; value: string | number | boolean | null; line: number; col: number }
  | {
    kind: "map";
    entries: { key: string; line: number; col: number; node: ConfigNode }[];
    line: number;
    col: number;
  }
  | { kind: "seq"; items: ConfigNode[]; line: number; col: number };

/**
 * Parses a config file's text.
 *
 * @param text The file's content.
 * @param file The path to show in messages (e.g. `~/.config/run-docker/config.yaml`).
 * @returns The root node; an empty file is an empty map.
 * @throws {ConfigError} naming file, line and column for YAML syntax errors, tabs, duplicate
 *   keys, anchors/aliases, tags (`!!str` too), directives (`%TAG`, `%YAML`), a second document,
 *   non-string keys, a file over {@link MAX_CONFIG_BYTES}, or binary junk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfigText } from "./yaml.ts";
 * const root = parseConfigText("memory: 8g\n", "c.yaml");
 * assert.equal(root.kind, "map");
 * assert.throws(() => parseConfigText("a: 1\na: 2\n", "c.yaml"), /c\.yaml:2:1: duplicate key "a"/);
 * ```
 */
export function parseConfigText(text: string, file: string): ConfigNode {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new ConfigError(
      `${file}: file larger than ${MAX_CONFIG_BYTES} bytes`,
      "a config file is a few lines of YAML",
    );
  }
  // deno-lint-ignore no-control-regex -- finding control characters is the point
  const junk = /[\u0000-\u0008\u000e-\u001f\ufffd]/.exec(text);
  if (junk !== null) {
    const { line, col } = position(text, junk.index);
    throw new ConfigError(
      `${file}:${line}:${col}: not a text file (binary data)`,
      "a config file is YAML text",
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    // Duplicate keys are found in convertMap() with a Set: the library's own check compares
    // every pair of keys, which takes minutes for a hostile file of ~80,000 keys.
    uniqueKeys: false,
    prettyErrors: false,
    merge: false,
  });
  const first = doc.errors[0];
  if (first !== undefined) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const message = first.code === "DUPLICATE_KEY"
      ? `duplicate key ${keyText(keyAt(text, first.pos[0]))}`
      : first.code === "TAB_AS_INDENT"
      ? "tab used for indentation (use spaces)"
      : first.code === "MULTIPLE_DOCS"
      ? "a config file holds one YAML document"
      : first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigError(
      `${file}:${line}:${col}: ${message}`,
      first.code === "MULTIPLE_DOCS"
        ? "keep one document: remove the --- line and what follows, or merge it"
        : "fix the YAML; see README.md for the keys",
    );
  }
  if (hasDirectives(doc)) {
    const { line, col } = position(text, Math.max(0, text.search(/^%/m)));
    throw new ConfigError(
      `${file}:${line}:${col}: YAML directives (%TAG, %YAML) are not supported`,
      "remove the line that starts with %",
    );
  }
  if (doc.contents === null) return { kind: "map", entries: [], line: 1, col: 1 };
  return convertNode({ lines: lineCounter, file }, doc.contents);
}

/** Whether the document has a `%YAML` or `%TAG` directive (or one YAML does not know). */
function hasDirectives(doc: Document): boolean {
  const directives = doc.directives;
  if (doc.warnings.some((w) => w.code === "BAD_DIRECTIVE")) return true;
  if (directives === undefined) return false;
  const { yaml, tags } = directives;
  return yaml.explicit === true || Object.keys(tags).length !== 1 ||
    tags["!!"] !== "tag:yaml.org,2002:";
}

function keyAt(text: string, offset: number): string {
  return /^[^:\n]*/.exec(text.slice(offset))![0].trim().replace(/^["']|["']$/g, "");
}

function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/** What converting one file's nodes needs: positions, the file's name for messages. */
interface Conversion {
  readonly lines: LineCounter;
  readonly file: string;
}

type Position = { line: number; col: number };

function where(c: Conversion, n: { range?: [number, number, number] | null }): Position {
  const p = c.lines.linePos(n.range?.[0] ?? 0);
  return { line: p.line, col: p.col };
}

function fail(c: Conversion, at: Position, message: string, hint: string): never {
  throw new ConfigError(`${c.file}:${at.line}:${at.col}: ${message}`, hint);
}

function noAnchors(c: Conversion, at: Position, anchor: string | undefined): void {
  if (anchor !== undefined) {
    fail(c, at, "anchors and aliases are not supported", "write the value out");
  }
}

/** Refuses any explicit tag, standard (`!!str`, `!!map`) or not: a value is taken as written. */
function noTag(c: Conversion, at: Position, tag: string | undefined): void {
  if (tag === undefined) return;
  const shown = tag.startsWith("tag:yaml.org,2002:")
    ? `!!${tag.slice("tag:yaml.org,2002:".length)}`
    : tag;
  fail(
    c,
    at,
    `YAML tags (${capLength(stripControls(shown), MAX_SHOWN_KEY)}) are not supported`,
    "remove the tag and write a plain value (quote it to keep it a string)",
  );
}

function convertNode(c: Conversion, node: unknown): ConfigNode {
  if (isAlias(node)) {
    return fail(c, where(c, node), "anchors and aliases are not supported", "write the value out");
  }
  if (isMap(node)) return convertMap(c, node);
  if (isSeq(node)) {
    noTag(c, where(c, node), node.tag);
    return {
      kind: "seq",
      items: node.items.map((item) => convertNode(c, item)),
      ...where(c, node),
    };
  }
  if (isScalar(node)) return convertScalar(c, node);
  return fail(c, c.lines.linePos(0), "unsupported YAML value", "use maps, lists and plain values");
}

function convertMap(c: Conversion, node: YAMLMap): ConfigNode {
  noTag(c, where(c, node), node.tag);
  const entries: { key: string; line: number; col: number; node: ConfigNode }[] = [];
  const seen = new Set<string>();
  for (const pair of node.items) {
    const keyNode = pair.key;
    const at = isScalar(keyNode) ? where(c, keyNode) : where(c, node);
    if (
      !isScalar(keyNode) ||
      (typeof keyNode.value !== "string" && typeof keyNode.value !== "number")
    ) {
      return fail(c, at, "a key must be a plain string", "quote the key");
    }
    noAnchors(c, at, keyNode.anchor ?? (isScalar(pair.value) ? pair.value.anchor : undefined));
    noTag(c, at, keyNode.tag);
    const key = String(keyNode.value);
    if (seen.has(key)) {
      fail(
        c,
        at,
        `duplicate key ${JSON.stringify(key)}`,
        "fix the YAML; see README.md for the keys",
      );
    }
    seen.add(key);
    const value = pair.value === null
      ? { kind: "scalar" as const, value: null, line: at.line, col: at.col }
      : convertNode(c, pair.value);
    entries.push({ key, line: at.line, col: at.col, node: value });
  }
  noAnchors(c, where(c, node), node.anchor);
  return { kind: "map", entries, ...where(c, node) };
}

function convertScalar(c: Conversion, node: Scalar): ConfigNode {
  noAnchors(c, where(c, node), node.anchor);
  noTag(c, where(c, node), node.tag);
  const v = node.value;
  // A number is kept as written: `3.10`, `02134`, `0x1F` and 24-digit ids are text to run-docker
  // (Python versions, zip codes, account ids), never rounded or reparsed.
  const source = (node as { source?: string }).source;
  const value = typeof v === "number"
    ? (typeof source === "string" && source !== "" ? source : String(v))
    : typeof v === "string" || typeof v === "boolean" || v === null
    ? v
    : String(v);
  return { kind: "scalar", value, ...where(c, node) };
}
