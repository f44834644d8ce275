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

import { parseBoolean, type RunRequest } from "./cli.ts";
import { formatConfig } from "./config/layers.ts";
import type { Config, Provenance } from "./config/schema.ts";
import { settingsFor } from "./config/settings.ts";
import { UsageError } from "./errors.ts";
import type { HostFacts, Settings } from "./facts.ts";
import { formatDryRun } from "./format/dry_run.ts";
import { formatExplain } from "./format/explain.ts";
import { formatImageRules } from "./format/image_rules.ts";
import { formatResolve } from "./format/resolve.ts";
import { helpText } from "./help.ts";
import { checkMountSources, type HostLayout, type HostPathState } from "./layout.ts";
import { describeEngine, DOCKER_ENGINE, type EngineKind } from "./engine_kind.ts";
import {
  familiarName,
  formatReference,
  type ImageReference,
  qualifiedReference,
} from "./reference.ts";
import { httpAllowed } from "./registry/hosts.ts";
import { renderCompose } from "./render/compose.ts";
import { renderPlanJson } from "./render/json.ts";
import { renderKubernetes } from "./render/kubernetes.ts";
import { formatTagRows, type TagRow } from "./resolve.ts";
import { givenValues, isGiven, validateRunRequest, type ValidRunRequest } from "./request.ts";
import { planRun, type RunPlan } from "./run_args.ts";
import { checkRelabel, relabelOf, remoteWarning } from "./engine_host.ts";
import { quoteCommand } from "./shell_quote.ts";
import type { TagPolicy } from "./tags.ts";

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
  /** For `resolveImage`: no network, every tag, nothing will run. */
  readonly resolve: { readonly local: boolean; readonly listAll: boolean; lookupOnly: boolean };
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
  const { settings, policy, globs } = settingsFor(loaded.config, loaded.provenance, name);
  if (request.own.printConfig) {
    return {
      kind: "print",
      stdout: formatConfig(loaded.config, loaded.provenance, loaded.files) +
        formatImageRules(name, globs, settings, policy, loaded.config.env),
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
    },
  };
}

/** What the image lookup found (the fields of `Resolution` that the decision reads). */
export interface Found {
  /** The reference to run, with its tag. */
  readonly image: ImageReference;
  /** `given`, or where the chosen tag is: `local`, `remote`, `both`. */
  readonly source: string;
  /** How many tags the policy kept (0 when given). */
  readonly candidates: number;
  /** Every tag newest first (`--list-tags`). */
  readonly rows?: readonly TagRow[];
  /** What became of the registry lookup. */
  readonly registry: string;
}

/** The facts of the last step, gathered by the edge after the lookup. */
export interface RunFacts {
  /** run-docker's version, for the `run-docker.version` label. */
  readonly version: string;
  /** The engine program, e.g. `docker`. */
  readonly engine: string;
  /** What kind of engine it is; default docker. */
  readonly engineKind?: EngineKind;
  /** What the image lookup found. */
  readonly found: Found;
  /** 4 random hex digits for the default container name. */
  readonly nonce: string;
  /** A random Jupyter token, used when the command is `notebook` and it runs. */
  readonly notebookToken: string;
  /** For `user: host`: where the passwd and group files go (written only for a run). */
  readonly hostUserFiles?: { readonly passwd: string; readonly group: string };
  /** Whether the engine reported SELinux (asked only when {@link Lookup.askSelinux}). */
  readonly selinux?: boolean;
}

/** A file to print (`--emit`): the document, rendered to YAML by the edge. */
export interface Emit {
  /** Print the document as YAML and exit 0. */
  readonly kind: "emit";
  /** The Compose file or the Job, as data. */
  readonly document: unknown;
  /** Notes above the document, one `#` line each. */
  readonly comments: readonly string[];
  /** `--explain` lines. */
  readonly stderr: string;
}

/** A run, and what comes before it, in order. */
export interface Run {
  /** Run the container; its exit code is run-docker's. */
  readonly kind: "run";
  /** `--explain` lines. */
  readonly stderr: string;
  /** The planned run: its docker argv, name and engine environment. */
  readonly plan: RunPlan;
  /** `user: host`: write the passwd and group files first, with this HOME. */
  readonly writeUserFiles?: { readonly containerHome: string };
  /** The notebook's host address and port, which must be free. */
  readonly checkPort?: { readonly hostname: string; readonly port: number };
  /** The reference to pull first (the newest tag is only on the registry). */
  readonly pull?: string;
  /** Options of that pull before the reference: podman's `--tls-verify=false` for a registry
   * run-docker treats as insecure (loopback, `registries.<host>.insecure`). */
  readonly pullOptions: readonly string[];
  /** Host directories to create (data, log) when missing; removed again if docker fails. */
  readonly makeDirs: readonly string[];
  /** A line for stderr just before the run (the notebook URL). */
  readonly notice?: string;
  /** A warning to print once before the run (a remote engine: mounts are that host's paths). */
  readonly warning?: string;
  /** If run-docker is killed: `remove` the container, `stop` it (`--rm=false`), `leave` it. */
  readonly watchdog?: "remove" | "stop" | "leave";
  /** Kill the container when `docker run` ends non-zero (not for `-d` or `--restart`). */
  readonly killOnFailure: boolean;
  /** The user's `--cidfile`, read instead of run-docker's own. */
  readonly cidfile?: string;
  /** When the pull fails: warn with `registry` and run the newest local image instead. */
  readonly fallback?: { readonly registry: string; readonly image: string; readonly plan: RunPlan };
  /** The reference, for a diagnosis when `docker run` fails. */
  readonly image: string;
  /** `--local`: the diagnosis does not suggest pulling. */
  readonly local: boolean;
  /** `-d`: a failed container is left to the engine, not killed. */
  readonly detach: boolean;
}

/** The last step's answer. */
export type Action = Print | Emit | Run;

/**
 * Step 3: with the image found, what to do.
 *
 * @param lookup From {@link decideLookup}.
 * @param facts See {@link RunFacts}.
 * @returns Text to print, a file to emit, or a run.
 * @throws {UsageError} when `--emit` cannot carry the run (a docker option the format has no key
 *   for; Kubernetes in dev mode).
 */
export function decideRun(lookup: Lookup, facts: RunFacts): Action {
  const { request, settings, layout, host, found } = { ...lookup, ...facts };
  if (request.own.listTags) {
    return {
      kind: "print",
      stdout: formatTagRows(lookup.name, found.rows ?? [], request.own.json, found.registry),
    };
  }
  const reference = formatReference(found.image);
  const engine = facts.engineKind ?? DOCKER_ENGINE;
  // The reference as the engine takes it: podman needs it fully qualified.
  const engineRef = (image: ImageReference) =>
    engine.kind === "podman" ? qualifiedReference(image) : formatReference(image);
  if (request.own.resolve) {
    const resolved = { ...found, reference, policy: lookup.policy };
    return { kind: "print", stdout: formatResolve(resolved, request.own.json) };
  }
  const mustPull = found.source === "remote";
  const notebook = (request.command[0] ?? settings.command?.[0]) === "notebook";
  const runs = !request.own.dryRun && lookup.emit === undefined;
  const hostUser = settings.containerUser === "host" && !request.own.root;
  const planInput = {
    request,
    image: found.image,
    host,
    layout,
    settings,
    version: facts.version,
    nonce: facts.nonce,
    notebookToken: notebook && runs ? facts.notebookToken : undefined,
    pullNever: mustPull,
    // --emit: the file runs elsewhere, where these files of this host are not.
    hostUserFiles: hostUser && lookup.emit === undefined ? facts.hostUserFiles : undefined,
    // --emit: the engine where the file runs decides; run-docker asked none.
    relabel: lookup.emit === undefined
      ? relabelOf(lookup.loaded.config.selinux, lookup.loaded.provenance, facts.selinux)
      : undefined,
    engine,
  };
  const plan = planRun(planInput);
  checkRelabel(plan.spec, host.home, layout.workRoot);
  const order = lookup.policy.order;
  const stderr = request.own.explain
    ? formatExplain(plan.explain, { ...found, order }, lookup.loaded.files) +
      `run-docker: explain: engine: ${describeEngine(facts.engine, engine)}\n`
    : "";
  const insecure = Object.entries(lookup.loaded.config.registries ?? {})
    .filter(([, r]) => r.insecure).map(([host]) => host);
  const pullOptions = engine.kind === "podman" && httpAllowed(found.image.registry, insecure)
    ? ["--tls-verify=false"]
    : [];
  const dirs = [layout.dataDir, layout.logDir].filter((d): d is string => d !== undefined);
  if (lookup.emit !== undefined) return emitOf(lookup, plan, dirs, stderr);
  if (request.own.dryRun) {
    const stdout = request.own.json
      ? JSON.stringify(renderPlanJson(plan.spec, facts.engine, plan.args)) + "\n"
      : formatDryRun({
        program: facts.engine,
        args: plan.args,
        pull: mustPull ? [...pullOptions, engineRef(found.image)] : undefined,
        missingDirs: dirs.filter((d) => !host.existingDirs.has(d)),
      });
    return { kind: "print", stdout, stderr };
  }
  const local = mustPull ? found.rows?.find((row) => row.local)?.tag : undefined;
  const fallbackImage = { ...found.image, tag: local, digest: undefined };
  // A remote engine: its host's ports and paths, not this one's.
  const remote = lookup.remoteEngine;
  return {
    kind: "run",
    stderr,
    plan,
    writeUserFiles: hostUser ? { containerHome: settings.containerHome } : undefined,
    checkPort: notebook && remote === undefined
      ? { hostname: settings.notebookBind, port: request.notebookPort ?? settings.notebookPort }
      : undefined,
    pull: mustPull ? engineRef(found.image) : undefined,
    pullOptions,
    makeDirs: remote === undefined ? dirs : [],
    ...(remote === undefined ? {} : { warning: remoteWarning(remote, plan.spec) }),
    notice: plan.notebookUrl !== undefined
      ? `run-docker: notebook at ${plan.notebookUrl}\n`
      : undefined,
    ...lifecycleOf(request, plan.spec.remove),
    fallback: local === undefined ? undefined : {
      registry: found.image.registry,
      image: engineRef(fallbackImage),
      plan: planRun({ ...planInput, image: fallbackImage, pullNever: false }),
    },
    image: engineRef(found.image),
    local: request.own.local,
    detach: request.detach,
  };
}

/** What becomes of the container when the run ends badly; see {@link Run}. */
function lifecycleOf(request: ValidRunRequest, remove: boolean): Lifecycle {
  const restart = givenValues(request, "restart").at(-1);
  const restarts = restart !== undefined && restart !== "no";
  const rm = givenValues(request, "rm").at(-1);
  const removes = remove || (isGiven(request, "rm") && parseBoolean("--rm", rm));
  // Detached and restarting containers outlive the run by design; --rm=false keeps its own.
  const watchdog = restarts ? "leave" : removes ? "remove" : "stop";
  return {
    watchdog: request.detach ? undefined : watchdog,
    killOnFailure: !request.detach && !restarts,
    cidfile: givenValues(request, "cidfile").at(-1),
  };
}
type Lifecycle = Pick<Run, "watchdog" | "killOnFailure" | "cidfile">;

/** The Compose file or the Job of a run, with its notes. */
function emitOf(lookup: Lookup, plan: RunPlan, dirs: readonly string[], stderr: string): Emit {
  const made = `made by run-docker --emit ${lookup.emit} for ${
    formatReference(plan.spec.image.reference)
  }`;
  if (lookup.emit === "kubernetes") {
    const claims = lookup.loaded.config.kubernetes ?? {};
    const { job, comments } = renderKubernetes(plan.spec, {
      dataClaim: claims.data_claim,
      logClaim: claims.log_claim,
    });
    return { kind: "emit", document: job, comments: [made, ...comments], stderr };
  }
  const comments = [made];
  if (dirs.length > 0) {
    // A bind mount's source must exist where the file runs; run-docker would create it.
    comments.push(
      `create the data and log directories first: ${quoteCommand(["mkdir", "-p", "--", ...dirs])}`,
    );
  }
  return { kind: "emit", document: renderCompose(plan.spec), comments, stderr };
}

/**
 * The error for a notebook port that is taken.
 *
 * @param check The address and port of {@link Run.checkPort}.
 * @returns A {@link UsageError} naming them, with a hint.
 */
export function portInUse(check: { readonly hostname: string; readonly port: number }): UsageError {
  return new UsageError(
    `port ${check.port} is already in use on ${check.hostname}`,
    "pick another port with --notebook-port PORT",
  );
}
