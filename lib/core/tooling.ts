/**
 * The command lines that serve the user's shell and editor rather than a run: `--completions
 * SHELL` (a completion script), `--config-schema` (the JSON Schema of config.yaml), and the
 * completion scripts' own `--complete-images PREFIX`.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import type { RunRequest } from "./cli.ts";
import { completionScript, type Shell } from "./cli/completion_script.ts";
import { COMPLETION_SHELLS } from "./cli/options.ts";
import { configSchema } from "./config/json_schema.ts";
import { UsageError } from "./errors.ts";

/** What a tooling command line asks for. */
export type ToolingStep =
  /** Print this and exit 0. */
  | { readonly kind: "print"; readonly stdout: string }
  /** List the local images whose `repository` (or `repository:tag`, after a `:`) starts so. */
  | { readonly kind: "complete-images"; readonly prefix: string };

/**
 * What a tooling option asks for, when one is given.
 *
 * @param request From `parseRunRequest`.
 * @returns The step, or `undefined` when the command line is not a tooling one.
 * @throws {UsageError} for a shell run-docker has no script for, or IMAGE or another mode
 *   next to a tooling option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * import { decideTooling } from "./tooling.ts";
 * const step = decideTooling(parseRunRequest(["--config-schema"]));
 * assert.equal(step?.kind === "print" && JSON.parse(step.stdout).type, "object");
 * assert.equal(decideTooling(parseRunRequest(["img"])), undefined);
 * ```
 */
export function decideTooling(request: RunRequest): ToolingStep | undefined {
  const { completions, configSchema: schema, completeImages } = request.own;
  const given = [
    [completions !== undefined, "--completions"],
    [schema, "--config-schema"],
    [completeImages !== undefined, "--complete-images"],
  ].filter(([set]) => set).map(([, name]) => name as string);
  if (given.length === 0) return undefined;
  if (given.length > 1 || request.image !== undefined) {
    throw new UsageError(
      `${given.join(" and ")} ${given.length > 1 ? "do" : "does"} not go with ${
        given.length > 1 ? "each other" : "an image"
      }`,
      `give ${given[0]} alone, e.g. run-docker --completions bash`,
    );
  }
  if (completeImages !== undefined) return { kind: "complete-images", prefix: completeImages };
  if (schema) return { kind: "print", stdout: JSON.stringify(configSchema(), null, 2) + "\n" };
  if (!(COMPLETION_SHELLS as readonly string[]).includes(completions!)) {
    throw new UsageError(
      `no completion script for the shell ${JSON.stringify(completions!.slice(0, 40))}`,
      `one of ${COMPLETION_SHELLS.join(", ")}, e.g. run-docker --completions bash`,
    );
  }
  return { kind: "print", stdout: completionScript(completions as Shell) };
}

/**
 * The candidates for IMAGE from the local images: repositories while no `:` follows the last
 * `/`, then that repository's tags as `repository:tag`.
 *
 * @param images The engine's `repository:tag` lines (`<none>` ones are left out).
 * @param prefix What is typed so far.
 * @returns The candidates starting with `prefix`, sorted, each once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageCandidates } from "./tooling.ts";
 * const images = ["acme/app:1", "acme/app:2", "acme/api:1", "<none>:<none>"];
 * assert.deepEqual(imageCandidates(images, "acme/ap"), ["acme/api", "acme/app"]);
 * assert.deepEqual(imageCandidates(images, "acme/app:"), ["acme/app:1", "acme/app:2"]);
 * ```
 */
export function imageCandidates(images: readonly string[], prefix: string): string[] {
  const withTag = prefix.slice(prefix.lastIndexOf("/") + 1).includes(":");
  const out = new Set<string>();
  for (const line of images) {
    const image = line.trim();
    const colon = image.lastIndexOf(":");
    if (colon <= 0 || image.includes("<none>")) continue;
    const candidate = withTag ? image : image.slice(0, colon);
    if (candidate.startsWith(prefix)) out.add(candidate);
  }
  return [...out].sort();
}
