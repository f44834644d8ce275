/**
 * Tag policy: which tag of a repository is the newest.
 *
 * Orders: `auto` (the default when no order, filter or range is set: no
 * pre-releases, the newest of one scheme, `latest` when schemes mix; see
 * `tag_schemes.ts`), `natural` (runs of digits compare as numbers, other runs
 * as text, so `20210502-002343`, `21.01.02` and `1.10` vs `1.9` order by age;
 * the default with a filter or a range),
 * `semver` (npm's semver, loosened for `v`, leading zeros and a fourth
 * component), `alphabetical` and `numerical`. `filter` is a regex a tag must
 * match; its named group `version`, when present, is what gets compared (as
 * Flux's `extract`). Outside `auto`, `latest` is used only when nothing else
 * is left; signature and attestation tags (`sha256-<64 hex>[.sig|.att|.sbom]`)
 * never.
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
import { type MixedTags, orderBySchemes } from "./tag_schemes.ts";
import { compareKeys, naturalKey, sortUniform } from "./natural_order.ts";

export { naturalCompare } from "./natural_order.ts";

/** The orders, for validation and help: the one list every check uses. */
export const TAG_ORDERS = ["natural", "semver", "alphabetical", "numerical", "auto"] as const;

/** A tag order: one of {@link TAG_ORDERS}. */
export type TagOrder = (typeof TAG_ORDERS)[number];

/**
 * Whether a text names a tag order.
 *
 * @param text As written (`--tag-order`, `tag_order:`).
 * @returns `true` for one of {@link TAG_ORDERS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTagOrder } from "./tags.ts";
 * assert.equal(isTagOrder("semver"), true);
 * assert.equal(isTagOrder("toString"), false);
 * ```
 */
export function isTagOrder(text: string): text is TagOrder {
  return (TAG_ORDERS as readonly string[]).includes(text);
}

/** How to pick the newest tag, as configured (`--tag-*` options, `images` rules). */
export interface TagPolicy {
  /** Ordering; default `auto`, or `natural` when a filter or range is set. */
  order?: TagOrder;
  /** Regex a tag must match (whole or part: anchor it yourself); group `version` is compared. */
  filter?: string;
  /** npm semver range (`^1.2`, `>=2022.1.0 <2023`); implies semver parsing of the compared part. */
  range?: string;
}

/** A tag's version as semver sees it, with the fourth component semver has no room for. */
export interface TagVersion {
  /** The first three components as a semver version, e.g. `1.2.3` for `v1.2.3.4`. */
  readonly version: string;
  /** The fourth dotted component (`4` for `1.2.3.4`), 0 when there is none. */
  readonly fourth: number;
}

/** Semver's part of a loaded policy: parsing, the range (or no pre-releases), ordering. */
export interface VersionRule {
  /** The version of a (compared part of a) tag, or `undefined` when it is none. */
  readonly parse: (text: string) => TagVersion | undefined;
  /** Whether a version passes: inside `range`, else not a pre-release. */
  readonly accepts: (version: TagVersion) => boolean;
  /** Negative when `a` is older than `b`, positive when newer. */
  readonly compare: (a: TagVersion, b: TagVersion) => number;
}

/**
 * A tag policy ready to use: what {@link loadTagPolicy} returns and {@link sortTags} takes.
 * It holds everything it needs (the compiled filter, semver's rules), so the pure functions
 * work on their arguments alone.
 */
export interface LoadedTagPolicy {
  /** The policy as configured, for messages and `--resolve --json`. */
  readonly spec: Readonly<TagPolicy>;
  /** The order: as given, else `auto`, or `natural` when a filter or range is set. */
  readonly order: TagOrder;
  /** The compiled filter: the part of a tag that is compared, or `undefined` when it does not match. */
  readonly match?: (tag: string) => string | undefined;
  /** Present when the order is `semver` or a `range` is set. */
  readonly versions?: VersionRule;
}

/** Natural order over every tag, no filter, no range. Needs nothing loaded. */
export const NATURAL_POLICY: LoadedTagPolicy = Object.freeze({
  spec: { order: "natural" as const },
  order: "natural",
});

/** The default policy (nothing configured): the `auto` order. Needs nothing loaded. */
export const AUTO_POLICY: LoadedTagPolicy = Object.freeze({ spec: {}, order: "auto" });

const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}(?:\.(?:sig|att|sbom))?$/;
const LOOSE_SEMVER =
  /^[vV]?(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Checks a policy and loads what it needs (RE2 for `filter`, npm's semver for `semver` or
 * `range`), lazily: a policy without them loads neither.
 *
 * @param policy The policy as configured.
 * @returns The policy as a value to hand to {@link sortTags}, {@link newestTag} and `tagRows`.
 * @throws {SyntaxError} for a `filter` RE2 cannot compile (bad syntax, backreferences,
 *   lookaround), or an invalid `range`; the message names the pattern.
 * @throws {TypeError} for an unknown `order`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTagPolicy, sortTags } from "./tags.ts";
 * const policy = await loadTagPolicy({ order: "semver", range: "^1" });
 * assert.deepEqual(sortTags(["2.0.0", "1.2.0", "1.10.0"], policy), ["1.10.0", "1.2.0"]);
 * ```
 */
export async function loadTagPolicy(policy: TagPolicy = {}): Promise<LoadedTagPolicy> {
  if (policy.order !== undefined && !isTagOrder(policy.order)) {
    throw new TypeError(
      `unknown tag order ${JSON.stringify(policy.order)} (one of ${TAG_ORDERS.join(", ")})`,
    );
  }
  const match = policy.filter === undefined
    ? undefined
    : compileFilter((await import("re2js")).RE2JS, policy.filter);
  let versions: VersionRule | undefined;
  if (policy.order === "semver" || policy.range !== undefined) {
    const semver: typeof SemverModule = (await import("semver")).default;
    if (policy.range !== undefined && semver.validRange(policy.range, { loose: true }) === null) {
      throw new SyntaxError(`invalid semver range ${JSON.stringify(policy.range)}`);
    }
    versions = versionRule(semver, policy.range);
  }
  return { spec: { ...policy }, order: orderOf(policy), match, versions };
}

/**
 * The order a policy uses: as given, else `auto`, or `natural` when a filter or a range is set.
 *
 * @param policy The policy as configured.
 * @returns The order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderOf } from "./tags.ts";
 * assert.equal(orderOf({}), "auto");
 * assert.equal(orderOf({ filter: "^v" }), "natural");
 * ```
 */
export function orderOf(policy: TagPolicy): TagOrder {
  return policy.order ??
    (policy.filter === undefined && policy.range === undefined ? "auto" : "natural");
}

/** Semver's rules for one policy: loose parsing, the range or "no pre-releases", ordering. */
function versionRule(semver: typeof SemverModule, range: string | undefined): VersionRule {
  return {
    parse: (text) => looseSemver(semver, text),
    accepts: (v) =>
      range !== undefined
        ? semver.satisfies(v.version, range, { loose: true })
        : semver.prerelease(v.version) === null,
    compare: (a, b) => semver.compare(a.version, b.version) || a.fourth - b.fourth,
  };
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
  const re2 = (await import("re2js")).RE2JS;
  return (filter) => {
    try {
      compileFilter(re2, filter);
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
function compileFilter(re2: typeof RE2JS, filter: string): (tag: string) => string | undefined {
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
  semver?: TagVersion;
  number?: number;
}

/** Parses loosely: optional v, leading zeros, 2 to 4 numeric components. */
function looseSemver(semver: typeof SemverModule, text: string): TagVersion | undefined {
  const m = LOOSE_SEMVER.exec(text);
  if (m === null) return undefined;
  const n = (s: string | undefined) => String(Number(s ?? "0"));
  const pre = m[5] === undefined ? "" : `-${m[5]}`;
  const version = `${n(m[1])}.${n(m[2])}.${n(m[3])}${pre}`;
  return semver.valid(version) === null ? undefined : { version, fourth: Number(m[4] ?? 0) };
}

/** Tags newest first by a policy, and whether they mixed schemes (`auto` order). */
export interface OrderedTags {
  /** Newest first: the one that runs first. */
  readonly tags: string[];
  /** `auto` order only: present when the tags mixed schemes. */
  readonly mixed?: MixedTags;
}

/**
 * Sorts tags newest first by a policy, dropping signature/attestation tags,
 * duplicates, and tags the policy rejects (filter, range, pre-releases,
 * non-numbers under `numerical`); `latest` goes last when it passes, except
 * under `auto`, where it comes first when the tags mix schemes.
 *
 * @param tags Tags in any order.
 * @param policy From {@link loadTagPolicy}; default {@link AUTO_POLICY}.
 * @returns A new array, newest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTagPolicy, sortTags } from "./tags.ts";
 * assert.deepEqual(sortTags(["1.9", "latest", "1.10"]), ["1.10", "1.9", "latest"]);
 * const alphabetical = await loadTagPolicy({ order: "alphabetical" });
 * assert.deepEqual(sortTags(["b", "a", "c"], alphabetical), ["c", "b", "a"]);
 * const app = await loadTagPolicy({ filter: "^app-(?<version>\\d+)$" });
 * assert.deepEqual(sortTags(["app-2", "web-9", "app-10"], app), ["app-10", "app-2"]);
 * ```
 */
export function sortTags(
  tags: readonly string[],
  policy: LoadedTagPolicy = AUTO_POLICY,
): string[] {
  return orderTags(tags, policy).tags;
}

/**
 * {@link sortTags}, and under `auto` whether the tags mixed schemes.
 *
 * @param tags Tags in any order.
 * @param policy From {@link loadTagPolicy}; default {@link AUTO_POLICY}.
 * @returns See {@link OrderedTags}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderTags } from "./tags.ts";
 * const ubuntu = orderTags(["22.04", "24.04", "jammy", "noble", "rolling", "devel", "latest"]);
 * assert.equal(ubuntu.tags[0], "latest");
 * assert.equal(ubuntu.mixed?.schemes, 3);
 * ```
 */
export function orderTags(
  tags: readonly string[],
  policy: LoadedTagPolicy = AUTO_POLICY,
): OrderedTags {
  const { order, match, versions } = policy;
  if ((order === "auto" || order === "natural") && match === undefined && versions === undefined) {
    // Tags of one shape (no letters: no pre-release, channel or `latest`; one scheme).
    const uniform = sortUniform(tags);
    if (uniform !== undefined) return { tags: uniform };
  }
  const keyed: Keyed[] = [];
  let latest = false;
  for (const tag of new Set(tags)) {
    if (!isCandidateTag(tag)) continue;
    if (
      tag === "latest" && order !== "auto" && match === undefined &&
      policy.spec.range === undefined
    ) {
      latest = true;
      continue;
    }
    let key = tag;
    if (match !== undefined) {
      const part = match(tag);
      if (part === undefined) continue;
      key = part;
    }
    const natural = order === "natural" || order === "auto" ? naturalKey(key) : undefined;
    const item: Keyed = { tag, key, natural };
    if (versions !== undefined) {
      item.semver = versions.parse(key);
      if (item.semver === undefined || !versions.accepts(item.semver)) continue;
    }
    if (order === "numerical") {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(key)) continue;
      item.number = Number(key);
    }
    keyed.push(item);
  }
  const compare = comparator(order, versions);
  if (order === "auto") {
    keyed.sort((a, b) => compare(b, a));
  } else {
    keyed.sort((a, b) => compare(b, a) || (a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0));
  }
  if (order === "auto") {
    const auto = orderBySchemes(keyed, (k) => k.key, compare, true);
    return { tags: auto.ordered.map((k) => k.tag), mixed: auto.mixed };
  }
  const sorted = keyed.map((k) => k.tag);
  if (latest) sorted.push("latest");
  return { tags: sorted };
}

function comparator(
  order: TagOrder,
  versions: VersionRule | undefined,
): (a: Keyed, b: Keyed) => number {
  switch (order) {
    case "semver":
      return (a, b) => versions!.compare(a.semver!, b.semver!);
    case "alphabetical":
      return (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    case "numerical":
      return (a, b) => a.number! - b.number!;
    default:
      if (versions === undefined) {
        // The common case, inline: ~140,000 comparisons for 10,000 tags.
        return (a, b) =>
          a.natural! < b.natural!
            ? -1
            : a.natural! > b.natural!
            ? 1
            : a.key < b.key
            ? -1
            : a.key > b.key
            ? 1
            : 0;
      }
      return (a, b) =>
        a.semver !== undefined && b.semver !== undefined
          ? versions.compare(a.semver, b.semver)
          : compareKeys(a.natural!, b.natural!, a.key, b.key);
  }
}

/**
 * The newest tag by a policy: `latest` only when it is the only candidate.
 *
 * @param tags Tags in any order.
 * @param policy From {@link loadTagPolicy}; default {@link AUTO_POLICY}.
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
export function newestTag(
  tags: readonly string[],
  policy: LoadedTagPolicy = AUTO_POLICY,
): string | undefined {
  return sortTags(tags, policy)[0];
}
