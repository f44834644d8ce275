/**
 * The text of `--emit compose` and `--emit kubernetes`: a rendered document as YAML, with its
 * notes above it as `#` comments. Loaded only on that path (the YAML writer is not small).
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { stringify } from "yaml";

/**
 * A document as YAML 1.1 (what docker-compose's PyYAML and Kubernetes' go-yaml read: `yes`,
 * `on`, `0755` and `1:20` are quoted so they stay strings), lines never folded, no anchors.
 *
 * @param document The Compose file or the Job, as data.
 * @param comments Notes to print above it, one `# ` line each (line breaks become spaces).
 * @returns YAML text ending with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEmitted } from "./emit.ts";
 * assert.equal(
 *   formatEmitted({ services: { app: { command: ["on", "8080:80"] } } }, ["made by run-docker"]),
 *   '# made by run-docker\nservices:\n  app:\n    command:\n      - "on"\n      - 8080:80\n',
 * );
 * ```
 */
export function formatEmitted(document: unknown, comments: readonly string[]): string {
  const notes = comments.map((line) => `# ${line.replace(/[\r\n]+/g, " ")}\n`).join("");
  return notes +
    stringify(document, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}
