/**
 * The tail of `--print-config IMAGE`: what the `images` rules change for that image.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { GPUS_AUTO } from "../outcome.ts";
import { escapeLines } from "../printable.ts";
import type { Settings } from "../facts.ts";
import type { TagPolicy } from "../tags.ts";

/**
 * What the matching `images` rules make for one image, as YAML comments.
 *
 * @param name Familiar repository name, e.g. `zppz/app`.
 * @param globs The globs of the rules that matched, in order.
 * @param settings The image's settings (with provenance).
 * @param policy The tag policy the rules set.
 * @param configEnv The configuration's own `env` (variables only a rule adds are listed).
 * @param localOnly The glob of the rule that says `registry: none`, if one does.
 * @returns Comment lines ending with a newline; empty when no rule matched.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatImageRules } from "./image_rules.ts";
 * import { DEFAULT_SETTINGS } from "../facts.ts";
 * assert.equal(formatImageRules("app", [], DEFAULT_SETTINGS, {}, {}), "");
 * ```
 */
export function formatImageRules(
  name: string,
  globs: readonly string[],
  settings: Settings,
  policy: TagPolicy,
  configEnv: Readonly<Record<string, unknown>>,
  localOnly?: string,
): string {
  if (globs.length === 0) return "";
  const from = (key: string) => settings.provenance?.get(key) ?? "default";
  return escapeLines([
    `# for ${name}, images rules ${globs.map((g) => JSON.stringify(g)).join(", ")} make:`,
    `#   memory: ${settings.memory}  (${from("memory")})`,
    // The default `gpus: auto` is no rule's doing.
    ...(settings.gpus && !(settings.gpus === GPUS_AUTO && from("gpus") === "default")
      ? [`#   gpus: ${settings.gpus}  (${from("gpus")})`]
      : []),
    ...(settings.command ? [`#   command: ${JSON.stringify(settings.command)}`] : []),
    ...(policy.order ? [`#   tag_order: ${policy.order}`] : []),
    ...(policy.filter ? [`#   tag_filter: ${JSON.stringify(policy.filter)}`] : []),
    ...(localOnly ? [`#   registry: none  (${JSON.stringify(localOnly)}: local only)`] : []),
    ...Object.keys(settings.env).filter((k) => !(k in configEnv)).map((k) => `#   env: ${k}`),
  ].join("\n")) + "\n";
}
