/**
 * The registry transport: one injectable `fetch` wrapped in single-purpose
 * layers: one budget for the whole lookup that bounds every request, body
 * read, wait and retry; retries with backoff and `Retry-After`; manual
 * redirects (301/302/303 turn a POST into a bodiless GET; no body and no
 * `Authorization` go to another origin, a credential body not even as a
 * GET; never down from https; each hop checked by the caller); capped body
 * reads; and every failure, timeouts while a body is read included,
 * classified as a {@link RegistryError}.
 *
 * @module
 */

import type { ReadResponse } from "../../core/registry/responses.ts";
import { RegistryError } from "../../core/registry/errors.ts";
import {
  classifyNetworkError,
  type RequestContext,
  timeoutError,
} from "../../core/registry/network_errors.ts";
import { concatBytes } from "../bytes.ts";

export type { RequestContext } from "../../core/registry/network_errors.ts";

/**
 * What the transport reads of an answer: a `Response`, or the plain-http client's answer
 * (`plain_http.ts`), which needs none of fetch's body and stream machinery.
 */
export interface FetchAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The headers (only reading is needed). */
  readonly headers: { get(name: string): string | null };
  /** The body's chunks, or `null` for none. */
  readonly body: (AsyncIterable<Uint8Array> & { cancel(): Promise<void> }) | null;
}

/** The fetch the client uses; `Deno`'s global by default. */
export type Fetch = (input: string, init?: RequestInit) => Promise<FetchAnswer>;

/** Transport settings. Times in milliseconds. */
export interface TransportOptions {
  /** The fetch every request goes through (a recording fake in unit tests). */
  readonly fetch: Fetch;
  /** Per-request deadline (headers, redirects and body); default 10,000 ms. */
  readonly requestTimeoutMs?: number;
  /**
   * The whole lookup's budget, from the transport's creation: every request,
   * body read, wait and retry fits in it; default 30,000 ms.
   */
  readonly budgetMs?: number;
  /** Aborts everything, besides the budget. */
  readonly signal?: AbortSignal;
  /** Retries after the first try for 408/429/5xx and connection resets; default 3. */
  readonly retries?: number;
  /** Waits; injectable so tests run without sleeping. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock, for the budget and `Retry-After` HTTP-dates; default `Date.now`. */
  readonly now?: () => number;
}

/** One request. */
export interface SendInit {
  /** HTTP method; default `GET`. */
  readonly method?: string;
  /** An `Authorization` goes only to the first URL's origin. */
  readonly headers?: Record<string, string>;
  /** Request body (a token request's form), sent as given. */
  readonly body?: string;
  /** The body holds a credential: the request never goes to another origin, in any form. */
  readonly credentialBody?: boolean;
  /** Checks each redirect target before it is asked; throws a {@link RegistryError} to refuse. */
  readonly checkRedirect?: (target: URL) => void;
}

/** Cap on one page of a tag list's body, in bytes (64 MiB). */
export const TAGS_BODY_LIMIT = 64 * 1024 * 1024;
/** Cap on every other body (`/v2/`, token answers, errors), in bytes (64 KiB). */
export const SMALL_BODY_LIMIT = 64 * 1024;
/** Longest wait between retries, in milliseconds. */
export const MAX_RETRY_WAIT_MS = 10_000;
/** The whole lookup's default budget, in milliseconds. */
export const DEFAULT_BUDGET_MS = 30_000;
const MAX_REDIRECTS = 5;

/** A response whose body has been read (capped): see `ReadResponse` in the core. */
export type { ReadResponse };

/**
 * Sends GET/POST requests with the layers above.
 */
export class Transport {
  readonly #options: TransportOptions;
  readonly #now: () => number;
  readonly #budgetMs: number;
  readonly #deadline: number;

  /**
   * Starts the budget: {@link TransportOptions.budgetMs} counts from here.
   *
   * @param options Fetch, timeouts, retries, and the injectable sleep and clock.
   */
  constructor(options: TransportOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    this.#deadline = this.#now() + this.#budgetMs;
  }

  /** The whole lookup's budget, in milliseconds. */
  get budgetMs(): number {
    return this.#budgetMs;
  }

  /** Milliseconds left of the budget (≤ 0 when spent). */
  remaining(): number {
    return this.#deadline - this.#now();
  }

  /**
   * Throws when the budget is spent.
   *
   * @throws {RegistryError} `unreachable`: no complete answer within the budget.
   */
  checkBudget(context: RequestContext): void {
    if (this.remaining() <= 0) throw timeoutError(context, this.#budgetMs, true);
  }

  /**
   * Sends a request and reads its body.
   *
   * @param url Absolute URL.
   * @param init See {@link SendInit}.
   * @param limit Body cap in bytes.
   * @param context Host and repository for error messages.
   * @returns The final response (after redirects and retries) with its body.
   * @throws {RegistryError} `unreachable`/`tls`/`plain-http` for network failures and
   *   timeouts (body reads and the spent budget included), `protocol` for a refused
   *   redirect, `too-large` for a body over `limit`.
   */
  async send(
    url: string,
    init: SendInit,
    limit: number,
    context: RequestContext,
  ): Promise<ReadResponse> {
    const retries = this.#options.retries ?? 3;
    for (let attempt = 0;; attempt++) {
      this.checkBudget(context);
      const requestMs = this.#options.requestTimeoutMs ?? 10_000;
      const bound = Math.min(requestMs, this.remaining());
      const within = {
        ms: bound < requestMs ? this.#budgetMs : requestMs,
        whole: bound < requestMs,
      };
      const timeout = AbortSignal.timeout(bound);
      const signal = this.#options.signal
        ? AbortSignal.any([timeout, this.#options.signal])
        : timeout;
      let response: FetchAnswer;
      let finalUrl: string;
      try {
        [response, finalUrl] = await this.#fetchFollowing(url, init, context, signal);
      } catch (error) {
        const failure = classifyNetworkError(error, context, within);
        const wait = backoff(attempt);
        if (failure.retryable && attempt < retries && this.#fits(wait)) {
          await this.#wait(wait);
          continue;
        }
        throw failure.error;
      }
      const status = response.status;
      // A Retry-After longer than we would ever wait, or than the budget has left, is the
      // registry's answer for now.
      const wait = retryAfter(response.headers.get("retry-after"), this.#now) ?? backoff(attempt);
      const retryable = status === 408 || status === 429 || status >= 500;
      if (retryable && attempt < retries && wait <= MAX_RETRY_WAIT_MS && this.#fits(wait)) {
        await response.body?.cancel();
        await this.#wait(wait);
        continue;
      }
      let body: Uint8Array;
      try {
        body = await readCapped(response, limit, context);
      } catch (error) {
        throw classifyNetworkError(error, context, within).error;
      }
      return { status, headers: response.headers, url: finalUrl, body };
    }
  }

  /** Whether a wait of `ms` leaves time for another request. */
  #fits(ms: number): boolean {
    return ms < this.remaining();
  }

  /**
   * Follows redirects by hand: 301/302 turn a POST into a GET and 303 any
   * method but GET/HEAD (as the fetch standard does), without body; no body
   * and no `Authorization` go to another origin, no credential body goes
   * there in any form, never down from https, and each target passes
   * `checkRedirect`.
   */
  async #fetchFollowing(
    url: string,
    init: SendInit,
    context: RequestContext,
    signal: AbortSignal,
  ): Promise<[FetchAnswer, string]> {
    let current = new URL(url);
    const origin = current.origin;
    let method = init.method ?? "GET";
    let body = init.body;
    let headers = { ...init.headers };
    for (let hop = 0;; hop++) {
      const response = await this.#options.fetch(current.href, {
        method,
        headers,
        body,
        redirect: "manual",
        signal,
      });
      const status = response.status;
      const location = response.headers.get("location");
      if (status < 300 || status >= 400 || location === null || hop >= MAX_REDIRECTS) {
        return [response, current.href];
      }
      await response.body?.cancel();
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw refusedRedirect(context, "to a location that is not a URL");
      }
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw refusedRedirect(context, `to ${next.protocol}`);
      }
      if (current.protocol === "https:" && next.protocol !== "https:") {
        throw refusedRedirect(context, `from https to plain http (${next.host})`);
      }
      const elsewhere = next.origin !== origin;
      if (elsewhere && init.credentialBody) {
        throw refusedRedirect(
          context,
          `of a request with a credential in its body to another origin (${next.host})`,
        );
      }
      if (
        ((status === 301 || status === 302) && method === "POST") ||
        (status === 303 && method !== "GET" && method !== "HEAD")
      ) {
        method = "GET";
        body = undefined;
        headers = without(headers, ["content-type", "content-length"]);
      }
      if (elsewhere && body !== undefined) {
        throw refusedRedirect(context, `of a request with a body to another origin (${next.host})`);
      }
      if (elsewhere) headers = without(headers, ["authorization"]);
      init.checkRedirect?.(next);
      current = next;
    }
  }

  #wait(ms: number): Promise<void> {
    const sleep = this.#options.sleep ??
      ((t: number) => new Promise<void>((r) => setTimeout(r, t)));
    return sleep(ms);
  }
}

function refusedRedirect(context: RequestContext, what: string): RegistryError {
  return new RegistryError({
    kind: "protocol",
    reason: `redirect ${what} refused`,
    message: `registry ${context.host} sent a redirect ${what}; refused`,
    hint:
      "the registry or a proxy in front of it is misconfigured; run with --local to use local images",
    host: context.host,
    repository: context.repository,
  });
}

function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())),
  );
}

/** Exponential backoff: 250 ms, 500 ms, 1 s, … capped. */
function backoff(attempt: number): number {
  return Math.min(250 * 2 ** attempt, MAX_RETRY_WAIT_MS);
}

/**
 * Reads `Retry-After` (RFC 9110 §10.2.3).
 *
 * @param value The header value: seconds or an HTTP-date.
 * @param now Current time in milliseconds.
 * @returns Milliseconds to wait (≥ 0), or `undefined` when absent or unreadable.
 */
export function retryAfter(value: string | null, now: () => number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/**
 * Reads a body, failing when it is longer than `limit` bytes.
 *
 * @throws {RegistryError} `too-large`.
 */
async function readCapped(
  response: FetchAnswer,
  limit: number,
  context: RequestContext,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw tooLarge(limit, context);
  }
  if (response.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit, context);
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}

function tooLarge(limit: number, context: RequestContext): RegistryError {
  return new RegistryError({
    kind: "too-large",
    message: `registry ${context.host} sent a response over ${limit} bytes`,
    hint: "the registry or a proxy in between misbehaves; try again, or run with --local",
    host: context.host,
    repository: context.repository,
  });
}
