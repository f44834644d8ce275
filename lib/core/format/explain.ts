/**
 * The `--explain` lines: why each choice of a run was made, on stderr.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { formatReference, type ImageReference } from "../reference.ts";

/** How the tag that runs was chosen (a subset of the image lookup's result). */
export interface TagChoiceFacts {
  /** The reference that runs, with its tag or digest. */
  readonly image: ImageReference;
  /** `given`: the user named the tag or digest; else where the chosen tag is. */
  readonly source: string;
  /** How many tags the policy kept (0 when given). */
  readonly candidates: number;
  /** The tag order used (`natural` when none was set). */
  readonly order?: string;
  /** More lines about the choice, after the tag line (mixed tags, the digest of `latest`). */
  readonly notes?: readonly string[];
}

/**
 * The `--explain` text: the configuration files read, the mode (the planner's first line),
 * the tag and why, then the planner's other lines; each line prefixed `run-docker: explain: `.
 *
 * @param lines The planner's lines (`RunPlan.explain`), mode first.
 * @param tag How the tag was chosen.
 * @param files The configuration files read.
 * @returns Text ending with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatExplain } from "./explain.ts";
 * const image = { registry: "docker.io", repository: "zppz/app", tag: "1" };
 * assert.equal(
 *   formatExplain(["mode: prod"], { image, source: "local", candidates: 2 }, []),
 *   "run-docker: explain: mode: prod\nrun-docker: explain: tag: 1 (newest of 2 by natural order; local)\n",
 * );
 * ```
 */
export function formatExplain(
  lines: readonly string[],
  tag: TagChoiceFacts,
  files: readonly string[],
): string {
  const why = tag.source === "given"
    ? `tag: ${formatReference(tag.image)} (given)`
    : `tag: ${tag.image.tag} (newest of ${tag.candidates} by ${
      tag.order ?? "natural"
    } order; ${tag.source})`;
  const all = [
    ...(files.length > 0 ? [`config: ${files.join(", ")}`] : []),
    ...lines.slice(0, 1),
    why,
    ...(tag.notes ?? []),
    ...lines.slice(1),
  ];
  return all.map((line) => `run-docker: explain: ${line}\n`).join("");
}
