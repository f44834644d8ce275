/**
 * Image references: parsing, validation and Docker Hub normalization.
 *
 * Follows the grammar of the distribution reference spec
 * (github.com/distribution/reference, `reference.go`) and docker's
 * normalization (`normalize.go`): a first component is a registry host when
 * it contains `.` or `:`, is `localhost`, or has an uppercase letter;
 * otherwise the registry is `docker.io` and one-component repositories get
 * `library/`. Docker Hub's defaults are applied here and nowhere else.
 *
 * Pure module: no I/O.
 *
 * @module
 */

/** A parsed, normalized image reference. */
export interface ImageReference {
  /** Registry host with optional port, e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path on that registry, e.g. `library/ubuntu`, `zppz/app`. */
  readonly repository: string;
  /** Tag, e.g. `20210502-002343`; absent when none was given. */
  readonly tag?: string;
  /** Digest `algorithm:hex`, e.g. `sha256:…`; absent when none was given. */
  readonly digest?: string;
}

/** Docker Hub's registry name after normalization. */
export const DOCKER_HUB = "docker.io";
/** Docker Hub's legacy name: a reference may use it; docker keys Hub credentials by it. */
export const DOCKER_HUB_INDEX = "index.docker.io";
/** The host that answers Docker Hub's registry API (`/v2/…`). */
export const DOCKER_HUB_API = "registry-1.docker.io";
/** Docker Hub's key in docker's `auths` and for credential helpers. */
export const DOCKER_HUB_SERVER = `https://${DOCKER_HUB_INDEX}/v1/`;

/** docker's tag grammar (`reference.TagRegexp`), up to 128 characters. */
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * Whether a text is a valid tag: what a reference may name after `:`, and what a registry's
 * tag list may hold (anything else in a list is dropped).
 *
 * @param text A tag, e.g. `20210502-002343`.
 * @returns `true` for a word character, then up to 127 word characters, `.` or `-`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTag } from "./reference.ts";
 * assert.equal(isTag("v1.2.3-rc1"), true);
 * assert.equal(isTag(".hidden"), false);
 * assert.equal(isTag("x".repeat(129)), false);
 * ```
 */
export function isTag(text: string): boolean {
  return TAG.test(text);
}

/** The text could not be parsed as an image reference; `part` names what is wrong. */
export class InvalidReferenceError extends SyntaxError {
  /** The whole text given. */
  readonly input: string;
  /** The offending part, e.g. `"tag"`, `"repository"`, `"digest"`, `"registry"`. */
  readonly part: string;
  /** What the user can do. */
  readonly hint: string;

  /**
   * The message is `cannot parse image reference "<input>": <problem>`; the hint shows the syntax.
   *
   * @param input The reference as given.
   * @param part The offending part (`"tag"`, `"repository"`, `"digest"`, `"registry"`).
   * @param problem What is wrong with it, e.g. `empty tag`.
   */
  constructor(input: string, part: string, problem: string) {
    super(`cannot parse image reference ${JSON.stringify(input)}: ${problem}`);
    this.name = "InvalidReferenceError";
    this.input = input;
    this.part = part;
    this.hint =
      "an image reference looks like [REGISTRY[:PORT]/]REPOSITORY[:TAG][@DIGEST], e.g. zppz/app:20210502-002343";
  }
}

const NAME_MAX = 255;
const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|-+)";
const PATH_COMPONENT = new RegExp(`^${ALNUM}(?:${SEPARATOR}${ALNUM})*$`);
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[0-9a-fA-F:.]+\]$/;
const PORT = /^[0-9]+$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Parses and normalizes an image reference.
 *
 * @param input `[REGISTRY[:PORT]/]REPOSITORY[:TAG][@DIGEST]`, e.g. `ubuntu`,
 *   `zppz/app:20210502-002343`, `localhost:5000/a/b@sha256:<64 hex>`.
 * @returns The reference with Docker Hub defaults applied
 *   (`ubuntu` → `{ registry: "docker.io", repository: "library/ubuntu" }`).
 * @throws {InvalidReferenceError} naming the offending part.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReference } from "./reference.ts";
 * assert.deepEqual(parseReference("ubuntu:24.04"), {
 *   registry: "docker.io",
 *   repository: "library/ubuntu",
 *   tag: "24.04",
 * });
 * assert.throws(() => parseReference("alpine:"), /empty tag/);
 * ```
 */
export function parseReference(input: string): ImageReference {
  const fail = (part: string, problem: string): never => {
    throw new InvalidReferenceError(input, part, problem);
  };
  if (input === "") fail("reference", "empty reference");
  if (/\s/.test(input)) fail("reference", "contains white space");

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = checkDigest(rest.slice(at + 1), fail);
    rest = rest.slice(0, at);
  }

  // The tag is after the last ':' that comes after the last '/' (a ':' before
  // it belongs to the registry's port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === "") fail("tag", "empty tag");
    if (!isTag(tag)) {
      fail(
        "tag",
        `invalid tag ${
          JSON.stringify(tag)
        } (letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-')`,
      );
    }
  }

  const name = rest;
  if (name === "") fail("repository", "empty repository name");
  if (name.length > NAME_MAX) fail("repository", `name longer than ${NAME_MAX} characters`);

  let registry = DOCKER_HUB;
  let path = name;
  const slash = name.indexOf("/");
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (
      first.includes(".") || first.includes(":") || first === "localhost" ||
      first !== first.toLowerCase()
    ) {
      registry = first;
      path = name.slice(slash + 1);
      validateRegistry(registry, fail);
    }
  }
  if (registry === DOCKER_HUB_INDEX) registry = DOCKER_HUB;

  checkPath(path, fail);
  if (registry === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;

  const reference: { registry: string; repository: string; tag?: string; digest?: string } = {
    registry,
    repository: path,
  };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/** Checks a digest (`algorithm:hex`, the hex as long as its algorithm's) and returns it. */
function checkDigest(digest: string, fail: (part: string, problem: string) => never): string {
  if (digest === "") fail("digest", "empty digest after '@'");
  if (!DIGEST.test(digest)) {
    fail("digest", `invalid digest ${JSON.stringify(digest)} (expected algorithm:hex)`);
  }
  const [algorithm, hex] = digest.split(":");
  const want = DIGEST_HEX_LENGTH[algorithm];
  if (want !== undefined && hex.length !== want) {
    fail("digest", `${algorithm} digest must have ${want} hex digits, not ${hex.length}`);
  }
  return digest;
}

/** Checks a repository path: lowercase components separated by `/`. */
function checkPath(path: string, fail: (part: string, problem: string) => never): void {
  if (path === "") fail("repository", "empty repository name");
  for (const component of path.split("/")) {
    if (component === "") fail("repository", `empty path component in ${JSON.stringify(path)}`);
    if (component !== component.toLowerCase()) {
      fail("repository", `repository name must be lowercase: ${JSON.stringify(path)}`);
    }
    if (!PATH_COMPONENT.test(component)) {
      fail(
        "repository",
        `invalid path component ${
          JSON.stringify(component)
        } (lowercase letters and digits, separated by '.', '_', '__' or '-')`,
      );
    }
  }
}

function validateRegistry(registry: string, fail: (part: string, problem: string) => never): void {
  let host = registry;
  let port: string | undefined;
  if (registry.startsWith("[")) {
    const close = registry.indexOf("]");
    if (close === -1) fail("registry", `unterminated IPv6 address in ${JSON.stringify(registry)}`);
    host = registry.slice(0, close + 1);
    const after = registry.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) fail("registry", `invalid registry ${JSON.stringify(registry)}`);
      port = after.slice(1);
    }
    if (!IPV6_HOST.test(host)) fail("registry", `invalid IPv6 address ${JSON.stringify(host)}`);
  } else {
    const colon = registry.indexOf(":");
    if (colon !== -1) {
      host = registry.slice(0, colon);
      port = registry.slice(colon + 1);
    }
    if (!host.split(".").every((c) => DOMAIN_COMPONENT.test(c))) {
      fail("registry", `invalid registry host ${JSON.stringify(host)}`);
    }
  }
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65535)) {
    fail("registry", `invalid registry port ${JSON.stringify(port)}`);
  }
}

/**
 * The short name docker shows for a reference, without tag or digest.
 *
 * @param ref A parsed reference.
 * @returns `docker.io/library/ubuntu` → `ubuntu`, `docker.io/acme/app` →
 *   `acme/app`; other registries keep their host (`localhost:5000/a/b`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familiarName, parseReference } from "./reference.ts";
 * assert.equal(familiarName(parseReference("docker.io/library/ubuntu:22.04")), "ubuntu");
 * assert.equal(familiarName(parseReference("ghcr.io/acme/app")), "ghcr.io/acme/app");
 * ```
 */
export function familiarName(ref: Pick<ImageReference, "registry" | "repository">): string {
  if (ref.registry !== DOCKER_HUB) return `${ref.registry}/${ref.repository}`;
  return ref.repository.startsWith("library/") && ref.repository.split("/").length === 2
    ? ref.repository.slice("library/".length)
    : ref.repository;
}

/**
 * The last component of the repository: the project name used for dev mode
 * and `IMAGE_NAME`.
 *
 * @param ref A parsed reference.
 * @returns e.g. `zppz/docker-project-template-py` → `docker-project-template-py`.
 */
export function imageBaseName(ref: Pick<ImageReference, "repository">): string {
  const parts = ref.repository.split("/");
  return parts[parts.length - 1];
}

/**
 * The familiar form of a reference with a tag and/or digest, as given to `docker run`.
 *
 * @param ref A parsed reference.
 * @returns e.g. `ubuntu:24.04`, `ghcr.io/acme/app@sha256:…`.
 */
export function formatReference(ref: ImageReference): string {
  let text = familiarName(ref);
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}

/**
 * The fully qualified form of a reference, as podman needs it (podman resolves no short names
 * without `unqualified-search-registries`).
 *
 * @param ref A parsed reference.
 * @returns e.g. `docker.io/library/ubuntu:24.04`, `127.0.0.1:5000/a@sha256:…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseReference, qualifiedReference } from "./reference.ts";
 * assert.equal(qualifiedReference(parseReference("ubuntu:24.04")), "docker.io/library/ubuntu:24.04");
 * ```
 */
export function qualifiedReference(ref: ImageReference): string {
  let text = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}
