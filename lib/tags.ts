/**
 * Tag policy: which tag of a repository is the newest.
 *
 * Orders: `natural` (default: runs of digits compare as numbers, other runs
 * as text, so `20210502-002343`, `21.01.02` and `1.10` vs `1.9` order by age),
 * `semver` (npm's semver, loosened for `v`, leading zeros and a fourth
 * component), `alphabetical` and `numerical`. `filter` is a regex a tag must
 * match; its named group `version`, when present, is what gets compared (as
 * Flux's `extract`). `latest` is used only when nothing else is left;
 * signature and attestation tags (`sha256-<64 hex>[.sig|.att|.sbom]`) never.
 *
 * `semver` is loaded on demand by {@link loadTagPolicy}: its CommonJS shim
 * touches `process`, which costs ~40 ms of Node compatibility on every run.
 *
 * A filter is matched by RE2 (npm `re2js`, loaded only when a filter is set),
 * never by JavaScript's backtracking `RegExp`: a pattern such as
 * `^(\w|[\w-])*Z$` takes time linear in the tag, not exponential. RE2 has no
 * backreferences and no lookaround; such a pattern is refused.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import type SemverModule from "semver";
import type { RE2JS } from "re2js";

/** How to pick the newest tag. */
export interface TagPolicy {
  /** Ordering; default `natural`. */
  order?: "natural" | "semver" | "alphabetical" | "numerical";
  /** Regex a tag must match (whole or part: anchor it yourself); group `version` is compared. */
  filter?: string;
  /** npm semver range (`^1.2`, `>=2022.1.0 <2023`); implies semver parsing of the compared part. */
  range?: string;
}

/** The orders, for validation and help. */
export const TAG_ORDERS = ["natural", "semver", "alphabetical", "numerical"] as const;

const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}(?:\.(?:sig|att|sbom))?$/;
const RUNS = /\d+|\D+/g;
const LOOSE_SEMVER =
  /^[vV]?(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

let semver: typeof SemverModule | undefined;
let re2: typeof RE2JS | undefined;

/**
 * Loads what a policy needs (RE2 for `filter`, npm's semver for `semver` or `range`) and checks it.
 *
 * @param policy The policy to use with {@link sortTags} and {@link newestTag}.
 * @throws {SyntaxError} for a `filter` RE2 cannot compile (bad syntax, backreferences,
 *   lookaround), or an invalid `range`; the message names the pattern.
 * @throws {TypeError} for an unknown `order`.
 */
export async function loadTagPolicy(policy: TagPolicy = {}): Promise<void> {
  if (policy.order !== undefined && !TAG_ORDERS.includes(policy.order)) {
    throw new TypeError(
      `unknown tag order ${JSON.stringify(policy.order)} (one of ${TAG_ORDERS.join(", ")})`,
    );
  }
  if (policy.filter !== undefined) {
    re2 ??= (await import("re2js")).RE2JS;
    compileFilter(policy.filter);
  }
  if (policy.order === "semver" || policy.range !== undefined) {
    const lib: typeof SemverModule = semver ?? (await import("semver")).default;
    semver = lib;
    if (policy.range !== undefined && lib.validRange(policy.range, { loose: true }) === null) {
      throw new SyntaxError(`invalid semver range ${JSON.stringify(policy.range)}`);
    }
  }
}

/**
 * Loads RE2 and returns a checker for tag filters, for validating configuration files.
 *
 * @returns A function from a pattern to why RE2 refuses it, or `undefined` when it compiles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFilterCheck } from "./tags.ts";
 * const check = await loadFilterCheck();
 * assert.equal(check("^v(?<version>\\d+)$"), undefined);
 * assert.match(check("(a)\\1")!, /invalid escape sequence/);
 * ```
 */
export async function loadFilterCheck(): Promise<(filter: string) => string | undefined> {
  re2 ??= (await import("re2js")).RE2JS;
  return (filter) => {
    try {
      compileFilter(filter);
      return undefined;
    } catch (error) {
      return (error as SyntaxError).message;
    }
  };
}

/**
 * Compiles a filter with RE2.
 *
 * @returns A function from a tag to the part that is compared (group `version`, else the whole
 *   tag), or `undefined` when the tag does not match.
 */
function compileFilter(filter: string): (tag: string) => string | undefined {
  if (re2 === undefined) throw new Error("tag filter used before loadTagPolicy()");
  let pattern: RE2JS;
  try {
    pattern = re2.compile(filter);
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    throw new SyntaxError(
      `invalid tag filter ${JSON.stringify(filter)}: ${reason} ` +
        "(tag filters use RE2 syntax: no backreferences, no lookaround)",
    );
  }
  const version = Object.hasOwn(pattern.namedGroups(), "version");
  return (tag) => {
    const m = pattern.matcher(tag);
    if (!m.find()) return undefined;
    return version ? m.group("version") ?? tag : tag;
  };
}

/**
 * A string whose plain ordering is the natural order of `text`, made once
 * per tag so sorting 10,000 tags compares strings, not run lists.
 *
 * Each run is a marker and its text: a number `\x04` + its length + its
 * digits (leading zeros dropped), so longer numbers are larger and a number
 * beats a word in the same place; a word `\x03` + the word; a pre-release
 * word (a dash, then a letter: `-rc`, `-beta`) `\x01` + the word; the end
 * `\x02`. So `1.10` > `1.10-rc1` (end beats pre-release) and `v2.8.1-11-g…`
 * > `v2.8.1` (a word beats the end). Tag characters are all above `\x2c`.
 */
function naturalKey(text: string): string {
  let key = "";
  for (const run of text.match(RUNS) ?? []) {
    if (isDigits(run)) {
      const digits = run.replace(/^0+(?=\d)/, "");
      key += `\x04${String.fromCharCode(0x20 + digits.length)}${digits}`;
    } else {
      key += `${/^-[A-Za-z]/.test(run) ? "\x01" : "\x03"}${run}`;
    }
  }
  return `${key}\x02`;
}

function compareKeys(a: string, b: string, aText: string, bText: string): number {
  if (a !== b) return a < b ? -1 : 1;
  return aText < bText ? -1 : aText > bText ? 1 : 0;
}

/**
 * Compares two tags in natural order.
 *
 * @param a A tag.
 * @param b Another tag.
 * @returns Negative when `a` is older than `b`, positive when newer, 0 when equal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { naturalCompare } from "./tags.ts";
 * assert.ok(naturalCompare("1.10", "1.9") > 0);
 * assert.ok(naturalCompare("20210502-002343", "20210601-000000") < 0);
 * assert.ok(naturalCompare("1.10", "1.10-rc1") > 0);
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  return compareKeys(naturalKey(a), naturalKey(b), a, b);
}

function isDigits(run: string): boolean {
  const c = run.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/**
 * Whether a tag may be chosen as "the newest" at all.
 *
 * @param tag A tag.
 * @returns `false` for signature/attestation tags, `true` otherwise.
 */
export function isCandidateTag(tag: string): boolean {
  return !SIGNATURE_TAG.test(tag);
}

/** A tag with the key it is ordered by. */
interface Keyed {
  tag: string;
  key: string;
  natural?: string;
  semver?: { version: string; fourth: number };
  number?: number;
}

function requireSemver(): typeof SemverModule {
  if (semver === undefined) throw new Error("semver tag policy used before loadTagPolicy()");
  return semver;
}

/** Parses loosely: optional v, leading zeros, 2 to 4 numeric components. */
function looseSemver(text: string): { version: string; fourth: number } | undefined {
  const m = LOOSE_SEMVER.exec(text);
  if (m === null) return undefined;
  const n = (s: string | undefined) => String(Number(s ?? "0"));
  const pre = m[5] === undefined ? "" : `-${m[5]}`;
  const version = `${n(m[1])}.${n(m[2])}.${n(m[3])}${pre}`;
  return requireSemver().valid(version) === null
    ? undefined
    : { version, fourth: Number(m[4] ?? 0) };
}

/**
 * Sorts tags newest first by a policy, dropping signature/attestation tags,
 * duplicates, and tags the policy rejects (filter, range, pre-releases,
 * non-numbers under `numerical`); `latest` goes last when it passes.
 *
 * @param tags Tags in any order.
 * @param policy See {@link TagPolicy}; `filter`, `semver` and `range` need {@link loadTagPolicy}
 *   first.
 * @returns A new array, newest first.
 * @throws {Error} when a filter or semver policy is used before {@link loadTagPolicy}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTagPolicy, sortTags } from "./tags.ts";
 * await loadTagPolicy({ filter: "^app-" });
 * assert.deepEqual(sortTags(["1.9", "latest", "1.10"]), ["1.10", "1.9", "latest"]);
 * assert.deepEqual(sortTags(["b", "a", "c"], { order: "alphabetical" }), ["c", "b", "a"]);
 * assert.deepEqual(sortTags(["app-2", "web-9", "app-10"], { filter: "^app-(?<version>\\d+)$" }), [
 *   "app-10",
 *   "app-2",
 * ]);
 * ```
 */
export function sortTags(tags: readonly string[], policy: TagPolicy = {}): string[] {
  const order = policy.order ?? "natural";
  const filter = policy.filter === undefined ? undefined : compileFilter(policy.filter);
  const useSemver = order === "semver" || policy.range !== undefined;
  const keyed: Keyed[] = [];
  let latest = false;
  for (const tag of new Set(tags)) {
    if (!isCandidateTag(tag)) continue;
    if (tag === "latest" && filter === undefined && policy.range === undefined) {
      latest = true;
      continue;
    }
    let key = tag;
    if (filter !== undefined) {
      const part = filter(tag);
      if (part === undefined) continue;
      key = part;
    }
    const item: Keyed = { tag, key, natural: order === "natural" ? naturalKey(key) : undefined };
    if (useSemver) {
      item.semver = looseSemver(key);
      if (item.semver === undefined) continue;
      const lib = requireSemver();
      if (policy.range !== undefined) {
        if (!lib.satisfies(item.semver.version, policy.range, { loose: true })) continue;
      } else if (lib.prerelease(item.semver.version) !== null) {
        continue;
      }
    }
    if (order === "numerical") {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(key)) continue;
      item.number = Number(key);
    }
    keyed.push(item);
  }
  const compare = comparator(order);
  keyed.sort((a, b) => compare(b, a) || (a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0));
  const sorted = keyed.map((k) => k.tag);
  if (latest) sorted.push("latest");
  return sorted;
}

function comparator(order: NonNullable<TagPolicy["order"]>): (a: Keyed, b: Keyed) => number {
  switch (order) {
    case "semver":
      return (a, b) =>
        requireSemver().compare(a.semver!.version, b.semver!.version) ||
        a.semver!.fourth - b.semver!.fourth;
    case "alphabetical":
      return (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    case "numerical":
      return (a, b) => a.number! - b.number!;
    default:
      return (a, b) =>
        a.semver !== undefined && b.semver !== undefined
          ? requireSemver().compare(a.semver.version, b.semver.version) ||
            a.semver.fourth - b.semver.fourth
          : compareKeys(
            a.natural ?? naturalKey(a.key),
            b.natural ?? naturalKey(b.key),
            a.key,
            b.key,
          );
  }
}

/**
 * The newest tag by a policy: `latest` only when it is the only candidate.
 *
 * @param tags Tags in any order.
 * @param policy See {@link TagPolicy}.
 * @returns The newest tag, or `undefined` when there is no candidate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newestTag } from "./tags.ts";
 * assert.equal(newestTag(["latest", "20210502-002343", "20201231-235959"]), "20210502-002343");
 * assert.equal(newestTag(["latest"]), "latest");
 * assert.equal(newestTag([]), undefined);
 * ```
 */
export function newestTag(tags: readonly string[], policy?: TagPolicy): string | undefined {
  return sortTags(tags, policy)[0];
}
