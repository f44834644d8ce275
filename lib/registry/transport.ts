/**
 * The registry transport: one injectable `fetch` wrapped in single-purpose
 * layers: deadlines (per request and overall), retries with backoff and
 * `Retry-After`, manual redirects that never carry `Authorization` to
 * another origin or down to http, capped body reads, and errors classified
 * for fallback.
 *
 * @module
 */

import { RegistryError } from "./errors.ts";

/** The fetch the client uses; `Deno`'s global by default. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Transport settings. Times in milliseconds. */
export interface TransportOptions {
  readonly fetch: Fetch;
  /** Per-request deadline; default 10,000 ms. */
  readonly requestTimeoutMs?: number;
  /** Abort signal for the whole lookup (default: 30 s from the transport's creation). */
  readonly signal?: AbortSignal;
  /** Retries after the first try for 408/429/5xx and connection resets; default 3. */
  readonly retries?: number;
  /** Waits; injectable so tests run without sleeping. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock, for `Retry-After` HTTP-dates; default `Date.now`. */
  readonly now?: () => number;
}

/** Body caps, in bytes. */
export const TAGS_BODY_LIMIT = 64 * 1024 * 1024;
export const SMALL_BODY_LIMIT = 64 * 1024;
/** Longest wait between retries, in milliseconds. */
export const MAX_RETRY_WAIT_MS = 10_000;
const MAX_REDIRECTS = 5;

/** Context for error messages. */
export interface RequestContext {
  readonly host: string;
  readonly repository?: string;
}

/** A response whose body has been read (capped). */
export interface ReadResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly url: string;
  readonly body: Uint8Array;
}

/**
 * Sends GET/POST requests with the layers above.
 */
export class Transport {
  readonly #options: TransportOptions;
  readonly #signal: AbortSignal;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#signal = options.signal ?? AbortSignal.timeout(30_000);
  }

  /**
   * Sends a request and reads its body.
   *
   * @param url Absolute URL.
   * @param init `method`, `headers` (an `Authorization` goes only to `url`'s origin), `body`.
   * @param limit Body cap in bytes.
   * @param context Host and repository for error messages.
   * @returns The final response (after redirects and retries) with its body.
   * @throws {RegistryError} `unreachable`/`tls` for network failures, `too-large` for a body over `limit`.
   */
  async send(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
    limit: number,
    context: RequestContext,
  ): Promise<ReadResponse> {
    const retries = this.#options.retries ?? 3;
    for (let attempt = 0;; attempt++) {
      let response: Response;
      let finalUrl: string;
      try {
        [response, finalUrl] = await this.#fetchFollowing(url, init);
      } catch (error) {
        const failure = classifyNetworkError(error, context);
        if (failure.retryable && attempt < retries && !this.#signal.aborted) {
          await this.#wait(backoff(attempt));
          continue;
        }
        throw failure.error;
      }
      const status = response.status;
      const wait = retryAfter(response.headers.get("retry-after"), this.#options.now ?? Date.now);
      // A Retry-After longer than we would ever wait is the registry's answer for now.
      const retryable = status === 408 || status === 429 || status >= 500;
      if (retryable && attempt < retries && (wait === undefined || wait <= MAX_RETRY_WAIT_MS)) {
        await response.body?.cancel();
        await this.#wait(wait ?? backoff(attempt));
        continue;
      }
      const body = await readCapped(response, limit, context);
      return { status, headers: response.headers, url: finalUrl, body };
    }
  }

  async #fetchFollowing(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<[Response, string]> {
    let current = url;
    let headers = { ...init.headers };
    for (let hop = 0;; hop++) {
      const signal = AbortSignal.any([
        this.#signal,
        AbortSignal.timeout(this.#options.requestTimeoutMs ?? 10_000),
      ]);
      const response = await this.#options.fetch(current, {
        method: init.method ?? "GET",
        headers,
        body: init.body,
        redirect: "manual",
        signal,
      });
      const location = response.headers.get("location");
      if (
        response.status < 300 || response.status >= 400 || location === null || hop >= MAX_REDIRECTS
      ) {
        return [response, current];
      }
      await response.body?.cancel();
      const next = new URL(location, current);
      const from = new URL(current);
      if (from.protocol === "https:" && next.protocol !== "https:") {
        throw new TypeError(`refused redirect from https to ${next.protocol} (${next.host})`);
      }
      if (next.origin !== from.origin) headers = withoutAuthorization(headers);
      current = next.href;
    }
  }

  #wait(ms: number): Promise<void> {
    const sleep = this.#options.sleep ??
      ((t: number) => new Promise<void>((r) => setTimeout(r, t)));
    return sleep(ms);
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"),
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
  response: Response,
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
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
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

/** Sorts a fetch failure into unreachable (retryable or not) or TLS. */
function classifyNetworkError(
  error: unknown,
  context: RequestContext,
): { error: RegistryError; retryable: boolean } {
  if (error instanceof RegistryError) return { error, retryable: false };
  const name = error instanceof Error ? error.name : "";
  const text = error instanceof Error
    ? `${error.message} ${String(error.cause ?? "")}`
    : String(error);
  const base = { host: context.host, repository: context.repository };
  if (name === "TimeoutError" || name === "AbortError") {
    return {
      error: new RegistryError({
        ...base,
        kind: "unreachable",
        message: `registry ${context.host} did not answer in time`,
        hint: "check the network or the registry, or run with --local",
      }),
      retryable: false,
    };
  }
  if (/certificate|tls|ssl|handshake/i.test(text)) {
    return {
      error: new RegistryError({
        ...base,
        kind: "tls",
        message: `TLS failure talking to registry ${context.host}: ${reason(text)}`,
        hint:
          `put the registry's CA in ~/.docker/certs.d/${context.host}/ca.crt (or /etc/docker/certs.d/); run-docker never skips certificate checks`,
      }),
      retryable: false,
    };
  }
  if (/refused redirect from https/.test(text)) {
    return {
      error: new RegistryError({
        ...base,
        kind: "protocol",
        message: `registry ${context.host} redirected an https request to plain http; refused`,
        hint:
          "the registry or a proxy in front of it is misconfigured; run with --local to use local images",
      }),
      retryable: false,
    };
  }
  if (/InvalidContentType|corrupt message|wrong version number/i.test(text)) {
    return {
      error: new RegistryError({
        ...base,
        kind: "tls",
        message: `registry ${context.host} answered https with plain http`,
        hint:
          `if it is a plain http registry, allow it: RUN_DOCKER_INSECURE_REGISTRIES=${context.host}`,
      }),
      retryable: false,
    };
  }
  const retryable = /reset|broken pipe|connection closed|unexpected eof|incomplete message/i.test(
    text,
  );
  return {
    error: new RegistryError({
      ...base,
      kind: "unreachable",
      message: `cannot reach registry ${context.host}: ${reason(text)}`,
      hint: "check the network and the registry's address, or run with --local",
    }),
    retryable,
  };
}

function reason(text: string): string {
  if (/refused/i.test(text)) return "connection refused";
  if (/dns|lookup|name or service not known|no such host|failed to resolve/i.test(text)) {
    return "name not resolved";
  }
  if (/reset/i.test(text)) return "connection reset";
  if (/certificate/i.test(text)) {
    const m = /(UnknownIssuer|expired|NotValidForName|self[- ]signed|unknown ca|BadSignature)/i
      .exec(text);
    return m ? `certificate not trusted (${m[1]})` : "certificate not trusted";
  }
  const short = text.replace(/\s+/g, " ").trim();
  return short.length > 160 ? `${short.slice(0, 160)}…` : short;
}
