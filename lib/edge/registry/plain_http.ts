/**
 * Edge module: the registry transport's `fetch` for plain-http loopback registries
 * (`http://127.0.0.1:5000`, `http://localhost:5000`): one HTTP/1.1 exchange over TCP
 * (`lib/edge/http1.ts`), handed to the transport as its whole answer. Deno's `fetch` reads the system CA store and
 * builds its TLS client on first use even for plain http; this reads nothing a TLS connection
 * would need. Other URLs (https, other hosts, which may need the environment's proxy) go to
 * `fetch`.
 *
 * @module
 */

import { exchange, MalformedResponse } from "../http1.ts";
import { isLoopbackHost } from "../../core/registry/hosts.ts";
import { RegistryError } from "../../core/registry/errors.ts";
import type { Fetch, FetchAnswer } from "./transport.ts";
import { TAGS_BODY_LIMIT } from "./transport.ts";

/** Cap on a whole answer read here, in bytes: the tag list's cap, and room for headers. */
const ANSWER_LIMIT = TAGS_BODY_LIMIT + 1024 * 1024;

/**
 * Whether a URL goes to a plain-http loopback registry.
 *
 * @param url An absolute URL.
 * @returns `true` for `http:` to `localhost`, 127.0.0.0/8 or `::1`.
 */
export function isPlainLoopback(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/**
 * A `fetch` that sends plain-http loopback requests itself and every other one to `other`.
 * Redirects are never followed here (the transport follows them by hand).
 *
 * @param other The fetch for everything else.
 * @returns The combined fetch.
 */
export function withPlainLoopback(other: Fetch): Fetch {
  return (input, init) => {
    const url = new URL(input);
    return isPlainLoopback(url) ? plainFetch(url, init ?? {}) : other(input, init);
  };
}

async function plainFetch(url: URL, init: RequestInit): Promise<FetchAnswer> {
  const method = init.method ?? "GET";
  const headers = init.headers as Record<string, string> | undefined;
  const body = typeof init.body === "string" ? new TextEncoder().encode(init.body) : undefined;
  if (init.body !== undefined && init.body !== null && body === undefined) {
    throw new TypeError("only text bodies are sent to plain-http registries");
  }
  let answer;
  try {
    answer = await exchange(
      { hostname: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80) },
      { method, target: `${url.pathname}${url.search}`, host: url.host, headers, body },
      { signal: init.signal ?? undefined, limit: ANSWER_LIMIT },
    );
  } catch (error) {
    if (error instanceof MalformedResponse && error.overLimit) {
      throw new RegistryError({
        kind: "too-large",
        message: `registry ${url.host} sent a response over ${TAGS_BODY_LIMIT} bytes`,
        hint: "the registry or a proxy in between misbehaves; try again, or run with --local",
        host: url.host,
      });
    }
    throw error;
  }
  const empty = method === "HEAD" || answer.status === 204 || answer.status === 304;
  const received = answer.body;
  const lines = answer.headers;
  return {
    status: answer.status,
    headers: {
      get(name: string): string | null {
        const lower = name.toLowerCase();
        const values = lines.filter(([n]) => n === lower).map(([, v]) => v);
        return values.length === 0 ? null : values.join(", ");
      },
    },
    // The whole body, already read: one chunk. No Response, no stream (fetch's body machinery
    // costs a cold start ~10 ms).
    body: empty ? null : {
      async *[Symbol.asyncIterator]() {
        yield received;
      },
      cancel: () => Promise.resolve(),
    },
  };
}
