/**
 * Which tag runs when none is given: the newest by the tag policy over the
 * union of local and remote tags; a tie goes to local.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { type LoadedTagPolicy, orderTags } from "./tags.ts";
import type { MixedTags } from "./tag_schemes.ts";

/** Where a tag is. */
export type TagSource = "local" | "remote" | "both";

/** One row of `--list-tags`. */
export interface TagRow {
  /** The tag, e.g. `1.2.3`. */
  readonly tag: string;
  /** Whether the engine has it (`docker image ls`). */
  readonly local: boolean;
  /** Whether the registry lists it. */
  readonly remote: boolean;
}

/** The chosen tag and why. */
export interface TagChoice {
  /** The tag to run. */
  readonly tag: string;
  /** `local` or `both`: run the local image; `remote`: pull first. */
  readonly source: TagSource;
  /** How many tags the policy kept, local and remote together. */
  readonly candidates: number;
}

/**
 * All tags, newest first by the policy, each marked local and/or remote.
 *
 * @param local Tags of the local images.
 * @param remote Tags on the registry; `undefined` when it was not asked (--local) or not reachable.
 * @param policy The tag policy, from `loadTagPolicy`.
 * @returns Rows newest first; tags the policy rejects are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagRows } from "./resolve.ts";
 * import { NATURAL_POLICY } from "./tags.ts";
 * assert.deepEqual(tagRows(["1.9"], ["1.10", "1.9"], NATURAL_POLICY), [
 *   { tag: "1.10", local: false, remote: true },
 *   { tag: "1.9", local: true, remote: true },
 * ]);
 * ```
 */
export function tagRows(
  local: readonly string[],
  remote: readonly string[] | undefined,
  policy: LoadedTagPolicy,
): TagRow[] {
  return orderRows(local, remote, policy).rows;
}

/**
 * {@link tagRows}, and under the `auto` order whether the tags mixed schemes.
 *
 * @param local Tags of the local images.
 * @param remote Tags on the registry, or `undefined`.
 * @param policy The tag policy, from `loadTagPolicy`.
 * @returns `rows` newest first, and `mixed` when the tags mixed schemes (`auto` order only).
 */
export function orderRows(
  local: readonly string[],
  remote: readonly string[] | undefined,
  policy: LoadedTagPolicy,
): { rows: TagRow[]; mixed?: MixedTags } {
  const ordered = orderTags(
    local.length === 0 ? remote ?? [] : [...local, ...(remote ?? [])],
    policy,
  );
  // Every tag is local or remote, and local ones are few: only they are looked up (in a long
  // list, a set of every tag costs more than the lookups; a few local tags are compared).
  const few = local.length < 64;
  const localSet = few ? undefined : new Set(local);
  const isLocal = (tag: string) =>
    local.length > 0 && (localSet === undefined ? local.includes(tag) : localSet.has(tag));
  const both = new Set(
    remote === undefined || local.length === 0
      ? []
      : few
      ? local.filter((tag) => remote.includes(tag))
      : remote.filter((tag) => localSet!.has(tag)),
  );
  const rows = ordered.tags.map((tag) => {
    const here = isLocal(tag);
    return { tag, local: here, remote: remote !== undefined && (!here || both.has(tag)) };
  });
  return { rows, mixed: ordered.mixed };
}

/** What the digests of `latest` say (local `RepoDigests` against the registry's manifest). */
export type LatestCheck = "same" | "newer on the registry" | "built here" | "not known";

/**
 * Compares the local and the registry's digest of a tag (`latest`): a different digest on the
 * registry means a newer image there, to be pulled.
 *
 * @param repoDigests The local image's `RepoDigests`, e.g. `["python@sha256:ab…"]`.
 * @param names The names the repository goes by there (`python`, `docker.io/library/python`).
 * @param registryDigest The registry's `Docker-Content-Digest`, or `undefined` when not known.
 * @returns `same`, `newer on the registry` (pull), `built here` (no digest of this repository:
 *   never pulled or pushed, kept), or `not known` (the registry did not say).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareLatest } from "./resolve.ts";
 * assert.equal(compareLatest(["app@sha256:1"], ["app"], "sha256:2"), "newer on the registry");
 * assert.equal(compareLatest(["app@sha256:1"], ["app"], "sha256:1"), "same");
 * assert.equal(compareLatest([], ["app"], "sha256:1"), "built here");
 * ```
 */
export function compareLatest(
  repoDigests: readonly string[],
  names: readonly string[],
  registryDigest: string | undefined,
): LatestCheck {
  if (registryDigest === undefined) return "not known";
  const own = repoDigests.filter((d) => names.includes(d.slice(0, d.lastIndexOf("@"))));
  if (own.length === 0) return "built here";
  return own.some((d) => d.endsWith(`@${registryDigest}`)) ? "same" : "newer on the registry";
}

/**
 * Chooses the tag to run: the first row; a tag both local and remote counts as local.
 *
 * @param rows From {@link tagRows}, newest first.
 * @returns The newest tag with its source, or `undefined` when there is no candidate.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseTag, tagRows } from "./resolve.ts";
 * import { NATURAL_POLICY } from "./tags.ts";
 * assert.deepEqual(chooseTag(tagRows(["20210101-000000"], ["20210102-000000"], NATURAL_POLICY)), {
 *   tag: "20210102-000000",
 *   source: "remote",
 *   candidates: 2,
 * });
 * ```
 */
export function chooseTag(rows: readonly TagRow[]): TagChoice | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  const source: TagSource = first.local && first.remote ? "both" : first.local ? "local" : "remote";
  return { tag: first.tag, source, candidates: rows.length };
}

/**
 * The output of `--list-tags`.
 *
 * @param repository Familiar repository name, for JSON.
 * @param rows From {@link tagRows}.
 * @param json JSON (`{"repository","registry","tags":[{"tag","local","remote"}]}`) instead of text lines.
 * @param registry What became of the registry lookup (`ok`, `not asked (--local)`, or why it failed).
 * @returns Text ending with a newline (empty list: just JSON, or nothing).
 */
export function formatTagRows(
  repository: string,
  rows: readonly TagRow[],
  json: boolean,
  registry = "ok",
): string {
  if (json) return JSON.stringify({ repository, registry, tags: rows }) + "\n";
  // A loop, not Math.max(...lengths): a million arguments overflow the stack.
  let width = 0;
  for (const row of rows) if (row.tag.length > width) width = row.tag.length;
  return rows.map((r) =>
    `${r.tag.padEnd(width)}  ${r.local && r.remote ? "both" : r.local ? "local" : "remote"}\n`
  )
    .join("");
}
