/**
 * What run-docker does for a command line, decided from data: the edge (`main.ts`) gathers the
 * facts, asks here, and carries out the answer. Three steps, each a pure function:
 *
 * 1. {@link decideRequest}: from the command line alone (help, version, `--emit` rules);
 * 2. {@link decideLookup}: with the configuration and host facts (`--print-config IMAGE`, the
 *    settings, the tag policy, how to look the image up);
 * 3. {@link decideRun}: with the resolved image: print (`--list-tags`, `--resolve`, `--dry-run`),
 *    emit a file (`--emit`), or run (check a port, pull first, make directories, run).
 *
 * Pure module: reads nothing; every fact comes in as data.
 *
 * @module
 */

import type { RunRequest } from "./cli.ts";
import { formatConfig } from "./config/layers.ts";
import { printConfigJson } from "./config/config_json.ts";
import type { Config, Provenance } from "./config/schema.ts";
import { settingsFor } from "./config/settings.ts";
import { UsageError } from "./errors.ts";
import type { HostFacts, Settings } from "./facts.ts";
import { formatImageRules } from "./format/image_rules.ts";
import { helpText } from "./help.ts";
import { checkMountSources, type HostLayout, type HostPathState } from "./layout.ts";
import { familiarName } from "./reference.ts";
import { validateRunRequest, type ValidRunRequest } from "./request.ts";
import type { TagPolicy } from "./tags.ts";
import { decideTooling } from "./tooling.ts";
import { type ContainersStep, decideContainers } from "./containers.ts";

/** What `--version` shows about the running program. */
export interface About {
  /** run-docker's version. */
  readonly version: string;
  /** The target triple, e.g. `x86_64-unknown-linux-gnu`. */
  readonly target: string;
  /** Deno's version. */
  readonly deno: string;
}

/** The file formats of `--emit`. */
export type EmitFormat = "compose" | "kubernetes";

/** Accepted `--emit` values. */
const EMIT_FORMATS: Readonly<Record<string, EmitFormat>> = {
  compose: "compose",
  kubernetes: "kubernetes",
  k8s: "kubernetes",
};

/** Text to print and nothing else: exit 0. `stderr` goes out first. */
export interface Print {
  /** Print and exit 0. */
  readonly kind: "print";
  /** Text for stdout. */
  readonly stdout: string;
  /** Text for stderr (`--explain` lines), printed first. */
  readonly stderr?: string;
}

/** The first step's answer. */
export type RequestStep =
  | Print
  /** `--print-config` without IMAGE: load the configuration (no project file), print it. */
  | { readonly kind: "print-config" }
  /** `--ps` or `--cleanup`: list or clean up run-docker's containers. */
  | ContainersStep
  /** `--complete-images PREFIX` (the completion scripts'): list the local images. */
  | { readonly kind: "complete-images"; readonly prefix: string }
  /** A run, or a lookup, of the image: go on with the configuration. */
  | { readonly kind: "plan"; readonly request: ValidRunRequest; readonly emit?: EmitFormat };

/**
 * Step 1: what the command line alone decides.
 *
 * @param request From `parseRunRequest`.
 * @param about For `--version`.
 * @returns Help or version text to print, `print-config`, or the validated request to plan.
 * @throws {UsageError} for an invalid request (see `validateRunRequest`), an unknown `--emit`
 *   format, and `--emit` with `--dry-run`, `--list-tags`, `--resolve` or `-d`.
 * @throws {InvalidReferenceError} when IMAGE is not a valid reference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRunRequest } from "./cli.ts";
 * import { decideRequest } from "./decide.ts";
 * const about = { version: "1.0.0", target: "x86_64-unknown-linux-gnu", deno: "2.9.6" };
 * const step = decideRequest(parseRunRequest(["--emit", "k8s", "app:1"]), about);
 * assert.equal(step.kind === "plan" && step.emit, "kubernetes");
 * ```
 */
export function decideRequest(request: RunRequest, about: About): RequestStep {
  if (request.own.help) return { kind: "print", stdout: helpText(about.version) };
  if (request.own.version) {
    return {
      kind: "print",
      stdout: `run-docker ${about.version} (${about.target}, deno ${about.deno})\n`,
    };
  }
  const containers = decideContainers(request);
  if (containers !== undefined) return containers;
  const tooling = decideTooling(request);
  if (tooling !== undefined) return tooling;
  if (request.own.printConfig && request.image === undefined) return { kind: "print-config" };
  const valid = validateRunRequest(request);
  const given = valid.own.emit;
  if (given === undefined) return { kind: "plan", request: valid };
  const emit = Object.hasOwn(EMIT_FORMATS, given) ? EMIT_FORMATS[given] : undefined;
  if (emit === undefined) {
    throw new UsageError(
      `invalid --emit value ${JSON.stringify(given.slice(0, 40))}`,
      "one of compose, kubernetes (or k8s), e.g. run-docker --emit compose IMAGE",
    );
  }
  const conflicts: [boolean, string][] = [
    [valid.own.dryRun, "--dry-run"],
    [valid.own.listTags, "--list-tags"],
    [valid.own.resolve, "--resolve"],
    [valid.detach, "-d/--detach"],
  ];
  for (const [set, option] of conflicts) {
    if (set) {
      throw new UsageError(
        `--emit and ${option} do not go together`,
        `--emit prints a file and runs nothing; leave out ${option}`,
      );
    }
  }
  return { kind: "plan", request: valid, emit };
}

/** What the second step needs: the first step's answer, the configuration and host facts. */
export interface LookupInput {
  /** The validated command line. */
  readonly request: ValidRunRequest;
  /** `--emit`'s format, when given. */
  readonly emit?: EmitFormat;
  /** The merged configuration, where each value came from, and the files read. */
  readonly loaded: {
    readonly config: Config;
    readonly provenance: Provenance;
    readonly files: readonly string[];
  };
  /** Host facts; `existingDirs` covers the layout's source, data and log directories. */
  readonly host: HostFacts;
  /** Host directories of the run, from `planLayout`. */
  readonly layout: HostLayout;
  /** What is at the data and log directories (`inspectHostPath`). */
  readonly pathStates: ReadonlyMap<string, HostPathState>;
  /**
   * Where the engine is when it is on another host (`at ssh://me@h (docker context "prod")`):
   * mounts then refer to that host's paths, and nothing is checked or made here.
   */
  readonly remoteEngine?: string;
}

/** How to look the image up, and everything the last step needs. */
export interface Lookup extends LookupInput {
  /** Look the image up, then ask {@link decideRun}. */
  readonly kind: "lookup";
  /** Familiar repository name, e.g. `zppz/app`. */
  readonly name: string;
  /** The settings for this image (its `images` rules applied). */
  readonly settings: Settings;
  /** The tag policy: the image rules', then the command line's. */
  readonly policy: TagPolicy;
  /** Whether the engine must be found on this host (false when nothing runs here). */
  readonly findEngine: boolean;
  /** Ask the engine whether it enforces SELinux (`selinux: auto` and a run here). */
  readonly askSelinux: boolean;
  /**
   * For `resolveImage`: no network (`--local`), every tag, nothing will run, and the glob of an
   * images rule with `registry: none` (no registry lookup either).
   */
  readonly resolve: {
    readonly local: boolean;
    readonly listAll: boolean;
    lookupOnly: boolean;
    readonly localOnlyRule?: string;
  };
}

/**
 * Step 2: what the configuration decides before the image lookup.
 *
 * @param input See {@link LookupInput}.
 * @returns `--print-config IMAGE`'s text, or how to look the image up.
 * @throws {UsageError} when `--hostsrcdir` is not a directory, or a file (or a link to nothing)
 *   is where the data or log directory goes: before docker would fail on it.
 */
export function decideLookup(input: LookupInput): Print | Lookup {
  const { request, loaded, layout, host } = input;
  const name = familiarName(request.reference);
  const { settings, policy, globs, localOnly } = settingsFor(
    loaded.config,
    loaded.provenance,
    name,
  );
  if (request.own.printConfig && request.own.json) {
    const { memory, gpus, command } = settings;
    const image = { name, rules: globs, memory, gpus, command, policy: { ...policy } };
    return { kind: "print", stdout: printConfigJson(loaded, image) };
  }
  if (request.own.printConfig) {
    return {
      kind: "print",
      stdout: formatConfig(loaded.config, loaded.provenance, loaded.files) +
        formatImageRules(name, globs, settings, policy, loaded.config.env, localOnly),
    };
  }
  const lookupOnly = request.own.listTags || request.own.resolve;
  // On a remote engine the mount sources are that host's paths: nothing here to check.
  if (!lookupOnly && input.emit === undefined && input.remoteEngine === undefined) {
    checkMountSources(layout, input.pathStates);
  }
  if (layout.srcDirGiven && !host.existingDirs.has(layout.srcDir)) {
    throw new UsageError(
      `--hostsrcdir ${JSON.stringify(layout.srcDir)} is not a directory`,
      "give the path of an existing source tree",
    );
  }
  return {
    ...input,
    kind: "lookup",
    name,
    settings,
    policy: { ...policy, ...request.tagPolicy },
    findEngine: !request.own.dryRun && input.emit === undefined,
    // Only when there is something to relabel: src (dev mode), data or log.
    askSelinux: loaded.config.selinux === "auto" && !request.own.dryRun && !lookupOnly &&
      input.emit === undefined && (layout.dataDir !== undefined || layout.logDir !== undefined ||
        layout.srcDirGiven || host.existingDirs.has(layout.srcDir)),
    resolve: {
      local: request.own.local,
      listAll: request.own.listTags,
      // Nothing runs here: an engine that cannot list images is a warning, not an error.
      lookupOnly: lookupOnly || input.emit !== undefined,
      ...(localOnly === undefined ? {} : { localOnlyRule: localOnly }),
    },
  };
}

export * from "./decide_run.ts";
