/**
 * Tag policy: which tag of a repository is the newest.
 *
 * Natural order: runs of digits compare as numbers, other runs as text, so
 * timestamp tags (`20210502-002343`), calendar versions (`21.01.02`) and
 * `1.10` vs `1.9` order by age. `latest` is used only when it is the only
 * candidate; signature and attestation tags (`sha256-<64 hex>[.sig|.att|.sbom]`)
 * are never candidates.
 *
 * Pure module: no I/O.
 *
 * @module
 */

const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}(?:\.(?:sig|att|sbom))?$/;
const RUNS = /\d+|\D+/g;

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
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  const x = a.match(RUNS) ?? [];
  const y = b.match(RUNS) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    const pDigits = isDigits(p);
    const qDigits = isDigits(q);
    let order: number;
    if (pDigits && qDigits) order = compareDigits(p, q);
    else if (pDigits !== qDigits) order = pDigits ? 1 : -1; // a number beats text: 1.0 > 1.rc
    else order = p < q ? -1 : p > q ? 1 : 0;
    if (order !== 0) return order;
  }
  if (x.length !== y.length) return x.length - y.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigits(run: string): boolean {
  const c = run.charCodeAt(0);
  return c >= 48 && c <= 57;
}

function compareDigits(p: string, q: string): number {
  const a = p.replace(/^0+(?=\d)/, "");
  const b = q.replace(/^0+(?=\d)/, "");
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
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

/**
 * Sorts tags newest first in natural order, dropping signature and
 * attestation tags and duplicates; `latest` goes last.
 *
 * @param tags Tags in any order.
 * @returns A new array, newest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortTags } from "./tags.ts";
 * assert.deepEqual(sortTags(["1.9", "latest", "1.10"]), ["1.10", "1.9", "latest"]);
 * ```
 */
export function sortTags(tags: readonly string[]): string[] {
  const unique = [...new Set(tags)].filter(isCandidateTag);
  return unique.sort((a, b) => {
    if (a === "latest") return 1;
    if (b === "latest") return -1;
    return naturalCompare(b, a);
  });
}

/**
 * The newest tag: `latest` only when it is the only candidate.
 *
 * @param tags Tags in any order.
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
export function newestTag(tags: readonly string[]): string | undefined {
  return sortTags(tags)[0];
}
