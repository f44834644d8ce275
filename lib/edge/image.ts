/**
 * Edge module: finds the image to run. With a tag or digest, that one: one
 * `image inspect` says whether it is local, else it is pulled before the run
 * (and a failed pull is explained by asking the registry, {@link pinnedPullFailure}).
 * Without: local tags (engine) and remote tags (registry) in parallel, the
 * newest by the tag policy over their union, a tie to local. Any registry
 * failure (network, TLS, timeouts, the spent budget, an unknown repository,
 * a misbehaving registry) while a local image exists gives one warning
 * naming the registry and the reason, and the local choice. When `latest`
 * is chosen and is on both sides, the local and the registry's digests of
 * it are compared, and a different one on the registry is pulled. An
 * images rule with `registry: none` makes the lookup local only.
 *
 * @module
 */

import { cliName, type Engine } from "./engine.ts";
import { listRepositoryImages, localImageId, localRepoDigests } from "./engine_images.ts";
import type { PullError } from "./engine_run.ts";
import { EngineError } from "../core/errors.ts";
import { type PinnedMissing, pinnedMissing } from "../core/outcome.ts";
import {
  familiarName,
  formatReference,
  type ImageReference,
  qualifiedReference,
} from "../core/reference.ts";
import { type RegistryClient, RegistryError, systemRegistryClient } from "./registry/mod.ts";
import {
  chooseTag,
  compareLatest,
  type LatestCheck,
  orderRows,
  type TagRow,
  type TagSource,
} from "../core/resolve.ts";
import type { LoadedTagPolicy } from "../core/tags.ts";
import { formatMixedTags } from "../core/tag_schemes.ts";
import type { RegistrySettings } from "../core/config/schema.ts";

/** The client for the image's registry, with its configured mirror, insecure flag and timeout. */
function registryClient(reference: ImageReference, options: ResolveOptions): RegistryClient {
  const registries = options.registries ?? {};
  const configured = Object.hasOwn(registries, reference.registry)
    ? registries[reference.registry]
    : {};
  const insecure = Object.entries(registries).filter(([, r]) => r.insecure).map(([h]) => h);
  const budgetMs = (configured.timeout_seconds ?? 30) * 1000;
  const host = configured.mirror ?? reference.registry;
  const places = {
    os: options.os ?? Deno.build.os,
    home: options.home ?? options.env.HOME ?? "/",
    env: options.env,
  };
  return systemRegistryClient(host, places, options.warn, { budgetMs, insecure });
}

/** Compares the local `latest` with the registry's; any failure makes it `not known`. */
async function checkLatest(
  reference: ImageReference,
  client: RegistryClient,
  engine: Engine,
): Promise<LatestCheck> {
  const local = { ...reference, tag: "latest", digest: undefined };
  const podman = engine.kind?.kind === "podman";
  const [digests, remote] = await Promise.all([
    localRepoDigests(
      engine,
      podman
        ? `${reference.registry}/${reference.repository}:latest`
        : `${familiarName(local)}:latest`,
    ),
    client.manifestDigest(reference.repository, "latest").catch(() => undefined),
  ]);
  const names = [familiarName(local), `${reference.registry}/${reference.repository}`];
  return compareLatest(digests, names, remote);
}

/**
 * Why the registry's answer is not used, in one line naming the registry:
 * its own words for a repository it does not know or will not show, else
 * `registry H unreachable (<reason>)`: every other failure (network, TLS,
 * timeouts and the spent budget, refusals, a misbehaving registry) counts
 * as the registry not being reachable for this run.
 */
function fallbackReason(error: RegistryError): string {
  if (error.kind === "not-found" || error.kind === "denied") return error.message;
  return `registry ${error.host} unreachable (${error.reason})`;
}

/** The outcome of resolving IMAGE. */
export interface Resolution {
  /** The reference to run, with its tag. */
  readonly image: ImageReference;
  /** `given`: the user named the tag or digest; else where the chosen tag is. */
  readonly source: "given" | TagSource;
  /** How many tags the policy kept (0 when given). */
  readonly candidates: number;
  /** Every tag newest first, when asked for. */
  readonly rows?: TagRow[];
  /** What became of the registry lookup: `ok`, `not asked`, or why it failed. */
  readonly registry: string;
  /** A given tag or digest that is not local: pull it before the run. */
  readonly pinnedRemote?: true;
  /** More `--explain` lines about the choice (mixed tags, the digest of `latest`, a rule). */
  readonly notes?: readonly string[];
  /** Local image IDs (`sha256:…`) by tag (or by the digest given), when the engine said them. */
  readonly localIds?: ReadonlyMap<string, string>;
}

/** What resolution needs from the outside. */
export interface ResolveOptions {
  /** The docker CLI that lists local images. */
  readonly engine: Engine;
  /** The tag policy, from `loadTagPolicy`. */
  readonly policy: LoadedTagPolicy;
  /** `--local`: no network at all. */
  readonly local: boolean;
  /** The glob of an images rule with `registry: none`: no registry lookup either. */
  readonly localOnlyRule?: string;
  /** Environment for the registry client: `HOME`, `DOCKER_CONFIG`, `PROGRAMDATA` (Windows). */
  readonly env: {
    readonly HOME?: string;
    readonly DOCKER_CONFIG?: string;
    readonly PROGRAMDATA?: string;
  };
  /** The home host facts found (`%USERPROFILE%` on Windows); default `env.HOME`. */
  readonly home?: string;
  /** `Deno.build.os`; default this host's. */
  readonly os?: string;
  /**
   * `registries` of the configuration: `insecure` (`RUN_DOCKER_INSECURE_REGISTRIES` included),
   * `timeout_seconds`, `mirror` per host.
   */
  readonly registries?: Readonly<Record<string, RegistrySettings>>;
  /** Prints one warning line. */
  readonly warn: (message: string) => void;
  /** Look up tags even when the reference has one (for `--list-tags`). */
  readonly listAll?: boolean;
  /** Nothing will run (`--list-tags`, `--resolve`): an engine failure is a warning, not an error. */
  readonly lookupOnly?: boolean;
  /**
   * `--dry-run`: a given tag that the engine cannot check (no engine here) is printed as given,
   * as a dry run needs no engine for it.
   */
  readonly dryRun?: boolean;
}

/**
 * Resolves IMAGE to the reference to run.
 *
 * @param reference The parsed IMAGE.
 * @param options See {@link ResolveOptions}.
 * @returns The resolution.
 * @throws {EngineError} when the engine cannot list images, or no image is found anywhere
 *   (with `--local`: a given tag or digest that is not local).
 * @throws {RegistryError} when the registry fails and there is no local image to fall back to.
 */
export async function resolveImage(
  reference: ImageReference,
  options: ResolveOptions,
): Promise<Resolution> {
  const given = reference.tag !== undefined || reference.digest !== undefined;
  if (given && !options.listAll) {
    const found = {
      image: reference,
      source: "given",
      candidates: 0,
      registry: "not asked",
    } as const;
    // Nothing runs (--resolve): the tag stands as given, the engine is not asked.
    if (options.lookupOnly) return found;
    const engineRef = options.engine.kind?.kind === "podman"
      ? qualifiedReference(reference)
      : formatReference(reference);
    let id: string | undefined;
    try {
      id = await localImageId(options.engine, engineRef);
    } catch (error) {
      if (options.dryRun && error instanceof EngineError) return found;
      throw error;
    }
    // The ID by the tag (or digest) as given: `user: auto` needs no inspect of its own.
    if (id !== undefined) {
      return { ...found, localIds: new Map([[reference.tag ?? reference.digest!, id]]) };
    }
    if (options.local || options.localOnlyRule !== undefined) {
      throw pinnedMissing(
        formatReference(reference),
        familiarName(reference),
        reference.registry,
        undefined,
        options.local || options.localOnlyRule!,
        cliName(options.engine),
      );
    }
    return { ...found, pinnedRemote: true };
  }

  const name = familiarName(reference);
  const rule = options.localOnlyRule;
  const client = options.local || rule !== undefined
    ? undefined
    : registryClient(reference, options);
  const remotePromise = client === undefined
    ? Promise.resolve(undefined)
    : client.listTags(reference.repository);
  const [localResult, remoteResult] = await Promise.allSettled([
    // podman: by the fully qualified name (a short one also matches `localhost/NAME`).
    listRepositoryImages(
      options.engine,
      options.engine.kind?.kind === "podman"
        ? `${reference.registry}/${reference.repository}`
        : name,
    ),
    remotePromise,
  ]);
  let local: string[];
  let localIds: Map<string, string> | undefined;
  if (localResult.status === "fulfilled") {
    local = localResult.value.map((image) => image.tag);
    localIds = new Map(localResult.value.map((image) => [image.tag, image.id]));
  } else if (options.lookupOnly && !options.local && localResult.reason instanceof EngineError) {
    options.warn(`${localResult.reason.message}; local images not considered`);
    local = [];
  } else {
    throw localResult.reason;
  }
  let remote: string[] | undefined;
  const ruleText = `images rule ${JSON.stringify(rule)}: registry: none`;
  let registry = options.local
    ? "not asked (--local)"
    : rule !== undefined
    ? `not asked (${ruleText})`
    : "ok";
  if (remoteResult.status === "fulfilled") {
    remote = remoteResult.value;
  } else {
    const error = remoteResult.reason;
    if (!(error instanceof RegistryError) || local.length === 0) throw error;
    const why = fallbackReason(error);
    options.warn(`${why}; using the newest local image`);
    registry = why;
  }

  const { rows, mixed } = orderRows(local, remote, options.policy);
  if (given) return { image: reference, source: "given", candidates: 0, rows, registry };
  const choice = chooseTag(rows);
  if (choice === undefined && options.listAll) {
    return { image: reference, source: "given", candidates: 0, rows, registry };
  }
  if (choice === undefined) {
    const where = options.local
      ? "locally (--local)"
      : rule !== undefined
      ? `locally (${ruleText})`
      : remote === undefined
      ? "locally"
      : "locally or on the registry";
    throw new EngineError(
      `no image of ${name} ${where}${
        local.length + (remote?.length ?? 0) > 0 ? " that the tag policy accepts" : ""
      }`,
      options.local || rule !== undefined
        ? `${options.local ? "--local" : `the ${ruleText}`} uses only local images: build it, ` +
          `load it (${cliName(options.engine)} load -i FILE), or ${
            options.local ? "run once without --local" : "remove the rule"
          } to pull it`
        : `build or push it first, check --tag-order/--tag-filter/--tag-range, or give a tag (${name}:TAG)`,
    );
  }
  const notes: string[] = [];
  if (rule !== undefined && !options.local) notes.push(`registry: not asked (${ruleText})`);
  if (mixed !== undefined) {
    const line = formatMixedTags(name, mixed, choice.tag);
    if (mixed.latest) notes.push(line);
    else if (!options.listAll) options.warn(line);
  }
  let source: TagSource = choice.source;
  if (choice.tag === "latest" && source === "both" && client !== undefined && !options.listAll) {
    const check = await checkLatest(reference, client, options.engine);
    notes.push(
      `latest: the registry's digest and the local one: ${check}${
        check === "newer on the registry" ? " (pulled)" : ""
      }`,
    );
    if (check === "newer on the registry") source = "remote";
  }
  return {
    image: { ...reference, tag: choice.tag },
    source,
    candidates: choice.candidates,
    rows,
    registry,
    notes,
    localIds,
  };
}

/**
 * Text of docker's about a pull from the image's registry, with every form of this run's
 * credential for that registry taken out (a registry may echo what it was sent into an error).
 *
 * @param reference The image pulled.
 * @param text docker's text.
 * @param options The lookup's options (registry settings, environment).
 * @returns The text without any form of the credential.
 */
export function scrubPullText(
  reference: ImageReference,
  text: string,
  options: ResolveOptions,
): Promise<string> {
  return registryClient(reference, options).scrub(text);
}

/**
 * The one error for a pinned image (`IMAGE:TAG`, `IMAGE@DIGEST`) whose pull failed, after
 * asking the registry for the repository's tags (only now, when the pull already failed):
 * no such tag, no such repository, the registry unreachable, or else the pull's own reason.
 *
 * @param reference The pinned reference.
 * @param pull The failed pull.
 * @param options The lookup's options (registry settings, environment, warnings).
 * @returns The error to throw (exit 125), naming the image and the registry.
 */
export async function pinnedPullFailure(
  reference: ImageReference,
  pull: PullError,
  options: ResolveOptions,
): Promise<EngineError> {
  let why: PinnedMissing;
  const client = registryClient(reference, options);
  try {
    const tags = await client.listTags(reference.repository);
    why = reference.tag !== undefined && !tags.includes(reference.tag)
      ? { kind: "no-tag" }
      : { kind: "pull-failed", reason: pull.reason };
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    why = error.kind === "not-found"
      ? { kind: "no-repository" }
      : error.kind === "unreachable" || error.kind === "tls" || error.kind === "plain-http"
      ? { kind: "unreachable", reason: error.reason }
      : { kind: "pull-failed", reason: pull.reason };
  }
  // docker's text may hold what the registry echoed back of the credential it was sent.
  if (why.kind === "pull-failed") why = { ...why, reason: await client.scrub(why.reason) };
  return pinnedMissing(
    formatReference(reference),
    familiarName(reference),
    reference.registry,
    why,
    false,
    cliName(options.engine),
  );
}
