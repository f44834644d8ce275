/**
 * Reading registry responses: challenges, tag pages, `Link` headers, and
 * statuses turned into classified, hinted errors (distribution-spec
 * "Error Codes").
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { type Challenge, parseChallenges } from "./challenge.ts";
import { RegistryError } from "./errors.ts";
import { capLength, stripControls } from "../printable.ts";

/** A response whose body has been read (capped), as the registry transport returns it. */
export interface ReadResponse {
  /** HTTP status of the last response (after redirects). */
  readonly status: number;
  /** Its headers (a `Headers`; only reading is needed here). */
  readonly headers: { get(name: string): string | null };
  /** The URL that answered (after redirects). */
  readonly url: string;
  /** The whole body, at most the cap given to the transport. */
  readonly body: Uint8Array;
}

/**
 * The challenges of a 401 response.
 *
 * @throws {RegistryError} `protocol` for a malformed `WWW-Authenticate`.
 */
export function parseAuthenticate(
  response: ReadResponse,
  context: { host: string; repository?: string },
): Challenge[] {
  const header = response.headers.get("www-authenticate") ?? "";
  try {
    return parseChallenges(header);
  } catch (error) {
    throw new RegistryError({
      kind: "protocol",
      message: `registry ${context.host} sent a malformed challenge`,
      detail: (error as Error).message,
      hint: "the registry misbehaves; run with --local to use local images",
      host: context.host,
      repository: context.repository,
    });
  }
}

/** A `protocol` error: the registry answered something run-docker cannot use. */
export function protocolError(
  message: string,
  context: { host: string; repository?: string },
): RegistryError {
  return new RegistryError({
    kind: "protocol",
    message,
    hint: "the registry misbehaves; run with --local to use local images",
    host: context.host,
    repository: context.repository,
  });
}

/** Whether a 400/405/413 on a request with `n` is about `n` (405 and 413 always are). */
export function blamesN(response: ReadResponse): boolean {
  if (response.status !== 400) return true;
  const text = new TextDecoder().decode(response.body);
  return /pagination|\bn\b|page size|limit|number/i.test(text);
}

/**
 * The `tags` of a tag-list page (distribution-spec "Listing Tags"); `null` is `[]`.
 *
 * @throws {RegistryError} `protocol` when the body is not a JSON object with a list.
 */
export function parseTagPage(
  response: ReadResponse,
  context: { host: string; repository?: string },
): unknown[] {
  let body: { tags?: unknown };
  try {
    body = JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    throw protocolError(`registry ${context.host} sent a tag list that is not JSON`, context);
  }
  if (body === null || typeof body !== "object") {
    throw protocolError(`registry ${context.host} sent a tag list that is not an object`, context);
  }
  if (body.tags === null || body.tags === undefined) return [];
  if (!Array.isArray(body.tags)) {
    throw protocolError(`registry ${context.host} sent tags that are not a list`, context);
  }
  return body.tags;
}

/**
 * The `rel="next"` target of a `Link` header (RFC 8288), resolved against the request URL.
 *
 * @param header The `Link` header value, possibly with several links.
 * @param requestUrl The URL the response came from.
 * @returns The absolute next URL, or `undefined`.
 */
export function nextLink(header: string | null, requestUrl: string): string | undefined {
  if (header === null) return undefined;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const params = match[2];
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (rels.includes("next")) {
      try {
        return new URL(match[1], requestUrl).href;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Turns a non-success status into a classified, hinted error. */
export function statusError(
  response: ReadResponse,
  context: { host: string; repository?: string },
  what = "request",
): RegistryError {
  const text = new TextDecoder().decode(response.body);
  let code: string | undefined;
  let detail: string | undefined;
  try {
    const first = JSON.parse(text)?.errors?.[0];
    // Codes are upper-case words (distribution-spec "Error Codes"); anything else is not one.
    code = typeof first?.code === "string" && /^[A-Z][A-Z0-9_]{0,63}$/.test(first.code)
      ? first.code
      : undefined;
    detail = typeof first?.message === "string" ? first.message : undefined;
  } catch {
    // not an OCI error body
  }
  const base = {
    host: context.host,
    repository: context.repository,
    status: response.status,
    code,
  };
  const repo = context.repository ?? "the repository";
  if (response.status === 401 || response.status === 403) {
    return new RegistryError({
      ...base,
      kind: "denied",
      message: `access denied to ${repo} on ${context.host}`,
      hint: `docker login ${context.host}`,
    });
  }
  if (response.status === 404) {
    return new RegistryError({
      ...base,
      kind: "not-found",
      message: `no repository ${repo} on ${context.host}`,
      hint: "check the image name, or build and push it first",
    });
  }
  if (response.status === 429) {
    const figures = ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]
      .map((h) => [h, response.headers.get(h)] as const)
      .filter(([, v]) => v !== null)
      .map(([h, v]) => `${h}: ${capLength(stripControls(v!), 64)}`);
    return new RegistryError({
      ...base,
      kind: "rate-limited",
      message: `registry ${context.host} rate-limited the ${what}${
        figures.length ? ` (${figures.join(", ")})` : ""
      }`,
      hint:
        `wait and try again, docker login ${context.host} for a higher limit, or run with --local`,
    });
  }
  const answered = `answered the ${what} with ${response.status}${code ? ` ${code}` : ""}`;
  return new RegistryError({
    ...base,
    kind: "protocol",
    message: `registry ${context.host} ${answered}`,
    reason: answered,
    detail,
    hint: "try again later, or run with --local",
  });
}
