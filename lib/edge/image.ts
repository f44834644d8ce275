/**
 * Edge module: finds the image to run. With a tag or digest, that one.
 * Without: local tags (engine) and remote tags (registry) in parallel, the
 * newest by the tag policy over their union, a tie to local. Any registry
 * failure (network, TLS, timeouts, the spent budget, an unknown repository,
 * a misbehaving registry) while a local image exists gives one warning
 * naming the registry and the reason, and the local choice.
 *
 * @module
 */

import { cliName, type Engine, listLocalImages } from "./engine.ts";
import { EngineError } from "../core/errors.ts";
import { familiarName, type ImageReference } from "../core/reference.ts";
import { RegistryError, systemRegistryClient } from "./registry/mod.ts";
import { chooseTag, type TagRow, tagRows, type TagSource } from "../core/resolve.ts";
import type { LoadedTagPolicy } from "../core/tags.ts";
import type { RegistrySettings } from "../core/config/schema.ts";

/** Lists the remote tags, with the configured mirror, insecure flag and timeout of the registry. */
function lookupRemote(reference: ImageReference, options: ResolveOptions): Promise<string[]> {
  const registries = options.registries ?? {};
  const configured = Object.hasOwn(registries, reference.registry)
    ? registries[reference.registry]
    : {};
  const insecure = Object.entries(registries).filter(([, r]) => r.insecure).map(([h]) => h);
  const budgetMs = (configured.timeout_seconds ?? 30) * 1000;
  const host = configured.mirror ?? reference.registry;
  return systemRegistryClient(host, options.env, options.warn, { budgetMs, insecure })
    .listTags(reference.repository);
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
  /** The local tags' image IDs (`sha256:…`), by tag, when the engine listed them. */
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
  /** Environment for the registry client: `HOME`, `DOCKER_CONFIG`. */
  readonly env: { readonly HOME?: string; readonly DOCKER_CONFIG?: string };
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
}

/**
 * Resolves IMAGE to the reference to run.
 *
 * @param reference The parsed IMAGE.
 * @param options See {@link ResolveOptions}.
 * @returns The resolution.
 * @throws {EngineError} when the engine cannot list images, or no image is found anywhere.
 * @throws {RegistryError} when the registry fails and there is no local image to fall back to.
 */
export async function resolveImage(
  reference: ImageReference,
  options: ResolveOptions,
): Promise<Resolution> {
  const given = reference.tag !== undefined || reference.digest !== undefined;
  if (given && !options.listAll) {
    return { image: reference, source: "given", candidates: 0, registry: "not asked" };
  }

  const name = familiarName(reference);
  const remotePromise = options.local
    ? Promise.resolve(undefined)
    : lookupRemote(reference, options);
  const [localResult, remoteResult] = await Promise.allSettled([
    // podman: by the fully qualified name (a short one also matches `localhost/NAME`).
    listLocalImages(
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
  let registry = options.local ? "not asked (--local)" : "ok";
  if (remoteResult.status === "fulfilled") {
    remote = remoteResult.value;
  } else {
    const error = remoteResult.reason;
    if (!(error instanceof RegistryError) || local.length === 0) throw error;
    const why = fallbackReason(error);
    options.warn(`${why}; using the newest local image`);
    registry = why;
  }

  const rows = tagRows(local, remote, options.policy);
  if (given) return { image: reference, source: "given", candidates: 0, rows, registry };
  const choice = chooseTag(rows);
  if (choice === undefined && options.listAll) {
    return { image: reference, source: "given", candidates: 0, rows, registry };
  }
  if (choice === undefined) {
    const where = options.local
      ? "locally (--local)"
      : remote === undefined
      ? "locally"
      : "locally or on the registry";
    throw new EngineError(
      `no image of ${name} ${where}${
        local.length + (remote?.length ?? 0) > 0 ? " that the tag policy accepts" : ""
      }`,
      options.local
        ? `--local uses only local images: build it, load it (${
          cliName(options.engine)
        } load -i FILE), or run once without --local to pull it`
        : `build or push it first, check --tag-order/--tag-filter/--tag-range, or give a tag (${name}:TAG)`,
    );
  }
  return {
    image: { ...reference, tag: choice.tag },
    source: choice.source,
    candidates: choice.candidates,
    rows,
    registry,
    localIds,
  };
}
