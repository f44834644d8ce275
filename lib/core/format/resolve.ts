/**
 * The `--resolve` output: the reference that would run, as text or JSON.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import type { TagPolicy } from "../tags.ts";

/** What `--resolve --json` prints. */
export interface ResolveJson {
  /** The reference that would run, e.g. `zppz/app:20210502-002343`. */
  readonly reference: string;
  /** `given`, `local`, `remote` or `both`. */
  readonly source: string;
  /** How many tags the policy kept (0 when given). */
  readonly candidates: number;
  /** The tag policy used. */
  readonly policy: TagPolicy;
  /** What became of the registry lookup: `ok`, `not asked`, or why it failed. */
  readonly registry: string;
}

/**
 * The `--resolve` output.
 *
 * @param facts The resolution (see {@link ResolveJson}).
 * @param json One JSON object instead of the bare reference.
 * @returns One line ending with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResolve } from "./resolve.ts";
 * const facts = { reference: "app:2", source: "local", candidates: 2, policy: {}, registry: "ok" };
 * assert.equal(formatResolve(facts, false), "app:2\n");
 * assert.equal(JSON.parse(formatResolve(facts, true)).source, "local");
 * ```
 */
export function formatResolve(facts: ResolveJson, json: boolean): string {
  if (!json) return `${facts.reference}\n`;
  const { reference, source, candidates, policy, registry } = facts;
  return JSON.stringify({ reference, source, candidates, policy, registry }) + "\n";
}
