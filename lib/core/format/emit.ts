/**
 * The text of `--emit compose` and `--emit kubernetes`: a rendered document as YAML, with its
 * notes above it as `#` comments. Loaded only on that path (the YAML writer is not small).
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { stringify } from "yaml";
import { escapeControls } from "../printable.ts";

/**
 * A document as YAML 1.1 (what docker-compose's PyYAML and Kubernetes' go-yaml read: `yes`,
 * `on`, `0755` and `1:20` are quoted so they stay strings), lines never folded, no anchors.
 *
 * @param document The Compose file or the Job, as data.
 * @param comments Notes to print above it, one `# ` line each (`\n` and `\r` become
 *   spaces, other controls `\uXXXX`).
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
  // Every other line break YAML 1.1 knows (U+0085, U+2028, U+2029) and control is escaped:
  // a note carries an image's user or a path, and must not end its `#` line early.
  const notes = comments.map((line) => `# ${escapeControls(line.replace(/[\r\n]+/g, " "))}\n`)
    .join("");
  return notes +
    stringify(document, { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}
