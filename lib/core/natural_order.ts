/**
 * Natural order of tags: runs of digits compare as numbers, other runs as
 * text (`1.10` after `1.9`, `20210601-000000` after `20210502-002343`).
 *
 * Pure module: no I/O.
 *
 * @module
 */

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
 *
 * @param text A tag, or the part of it that is compared.
 * @returns The key: compare keys with `<`.
 */
export function naturalKey(text: string): string {
  // One pass over the characters, no regular expressions: this runs once per tag, and a
  // repository may have a million of them.
  let key = "";
  const length = text.length;
  let i = 0;
  while (i < length) {
    const start = i;
    if (isDigit(text.charCodeAt(i))) {
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      let first = start;
      while (first < i - 1 && text.charCodeAt(first) === 48) first++; // leading zeros
      key += `\x04${String.fromCharCode(0x20 + i - first)}${text.slice(first, i)}`;
    } else {
      while (i < length && !isDigit(text.charCodeAt(i))) i++;
      const prerelease = text.charCodeAt(start) === 45 && i - start > 1 &&
        isLetter(text.charCodeAt(start + 1));
      key += `${prerelease ? "\x01" : "\x03"}${text.slice(start, i)}`;
    }
  }
  return `${key}\x02`;
}

/**
 * Compares two tags by their natural keys, then by their text.
 *
 * @param a The key of `aText`.
 * @param b The key of `bText`.
 * @param aText A tag.
 * @param bText Another tag.
 * @returns Negative when `aText` is older, positive when newer, 0 when equal.
 */
export function compareKeys(a: string, b: string, aText: string, bText: string): number {
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
 * import { naturalCompare } from "./natural_order.ts";
 * assert.ok(naturalCompare("1.10", "1.9") > 0);
 * assert.ok(naturalCompare("20210502-002343", "20210601-000000") < 0);
 * assert.ok(naturalCompare("1.10", "1.10-rc1") > 0);
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  return compareKeys(naturalKey(a), naturalKey(b), a, b);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Tags newest first in natural order by one native string sort, when that sort gives it: every
 * tag has the same shape (digits in the same places, the same other characters, no letters:
 * `20210502-002343`, `1.10.3`), so that digit runs compare as equal-length numbers and code-unit
 * order is natural order. The common case of a long tag list (date stamps, build numbers), without
 * a key per tag or a comparator call per comparison.
 *
 * @param tags Tags in any order.
 * @returns The distinct tags newest first, or `undefined` when they are not all of one shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortUniform } from "./natural_order.ts";
 * assert.deepEqual(sortUniform(["20210502-002343", "20210601-000000"]), [
 *   "20210601-000000",
 *   "20210502-002343",
 * ]);
 * assert.equal(sortUniform(["1.9", "1.10"]), undefined);
 * assert.equal(sortUniform(["1.0-rc1", "1.0-rc2"]), undefined);
 * ```
 */
export function sortUniform(tags: readonly string[]): string[] | undefined {
  if (tags.length === 0) return undefined;
  const first = tags[0];
  if (!/^[0-9._-]*[0-9][0-9._-]*$/.test(first)) return undefined;
  // The first tag's shape as a pattern (`20210502-002343` → `^\d{8}-\d{6}$`): one native test
  // per tag, not a scan of its characters in script.
  const shape = first.replace(/\d+|\./g, (run) => run === "." ? "\\." : `\\d{${run.length}}`);
  const pattern = new RegExp(`^${shape}$`);
  for (const tag of tags) if (!pattern.test(tag)) return undefined;
  // Sorted, equal tags are neighbours: no set of every tag to drop them.
  const sorted = [...tags].sort();
  const distinct = sorted.filter((tag, i) => i === 0 || tag !== sorted[i - 1]);
  return distinct.reverse();
}
