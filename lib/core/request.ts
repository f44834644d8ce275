/**
 * Cross-option rules: turns a parsed {@link RunRequest} into a
 * {@link ValidRunRequest} the options builder can use without failing.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { parseBoolean, rowsOf, type RunRequest, shown } from "./cli.ts";
import { DOCKER_RUN_OPTIONS } from "./docker_run_options.ts";
import { UsageError } from "./errors.ts";
import { isContainerName, isSize } from "./grammar.ts";
import { type ImageReference, parseReference } from "./reference.ts";
import type { TagPolicy } from "./tags.ts";

/** A request whose values have been checked. */
export interface ValidRunRequest extends RunRequest {
  /** The IMAGE argument, parsed. */
  readonly reference: ImageReference;
  /** The notebook port as a number, when given. */
  readonly notebookPort?: number;
  /** Whether the container runs detached (`-d`, `--detach`, last one wins). */
  readonly detach: boolean;
  /** The tag policy from `--tag-order`, `--tag-filter`, `--tag-range`. */
  readonly tagPolicy: TagPolicy;
}

/**
 * The docker options the user gave, by canonical long name, in order.
 *
 * @param request A parsed request.
 * @param long Canonical long name without `--`, e.g. `"memory"`.
 * @returns The values given (`undefined` entries for bare booleans); empty when not given.
 */
export function givenValues(request: RunRequest, long: string): (string | undefined)[] {
  const values: (string | undefined)[] = [];
  for (const pass of request.docker) {
    for (const option of pass.options) if (option.long === long) values.push(option.value);
  }
  return values;
}

/**
 * Whether the user gave a docker option at all (with any value, even `false`).
 *
 * @param request A parsed request.
 * @param long Canonical long name without `--`.
 */
export function isGiven(request: RunRequest, long: string): boolean {
  return request.docker.some((pass) => pass.options.some((o) => o.long === long));
}

/**
 * Checks values and cross-option rules.
 *
 * @param request From {@link parseRunRequest}; must not be a `--help`/`--version` request.
 * @returns The request with the image reference parsed and numbers converted.
 * @throws {UsageError} when IMAGE is missing or a value is invalid
 *   (`--memory 12x`, `--notebook-port 0`, `--detach=maybe`, `--name=`) or options do not go
 *   together (`--root --user 5`).
 * @throws {InvalidReferenceError} when IMAGE is not a valid reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * import { validateRunRequest } from "./request.ts";
 * const valid = validateRunRequest(parseRunRequest(["-d", "zppz/app:1", "true"]));
 * assert.equal(valid.detach, true);
 * assert.equal(valid.reference.repository, "zppz/app");
 * ```
 */
export function validateRunRequest(request: RunRequest): ValidRunRequest {
  if (request.image === undefined) {
    const swallowed = request.swallowed;
    if (swallowed !== undefined) {
      const { option, value } = swallowed;
      // Named in the hint only when it reads as a reference: nothing odd is echoed.
      const image = /^[\w./:@-]{1,80}$/.test(value) ? value : "IMAGE";
      throw new UsageError(
        `no image given (${option} took ${shown(value)} as its value)`,
        `${option} takes a value: give it one, then IMAGE (run-docker ${option} VALUE ${image})`,
      );
    }
    throw new UsageError(
      "no image given",
      "usage: run-docker [OPTIONS] IMAGE[:TAG|@DIGEST] [COMMAND [ARG...]]",
    );
  }
  const reference = parseReference(request.image);

  checkDockerValues(request);
  const notebookPort = checkOwnValues(request);
  let detach = false;
  for (const value of givenValues(request, "detach")) detach = parseBoolean("--detach", value);

  const order = request.own.tagOrder;
  const tagPolicy: TagPolicy = {};
  if (order !== undefined) tagPolicy.order = order as TagPolicy["order"];
  if (request.own.tagFilter !== undefined) tagPolicy.filter = request.own.tagFilter;
  if (request.own.tagRange !== undefined) tagPolicy.range = request.own.tagRange;
  if (request.own.listTags && request.own.resolve) {
    throw new UsageError("--list-tags and --resolve do not go together", "pick one");
  }
  const { json, listTags, resolve, dryRun, printConfig } = request.own;
  if (json && !listTags && !resolve && !dryRun && !printConfig) {
    throw new UsageError(
      "--json goes with --list-tags, --resolve, --dry-run or --print-config",
      "run-docker --resolve --json IMAGE",
    );
  }
  if (request.own.root && isGiven(request, "user")) {
    // --root sets HOME=/root and USER=root: with another user they would lie.
    throw new UsageError(
      "--root and --user do not go together",
      "--root runs as root with HOME=/root; leave out one of them",
    );
  }
  const pull = givenValues(request, "pull").at(-1);
  if (request.own.local && pull !== undefined && pull !== "never") {
    throw new UsageError(
      `--local and --pull ${pull} do not go together`,
      "--local never pulls; leave out one of them",
    );
  }
  if ((request.own.listTags || request.own.resolve) && request.command.length > 0) {
    throw new UsageError(
      `--${request.own.listTags ? "list-tags" : "resolve"} takes IMAGE only, not a command`,
      "run-docker --list-tags IMAGE [--json]",
    );
  }

  return { ...request, reference, notebookPort, detach, tagPolicy };
}

/** docker option values run-docker relies on: sizes, the container name, booleans. */
function checkDockerValues(request: RunRequest): void {
  for (const long of ["memory", "shm-size"]) {
    for (const value of givenValues(request, long)) {
      if (value === undefined || !isSize(value)) {
        throw new UsageError(
          `invalid --${long} value ${JSON.stringify(value ?? "")}`,
          "a size is a number with an optional unit b, k, m or g, e.g. 12g or 512m",
        );
      }
    }
  }
  for (const value of givenValues(request, "name")) {
    // Checked here, not left to docker: run-docker kills and removes the container by this name.
    if (value === undefined || !isContainerName(value)) {
      throw new UsageError(
        `invalid --name value ${JSON.stringify(value ?? "")}`,
        "a container name is a letter or digit, then at least one more of letters, digits, _ . or -",
      );
    }
  }
  // Every boolean docker option (`--privileged=maybe` too): docker would answer with its usage.
  for (const { long } of DOCKER_RUN_OPTIONS.filter((o) => !o.takesValue)) {
    for (const value of givenValues(request, long)) parseBoolean(`--${long}`, value);
  }
}

/**
 * run-docker's own values: the notebook port, directories (by their rows'
 * `directory` hint), values that are one of a list (by their rows' `choice`).
 *
 * @returns The notebook port as a number, when given.
 */
function checkOwnValues(request: RunRequest): number | undefined {
  let notebookPort: number | undefined;
  if (request.own.notebookPort !== undefined) {
    const text = request.own.notebookPort;
    notebookPort = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(notebookPort >= 1 && notebookPort <= 65535)) {
      throw new UsageError(
        `invalid --notebook-port value ${JSON.stringify(text)}`,
        "a port is a whole number from 1 to 65535, e.g. --notebook-port 8889",
      );
    }
  }
  const own = request.own as Record<string, unknown>;
  for (const row of rowsOf("run")) {
    const given = [own[row.field] ?? []].flat().map(String);
    if (row.value.kind === "directory" && given.includes("")) {
      throw new UsageError(`--${row.long} needs a directory`, `give a path, or 'no' for no mount`);
    }
    const choices = row.value.kind === "choice" ? row.value.values : undefined;
    const wrong = given.find((value) => choices !== undefined && !choices.includes(value));
    if (wrong !== undefined) {
      throw new UsageError(
        `invalid --${row.long} value ${JSON.stringify(wrong)}`,
        `one of ${choices!.join(", ")}`,
      );
    }
  }
  if (request.own.hostSrcDir === "no") {
    throw new UsageError(
      "--hostsrcdir cannot be 'no'",
      "leave --hostsrcdir out to run in prod mode when ~/work/src/<image name> does not exist",
    );
  }
  return notebookPort;
}
