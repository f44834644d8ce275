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
  return DOTTED.test(tag) ? "1.2.3" : tag.replace(/\d+/g, "0");
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
 * @param compare Natural order of two items (by their compared parts): negative when the first
 *   is older. It takes the items, not their parts, so that a caller compares keys it made
 *   once (a million tags sort in seconds, not a minute).
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
): SchemeOrder<T> {
  const newestFirst = (a: T, b: T) => compare(b, a);
  let latest: T | undefined;
  const channels: T[] = [];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === "latest") latest = item;
    else if (CHANNEL_TAGS.has(key)) channels.push(item);
    else if (!isPrerelease(key)) {
      const scheme = tagScheme(key);
      const group = groups.get(scheme) ?? [];
      group.push(item);
      groups.set(scheme, group);
    }
  }
  const sorted = [...groups.values()].map((g) => g.sort(newestFirst))
    .sort((a, b) => b.length - a.length || newestFirst(a[0], b[0]));
  const rest = [...sorted.flat(), ...channels].sort(newestFirst);
  const mixed = sorted.length > 1
    ? { schemes: sorted.length, examples: sorted.slice(0, 4).map((g) => keyOf(g[0])) }
    : undefined;
  let choice: T | undefined;
  if (sorted.length === 1) choice = sorted[0][0];
  else if (latest !== undefined) choice = latest;
  else if (sorted.length > 1) choice = sorted[0][0];
  else choice = channels.sort(newestFirst)[0];
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
