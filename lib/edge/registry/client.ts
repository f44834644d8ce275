/**
 * A client for one registry, over the OCI Distribution API
 * (distribution-spec v1.1 "Content discovery": `GET /v2/<name>/tags/list`)
 * with docker's token authentication (distribution "Token Authentication
 * Specification" and "OAuth2 Token Authentication").
 *
 * Layers: scheme (https, then http where allowed) → ping and challenge →
 * credentials → token (cached per realm, service and scope for the run) →
 * transport (deadlines, retries, redirects, caps).
 *
 * @module
 */

import type { Challenge } from "../../core/registry/challenge.ts";
import type { Credential } from "./credentials.ts";
import { RegistryError } from "../../core/registry/errors.ts";
import { classifyNetworkError } from "../../core/registry/network_errors.ts";
import {
  blamesN,
  nextLink,
  parseAuthenticate,
  parseTagPage,
  protocolError,
  statusError,
} from "../../core/registry/responses.ts";
import { isTag } from "../../core/reference.ts";
import {
  apiHost,
  httpAllowed,
  isLoopbackHost,
  splitHostPort,
  tagPageSize,
} from "../../core/registry/hosts.ts";
import { basicValue, scrubText, secretForms } from "../../core/registry/secrets.ts";
import { requestToken } from "./token.ts";
import {
  type ReadResponse,
  SMALL_BODY_LIMIT,
  TAGS_BODY_LIMIT,
  Transport,
  type TransportOptions,
} from "./transport.ts";

/** What the client needs besides the transport. */
export interface RegistryClientOptions extends TransportOptions {
  /** Finds the credential for a registry; `undefined` means anonymous. Called at most once. */
  readonly credential?: () => Promise<Credential | undefined>;
  /** Registries that may use plain http (besides loopback ones), `host[:port]`. */
  readonly insecure?: readonly string[];
  /** Prints one warning line (a tag list cut short). */
  readonly warn?: (message: string) => void;
}

/** The manifest and index media types docker accepts when it pulls a tag. */
const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Tag listing stops after this many pages. */
export const MAX_TAG_PAGES = 1000;
/**
 * The most tags read of one repository (the largest public ones have tens of thousands): a
 * registry that lists millions would otherwise cost memory and a minute of sorting on every run.
 */
export const MAX_TAGS = 1_000_000;

/** One registry, as named in a reference (`docker.io`, `localhost:5000`). */
export class RegistryClient {
  /** The registry as named in the reference, host[:port] (`docker.io`, `localhost:5000`). */
  readonly registry: string;
  readonly #options: RegistryClientOptions;
  readonly #transport: Transport;
  #origin?: string;
  #challenges?: Challenge[];
  #credential?: Promise<Credential | undefined>;
  readonly #tokens = new Map<string, { token: string; expires: number }>();

  /**
   * Makes a client; nothing is sent until the first call.
   *
   * @param registry host[:port] as in the reference (`docker.io`, `localhost:5000`).
   * @param options Fetch, timeouts, credential lookup, insecure registries, warnings.
   */
  constructor(registry: string, options: RegistryClientOptions) {
    this.registry = registry;
    this.#options = options;
    this.#transport = new Transport(options);
  }

  /**
   * Lists a repository's tags, following pagination.
   *
   * Sends no `n` unless the registry needs one ({@link tagPageSize}); on a
   * 400/405/413 that blames `n`, retries once without it. Follows
   * `Link: <…>; rel="next"` (same origin only); when a full page of exactly
   * `n` tags comes without a Link, asks for `last=<last tag>`. Stops on a
   * repeated URL, a page with no new tags, or {@link MAX_TAG_PAGES} pages.
   *
   * @param repository e.g. `library/ubuntu`.
   * @returns Valid, distinct tags in no particular order (server order is never relied on).
   * @throws {RegistryError} for any failure, classified by `kind`.
   */
  async listTags(repository: string): Promise<string[]> {
    try {
      return await this.#listTags(repository);
    } catch (error) {
      if (!(error instanceof RegistryError) && !isAbort(error)) throw error;
      // Anything aborted (the caller's signal) is a registry failure too.
      const failure = classifyNetworkError(error, { host: this.registry, repository }, {
        ms: this.#transport.budgetMs,
        whole: true,
      });
      throw failure.error.scrubbed(await this.#scrubber());
    }
  }

  /**
   * The digest of what a tag names (`HEAD /v2/<repository>/manifests/<tag>`, its
   * `Docker-Content-Digest`), asked with every manifest and index media type so that it is the
   * digest docker records in `RepoDigests` when it pulls the tag.
   *
   * @param repository e.g. `library/python`.
   * @param tag e.g. `latest`.
   * @returns The digest (`sha256:…`), or `undefined` when the registry does not name one.
   * @throws {RegistryError} for any failure, classified by `kind`.
   */
  async manifestDigest(repository: string, tag: string): Promise<string | undefined> {
    const context = { host: this.registry, repository };
    try {
      const origin = await this.#ping(context);
      const url = `${origin}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
      const response = await this.#authorizedGet(url, repository, SMALL_BODY_LIMIT, {
        method: "HEAD",
        accept: MANIFEST_TYPES,
      });
      if (response.status !== 200) throw statusError(response, context);
      const digest = response.headers.get("docker-content-digest") ?? "";
      return /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined;
    } catch (error) {
      if (!(error instanceof RegistryError) && !isAbort(error)) throw error;
      const failure = classifyNetworkError(error, context, {
        ms: this.#transport.budgetMs,
        whole: true,
      });
      throw failure.error.scrubbed(await this.#scrubber());
    }
  }

  /**
   * Removes every form of every secret this client holds (the registry's credential, looked up
   * now if no challenge asked for it yet, as docker sends the same one, and the tokens received)
   * from a text: for docker's own text about this registry (a failed pull), in which a registry
   * can echo what it was sent.
   *
   * @param text Any text.
   * @returns The text with each form replaced.
   */
  async scrub(text: string): Promise<string> {
    await this.#loadCredential().catch(() => undefined);
    return (await this.#scrubber())(text);
  }

  /** Replaces every form of every secret this run holds (credential, tokens received). */
  async #scrubber(): Promise<(text: string) => string> {
    const forms = await this.#secretForms();
    return (text) => scrubText(text, forms);
  }

  /** Every form of every secret this run holds. */
  async #secretForms(): Promise<string[]> {
    const credential = await this.#credential?.catch(() => undefined);
    return secretForms(credential, [...this.#tokens.values()].map((t) => t.token));
  }

  /** Prints a warning with every secret removed. */
  async #warn(message: string): Promise<void> {
    if (this.#options.warn === undefined) return;
    this.#options.warn((await this.#scrubber())(message));
  }

  async #listTags(repository: string): Promise<string[]> {
    const context = { host: this.registry, repository };
    const cut = (why: string) =>
      this.#warn(
        `the tag list of ${repository} on ${this.registry} ${why}; the newest tags may be missing`,
      );
    const origin = await this.#ping(context);
    let n = tagPageSize(this.registry);
    const base = `${origin}/v2/${repository}/tags/list`;
    let url = n === undefined ? base : `${base}?n=${n}`;
    const seenUrls = new Set<string>();
    // The tags of the first page as a list; a set of them only when a second page comes (the
    // stop rule needs it): a set of a million tags takes seconds to build.
    let tags: string[] = [];
    let seen: Set<string> | undefined;
    for (let page = 0;; page++) {
      if (page === MAX_TAG_PAGES) {
        await cut(`goes on past ${MAX_TAG_PAGES} pages: stopped there`);
        break;
      }
      if (seenUrls.has(url)) break;
      this.#transport.checkBudget(context);
      seenUrls.add(url);
      let response = await this.#authorizedGet(url, repository, TAGS_BODY_LIMIT);
      if (
        n !== undefined && page === 0 && [400, 405, 413].includes(response.status) &&
        blamesN(response)
      ) {
        n = undefined;
        url = base;
        seenUrls.add(url);
        response = await this.#authorizedGet(url, repository, TAGS_BODY_LIMIT);
      }
      if (response.status !== 200) throw statusError(response, context);
      const pageTags = parseTagPage(response, context);
      const valid = pageTags.filter((tag): tag is string => typeof tag === "string" && isTag(tag));
      if (page === 0) {
        tags = valid;
        if (valid.length === 0) break;
      } else {
        if (seen === undefined) {
          seen = new Set(tags);
          tags = [...seen];
        }
        const before = seen.size;
        for (const tag of valid) {
          if (seen.has(tag)) continue;
          seen.add(tag);
          tags.push(tag);
        }
        if (seen.size === before) break;
      }
      // A registry may list any number of tags: past MAX_TAGS distinct ones, stop there.
      if ((seen?.size ?? tags.length) > MAX_TAGS) {
        const all = seen === undefined ? distinct(tags) : tags;
        if (all.length > MAX_TAGS) {
          await cut(`has over ${MAX_TAGS.toLocaleString("en")} tags: stopped there`);
          return await this.#withoutSecrets(all.slice(0, MAX_TAGS), repository);
        }
      }
      const next = nextLink(response.headers.get("link"), response.url);
      if (next !== undefined) {
        if (new URL(next).origin !== new URL(response.url).origin) {
          await cut(`continues on another host (${new URL(next).host}), which is not followed`);
          break;
        }
        url = next;
      } else if (n !== undefined && pageTags.length === n) {
        const last = pageTags[pageTags.length - 1];
        url = `${base}?n=${n}&last=${encodeURIComponent(String(last))}`;
      } else {
        break;
      }
    }
    return await this.#withoutSecrets(seen === undefined ? distinct(tags) : tags, repository);
  }

  /**
   * Drops the tags that hold a form of a secret of this run: a registry that names a tag
   * after a credential would get it printed (`--list-tags`), into argv and into `IMAGE_VERSION`.
   */
  async #withoutSecrets(tags: string[], repository: string): Promise<string[]> {
    const forms = await this.#secretForms();
    if (forms.length === 0) return tags;
    const scrub = (text: string) => scrubText(text, forms);
    const kept = tags.filter((tag) => scrub(tag) === tag);
    if (kept.length < tags.length) {
      await this.#warn(
        `dropped ${tags.length - kept.length} tag(s) of ${repository} on ${this.registry} ` +
          "that hold a credential of yours",
      );
    }
    return kept;
  }

  /**
   * Finds the scheme and the challenges with `GET /v2/`: https, and where
   * plain http is allowed, http at the same time. One host:port speaks one
   * of the two, so an http answer of 200 or 401 means the port is plain
   * http and https cannot succeed there: it is used without waiting for
   * https to fail (which costs ~40 ms of TLS setup). Otherwise https wins.
   * A loopback registry is asked in plain http alone first: when that answer
   * decides, no TLS connection is tried at all (nor the CA store read).
   */
  async #ping(context: { host: string; repository?: string }): Promise<string> {
    if (this.#origin !== undefined) return this.#origin;
    const host = apiHost(this.registry);
    const attempt = async (origin: string) => {
      try {
        return {
          origin,
          response: await this.#transport.send(`${origin}/v2/`, {}, SMALL_BODY_LIMIT, context),
        };
      } catch (error) {
        return { origin, error };
      }
    };
    const attemptHttps = () => attempt(`https://${host}`);
    type Outcome = Awaited<ReturnType<typeof attemptHttps>>;
    const answered = (o: Outcome) =>
      o.response !== undefined && [200, 401].includes(o.response.status);
    let chosen: Outcome;
    if (httpAllowed(this.registry, this.#options.insecure ?? [])) {
      const loopback = isLoopbackHost(splitHostPort(host).hostname);
      const https = loopback ? undefined : attemptHttps();
      const http = attempt(`http://${host}`);
      const first = https === undefined ? await http : await Promise.race([https, http]);
      if (first.origin.startsWith("http:") && answered(first)) {
        chosen = first;
      } else {
        const secure = await (https ?? attemptHttps());
        chosen = secure.error === undefined ? secure : await http;
        if (chosen !== secure && !answered(chosen)) {
          // Plain http to a TLS port answers 400: a TLS failure is the news. When https was
          // answered in plain http, the port speaks http and what http got is the news.
          if (secure.error instanceof RegistryError && secure.error.kind === "tls") {
            throw secure.error;
          }
          if (chosen.error !== undefined) throw chosen.error;
        }
      }
    } else {
      chosen = await attemptHttps();
    }
    if (chosen.error !== undefined) throw chosen.error;
    const response = chosen.response!;
    if (response.status === 401 && new URL(response.url).origin !== chosen.origin) {
      // A challenge from another origin (after a redirect) would send your credentials to a
      // token service of its choosing.
      throw protocolError(
        `${this.registry} redirected GET /v2/ to ${
          new URL(response.url).host
        }, which asked for credentials`,
        context,
      );
    }
    if (response.status === 401) this.#challenges = parseAuthenticate(response, context);
    else if (response.status === 200) this.#challenges = [];
    else if (response.status === 404) {
      throw protocolError(`${this.registry} is not a registry (GET /v2/ answered 404)`, context);
    } else throw statusError(response, context);
    this.#origin = chosen.origin;
    return chosen.origin;
  }

  async #authorizedGet(
    url: string,
    repository: string,
    limit: number,
    how: { method?: string; accept?: string } = {},
  ): Promise<ReadResponse> {
    const context = { host: this.registry, repository };
    let authorization = await this.#authorization(this.#challenges ?? [], repository, false);
    let response = await this.#send(url, authorization, limit, context, how);
    // Only the registry's own challenges count: one from the origin of a redirect would send
    // your credentials to a token service of its choosing.
    const own = new URL(response.url).origin === this.#origin;
    if (response.status === 401 && own && !authorization?.startsWith("Basic ")) {
      // The resource asked for more than the ping did (or the token expired): once more.
      // Basic credentials that were refused are not sent again (account lockouts count them).
      const challenges = parseAuthenticate(response, context);
      if (challenges.length > 0) {
        authorization = await this.#authorization(challenges, repository, true);
        if (authorization !== undefined) {
          response = await this.#send(url, authorization, limit, context, how);
        }
      }
    }
    return response;
  }

  #send(
    url: string,
    authorization: string | undefined,
    limit: number,
    context: { host: string },
    how: { method?: string; accept?: string } = {},
  ) {
    const headers: Record<string, string> = { accept: how.accept ?? "application/json" };
    // Credentials go only to the registry's own origin.
    if (authorization !== undefined && new URL(url).origin === this.#origin) {
      headers.authorization = authorization;
    }
    return this.#transport.send(url, { headers, method: how.method }, limit, context);
  }

  #loadCredential(): Promise<Credential | undefined> {
    this.#credential ??= this.#options.credential?.() ?? Promise.resolve(undefined);
    return this.#credential;
  }

  async #authorization(
    challenges: Challenge[],
    repository: string,
    fresh: boolean,
  ): Promise<string | undefined> {
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const basic = challenges.find((c) => c.scheme === "basic");
    if (bearer === undefined && basic === undefined) return undefined;
    const credential = await this.#loadCredential();
    if (bearer !== undefined) {
      if (credential?.registryToken) return `Bearer ${credential.registryToken}`;
      return `Bearer ${await this.#token(bearer, repository, credential, fresh)}`;
    }
    if (credential?.username !== undefined && credential.password !== undefined) {
      return `Basic ${basicValue(credential.username, credential.password)}`;
    }
    return undefined;
  }

  /** A pull token for the repository, cached per realm, service and scope for the run. */
  async #token(
    challenge: Challenge,
    repository: string,
    credential: Credential | undefined,
    fresh: boolean,
  ): Promise<string> {
    const key = `${challenge.params.realm}\n${challenge.params.service ?? ""}\n${repository}`;
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#tokens.get(key);
    if (!fresh && cached !== undefined && cached.expires > now) return cached.token;
    const { token, expiresIn } = await requestToken({
      transport: this.#transport,
      registry: this.registry,
      registryOrigin: this.#origin!,
      challenge,
      repository,
      credential,
    });
    this.#tokens.set(key, { token, expires: now + expiresIn * 1000 });
    return token;
  }
}

/** The distinct tags, sorted (equal ones are neighbours then: no set of a million strings). */
function distinct(tags: string[]): string[] {
  const sorted = tags.sort();
  return sorted.filter((tag, i) => i === 0 || tag !== sorted[i - 1]);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

export { nextLink } from "../../core/registry/responses.ts";
