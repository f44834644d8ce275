/**
 * The last decision step: with the image found, what to print, what file to
 * emit, or how to run (the plan, the pull first, the directories to make,
 * the watchdog, the port to check). See `decide.ts` for the first two steps.
 *
 * Pure module: a function of its arguments alone.
 *
 * @module
 */

import { parseBoolean } from "./cli.ts";
import { UsageError } from "./errors.ts";
import { formatDryRun } from "./format/dry_run.ts";
import { formatExplain } from "./format/explain.ts";
import { formatResolve } from "./format/resolve.ts";
import { describeEngine, DOCKER_ENGINE, type EngineKind } from "./engine_kind.ts";
import { formatReference, type ImageReference, qualifiedReference } from "./reference.ts";
import { httpAllowed } from "./registry/hosts.ts";
import { renderCompose } from "./render/compose.ts";
import { renderPlanJson } from "./render/json.ts";
import { renderKubernetes } from "./render/kubernetes.ts";
import { formatTagRows, type TagRow } from "./resolve.ts";
import { orderOf } from "./tags.ts";
import { givenValues, isGiven, type ValidRunRequest } from "./request.ts";
import { NOTEBOOK_PROGRAM, NOTEBOOK_TOKEN } from "./notebook.ts";
import { planRun, type RunPlan } from "./run_args.ts";
import { checkRelabel, relabelOf, remoteWarning } from "./engine_host.ts";
import { decideGpus, type GpuFacts } from "./outcome.ts";
import { quoteCommand } from "./shell_quote.ts";
import type { Lookup, Print } from "./decide.ts";
import type { ImageUser, UserPlace } from "./user.ts";

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
  /** A given tag or digest that is not local: pulled before the run. */
  readonly pinnedRemote?: true;
  /** More `--explain` lines about the choice. */
  readonly notes?: readonly string[];
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
  /** run-docker's pid, for the `run-docker.pid` label of a run. */
  readonly pid?: number;
  /** A random Jupyter token, used when the command is `notebook` and it runs. */
  readonly notebookToken: string;
  /** For `user: host`: where the passwd and group files go (written only for a run). */
  readonly hostUserFiles?: { readonly passwd: string; readonly group: string };
  /** Whether the engine reported SELinux (asked only when {@link Lookup.askSelinux}). */
  readonly selinux?: boolean;
  /** For `gpus: auto`: `nvidia-smi` and the engine's runtimes (asked per `gpusQuestion`). */
  readonly gpus?: GpuFacts;
  /** For `user: auto`: the image's user, read from the image; absent: unknown (docker-user,
   * uid 1000, by convention). */
  readonly imageUser?: ImageUser;
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
  /** docker's `-q`/`--quiet` was given: the pull says nothing either (no progress, no summary). */
  readonly pullQuiet: boolean;
  /** Host directories to create (data, log) when missing; removed again if docker fails. */
  readonly makeDirs: readonly string[];
  /** Host root under `user: auto`: the uid:gid that those of {@link makeDirs} that run-docker
   * creates are given (never one that exists). */
  readonly dirOwner?: { readonly uid: number; readonly gid: number };
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
  /** What to say when `docker run` ends 127, the program not found in the image (the
   * `notebook` shortcut: no JupyterLab); the exit code stays 127. */
  readonly notFound?: { readonly message: string; readonly hint: string };
  /** The image is pinned (tag or digest given) and pulled first: a failed pull is explained. */
  readonly pinned: boolean;
  /** The memory limit in effect (`-m`, else `memory:`), for an out-of-memory report. */
  readonly memory?: string;
  /** The `--gpus` value in effect, for the report of an engine that has no GPUs. */
  readonly gpus?: string;
  /** Neither a command nor `--entrypoint` was given: when docker refuses the run, ask whether
   * the image has a default command. */
  readonly noCommand?: true;
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
  const mustPull = found.source === "remote" || found.pinnedRemote === true;
  const notebook = (request.command[0] ?? settings.command?.[0]) === "notebook";
  const runs = !request.own.dryRun && lookup.emit === undefined;
  // --emit: the file runs elsewhere; the engine there decides what `gpus: auto` means.
  const gpus = decideGpus(settings.gpus, lookup.emit === undefined ? facts.gpus : undefined);
  // Undefined: this host's engine (planRun tells Docker Desktop by the host's os).
  const userPlace: UserPlace | undefined = lookup.emit !== undefined
    ? "elsewhere"
    : lookup.remoteEngine !== undefined
    ? "remote"
    : undefined;
  const planInput = {
    request,
    image: found.image,
    host,
    layout,
    settings: { ...settings, gpus: gpus.gpus },
    version: facts.version,
    nonce: facts.nonce,
    // Who runs it, for `--ps` and `--cleanup`: only on a container that runs here and now.
    owner: runs && facts.pid !== undefined
      ? { host: host.hostname, pid: facts.pid, detached: request.detach }
      : undefined,
    // --dry-run: the token as the printed line's shell expands it; that line sets it.
    notebookToken: notebook && runs
      ? facts.notebookToken
      : notebook && request.own.dryRun
      ? `$${NOTEBOOK_TOKEN}`
      : undefined,
    pullNever: mustPull,
    // --emit: the file runs elsewhere, where these files of this host are not.
    hostUserFiles: lookup.emit === undefined ? facts.hostUserFiles : undefined,
    imageUser: facts.imageUser,
    userPlace,
    // --emit: the engine where the file runs decides; run-docker asked none.
    relabel: lookup.emit === undefined
      ? relabelOf(lookup.loaded.config.selinux, lookup.loaded.provenance, facts.selinux)
      : undefined,
    engine,
  };
  const planned = planRun(planInput);
  const plan = gpus.why === undefined || isGiven(request, "gpus")
    ? planned
    : { ...planned, explain: [...planned.explain, gpus.why] };
  const hostUser = plan.user.user === "host";
  checkRelabel(plan.spec, host.home, layout.workRoot);
  const order = orderOf(lookup.policy);
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
    const setToken = plan.spec.notebook?.tokenByName === true ? NOTEBOOK_TOKEN : undefined;
    const stdout = request.own.json
      ? JSON.stringify(renderPlanJson(plan.spec, facts.engine, plan.args)) + "\n"
      : formatDryRun({
        program: facts.engine,
        args: plan.args,
        pull: mustPull ? [...pullOptions, engineRef(found.image)] : undefined,
        missingDirs: dirs.filter((d) => !host.existingDirs.has(d)),
        setToken,
        dirOwner: plan.user.dirOwner,
      });
    const how = setToken === undefined
      ? ""
      : request.own.json
      ? ` (set ${setToken} in the engine's environment)`
      : ` (the command sets ${setToken} to a fresh random token)`;
    const url = plan.notebookUrl !== undefined
      ? `run-docker: notebook at ${plan.notebookUrl}${how}\n`
      : "";
    return { kind: "print", stdout, stderr: stderr + url };
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
    pullQuiet: quietGiven(request),
    makeDirs: remote === undefined ? dirs : [],
    ...(plan.user.dirOwner === undefined ? {} : { dirOwner: plan.user.dirOwner }),
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
    ...(plan.spec.notebook !== undefined && !request.detach
      ? {
        notFound: {
          message: `${reference} has no Jupyter Lab (${NOTEBOOK_PROGRAM} not found)`,
          hint: "install it in the image (pip install jupyterlab), or run another command",
        },
      }
      : {}),
    pinned: found.pinnedRemote === true,
    memory: givenValues(request, "memory").at(-1) ?? plan.spec.memory,
    gpus: givenValues(request, "gpus").at(-1) ?? plan.spec.gpus,
    ...(plan.spec.command.length === 0 && !isGiven(request, "entrypoint")
      ? { noCommand: true }
      : {}),
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
  const { uid, gid, os } = lookup.host;
  const image = plan.user.image;
  if (plan.user.auto && os === "linux" && uid !== undefined && uid !== 0 && uid !== image.uid) {
    // On this host, run-docker would run as the invoking uid; the file keeps the image user.
    comments.push(
      `runs as the image user ${image.name} (uid ${image.uid}); run on this host as uid ${uid}, ` +
        `set user: "${uid}:${gid}" for src, data and log to be writable`,
    );
  }
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

/** Whether docker's `-q`/`--quiet` is on for the run (given bare or true, last one wins). */
function quietGiven(request: ValidRunRequest): boolean {
  const given = givenValues(request, "quiet");
  return given.length > 0 && parseBoolean("--quiet", given.at(-1));
}
