/**
 * The `auto` tag order (the default): which tag runs when a repository's tags
 * follow no one convention.
 *
 * 1. Pre-releases are never picked: a PEP 440 suffix right after the version
 *    (`3.13.0rc2`, `3.10.0b1`, `3.14.0a1`) or a pre-release word anywhere
 *    (`rc`, `alpha`, `beta`, `dev`, `pre`, `nightly`, `edge`, … as in
 *    `2.0.0-rc.1`, `1.0-beta`, `nightly-20240101`; see {@link isPrerelease}).
 * 2. `latest` and the channel names (`stable`, `main`, `lts`, … see
 *    {@link CHANNEL_TAGS}) are set aside: they name no version.
 * 3. The rest is grouped by scheme ({@link tagScheme}): dotted versions
 *    (`1.10.0`, `24.04`, `v2`) are one scheme; any other tag's scheme is its
 *    shape with every run of digits made `0` (`20240301-120000` → `0-0`,
 *    `3.12-alpine` → `0.0-alpine`, `jammy` → `jammy`).
 * 4. One scheme: the newest by natural order wins (`1.10.0` after `1.9.3`,
 *    `20240301-120000` after `20240101-000000`).
 * 5. Several schemes (variants such as `-slim`, `-alpine`, code names):
 *    `latest` when it exists, as docker would run; otherwise the newest of the
 *    largest scheme (a tie: the scheme whose newest tag sorts last in natural
 *    order), and the caller warns.
 * 6. Nothing left: `latest`, else the newest channel name, else nothing.
 *
 * Pure module: no I/O.
 *
 * @module
 */

/** Tags that name a channel, not a version: set aside when schemes are compared. */
export const CHANNEL_TAGS: ReadonlySet<string> = new Set([
  "latest",
  "stable",
  "main",
  "master",
  "rolling",
  "lts",
  "current",
  "mainline",
]);

/** Words that mark a pre-release wherever they stand in a tag (whole letter runs, any case). */
const PRERELEASE_WORDS: ReadonlySet<string> = new Set([
  "a",
  "b",
  "rc",
  "alpha",
  "beta",
  "dev",
  "devel",
  "develop",
  "pre",
  "preview",
  "nightly",
  "snapshot",
  "canary",
  "edge",
  "next",
  "unstable",
  "testing",
  "experimental",
  "insiders",
]);

/** A PEP 440 pre-release: a version, then `a`, `b` or `rc` and a number, no separator. */
const PEP440_PRE = /^[vV]?\d+(?:\.\d+)*(?:a|b|rc)\d+/;
const DOTTED = /^[vV]?\d+(?:\.\d+)*$/;

/**
 * Whether a tag is a pre-release.
 *
 * @param tag A tag, e.g. `3.13.0rc2`.
 * @returns `true` for a PEP 440 pre-release right after the version (`3.10.0b1`) or a tag with a
 *   pre-release word as a whole letter run (`2.0.0-rc.1`, `1.0-beta`, `dev`, `nightly-2024`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPrerelease } from "./tag_schemes.ts";
 * assert.equal(isPrerelease("3.10.0b1"), true);
 * assert.equal(isPrerelease("2.0.0-rc.1"), true);
 * assert.equal(isPrerelease("3.12.1-slim-bookworm"), false);
 * assert.equal(isPrerelease("alpine3.19"), false);
 * ```
 */
export function isPrerelease(tag: string): boolean {
  // Most tags of a long list are digits and separators only: no word, no pre-release.
  if (!hasLetter(tag)) return false;
  if (PEP440_PRE.test(tag)) return true;
  return (tag.toLowerCase().match(/[a-z]+/g) ?? []).some((word) => PRERELEASE_WORDS.has(word));
}

/**
 * A tag's scheme: `1.2.3` for a dotted version (`1.10.0`, `24.04`, `v2`), else its shape with
 * every run of digits made `0`.
 *
 * @param tag A tag.
 * @returns The scheme, e.g. `0-0` for `20240301-120000`, `0.0-alpine` for `3.12-alpine`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagScheme } from "./tag_schemes.ts";
 * assert.equal(tagScheme("1.10.0"), tagScheme("24.04"));
 * assert.equal(tagScheme("20240301-120000"), "0-0");
 * assert.equal(tagScheme("3.12-alpine"), "0.0-alpine");
 * ```
 */
export function tagScheme(tag: string): string {
  if (DOTTED.test(tag)) return "1.2.3";
  // Every run of digits made `0`, in one pass (no regular expression: once per tag).
  let shape = "";
  let start = 0;
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    const previous = i > 0 ? tag.charCodeAt(i - 1) : -1;
    if (previous >= 48 && previous <= 57) continue;
    shape += `${tag.slice(start, i)}0`;
    let end = i;
    while (end < tag.length && tag.charCodeAt(end) >= 48 && tag.charCodeAt(end) <= 57) end++;
    start = end;
    i = end - 1;
  }
  return shape + tag.slice(start);
}

function hasLetter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/** The tags mixed schemes: what the one line says. */
export interface MixedTags {
  /** How many schemes there were. */
  readonly schemes: number;
  /** The newest tag of each scheme, largest scheme first (at most 4). */
  readonly examples: readonly string[];
  /** Whether `latest` existed (and was chosen). */
  readonly latest: boolean;
}

/** Tags ordered by the `auto` rule. */
export interface SchemeOrder<T> {
  /** The choice first, then every other non-pre-release item by natural order, `latest` last. */
  readonly ordered: T[];
  /** Present when the tags mixed schemes. */
  readonly mixed?: MixedTags;
}

/**
 * Orders items by the `auto` rule (see the module comment).
 *
 * @param items Distinct items (tags, or tags with the part that is compared).
 * @param keyOf The compared part of an item (the tag itself, or a filter's `version` group).
 * @param compare Natural order of two items (by their compared parts, with any key the caller
 *   computed once per item): negative when the first is older.
 * @param sorted `true` when `items` are already newest first by `compare` (a caller that sorted
 *   them faster than a comparator can): they are not sorted again.
 * @returns The choice first, then the rest; see {@link SchemeOrder}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderBySchemes } from "./tag_schemes.ts";
 * import { naturalCompare } from "./tags.ts";
 * const tags = ["1.2.2", "1.9.3", "1.10.0", "2.0.0-rc.1", "latest"];
 * assert.equal(orderBySchemes(tags, (t) => t, naturalCompare).ordered[0], "1.10.0");
 * ```
 */
export function orderBySchemes<T extends NonNullable<unknown>>(
  items: readonly T[],
  keyOf: (item: T) => string,
  compare: (a: T, b: T) => number,
  sorted = false,
): SchemeOrder<T> {
  const newestFirst = (a: T, b: T) => compare(b, a);
  // One sort of everything, newest first (stable); every list below keeps that order.
  const newest = sorted ? items : [...items].sort(newestFirst);
  let latest: T | undefined;
  const channels: T[] = [];
  const candidates: T[] = [];
  const groups = new Map<string, T[]>();
  for (const item of newest) {
    const key = keyOf(item);
    if (key === "latest") latest = item;
    else if (CHANNEL_TAGS.has(key)) {
      channels.push(item);
      candidates.push(item);
    } else if (!isPrerelease(key)) {
      const scheme = tagScheme(key);
      const group = groups.get(scheme);
      if (group === undefined) groups.set(scheme, [item]);
      else group.push(item);
      candidates.push(item);
    }
  }
  const schemes = [...groups.values()]
    .sort((a, b) => b.length - a.length || newestFirst(a[0], b[0]));
  const rest = candidates;
  const mixed = schemes.length > 1
    ? { schemes: schemes.length, examples: schemes.slice(0, 4).map((g) => keyOf(g[0])) }
    : undefined;
  let choice: T | undefined;
  if (schemes.length === 1) choice = schemes[0][0];
  else if (latest !== undefined) choice = latest;
  else if (schemes.length > 1) choice = schemes[0][0];
  else choice = channels[0];
  const ordered = choice === undefined ? [] : [choice];
  for (const item of rest) if (item !== choice) ordered.push(item);
  if (latest !== undefined && latest !== choice) ordered.push(latest);
  return {
    ordered,
    mixed: mixed === undefined ? undefined : { ...mixed, latest: latest !== undefined },
  };
}

/**
 * The one line about mixed tags: for `--explain` when `latest` runs, as a warning when not.
 *
 * @param name Familiar repository name, e.g. `python`.
 * @param mixed From {@link orderBySchemes}.
 * @param chosen The tag that runs.
 * @returns One line without a prefix or newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMixedTags } from "./tag_schemes.ts";
 * const mixed = { schemes: 2, examples: ["24.04", "noble"], latest: true };
 * assert.equal(
 *   formatMixedTags("ubuntu", mixed, "latest"),
 *   "the tags of ubuntu mix 2 schemes (e.g. 24.04, noble): latest runs; " +
 *     "to choose, give a tag (ubuntu:TAG) or an images rule with tag_filter",
 * );
 * ```
 */
export function formatMixedTags(name: string, mixed: MixedTags, chosen: string): string {
  const which = mixed.latest
    ? `${chosen} runs`
    : `no latest, so ${chosen} runs, the newest of the largest scheme`;
  return `the tags of ${name} mix ${mixed.schemes} schemes (e.g. ${
    mixed.examples.join(", ")
  }): ${which}; to choose, give a tag (${name}:TAG) or an images rule with tag_filter`;
}
