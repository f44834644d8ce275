/**
 * Edge module: one HTTP/1.1 GET over a unix socket, for the engine's API (docker's
 * `/var/run/docker.sock`, podman's `podman.sock`). A small client on `Deno.connect` rather than
 * `fetch` with a unix-socket client: it starts no HTTP client machinery (~15 ms less on a cold
 * start) and every byte it reads is bounded. The answer is read whole (`Connection: close`),
 * with `Content-Length`, chunked transfer coding, or up to the end of the connection.
 *
 * @module
 */

/** An answer of the engine's API. */
export interface ApiResponse {
  /** The HTTP status, e.g. `200`. */
  readonly status: number;
  /** The body, de-chunked. */
  readonly body: Uint8Array;
}

/** Why a request got no HTTP answer. */
export type ApiFailure =
  /** The socket could not be reached (missing, refused, permission denied): use the CLI. */
  | "unreachable"
  /** No whole answer in time. */
  | "timeout"
  /** An answer over the size cap, or one that is not HTTP/1.x. */
  | "malformed";

/** A request that got no HTTP answer, and why. */
export class ApiError extends Error {
  /** See {@link ApiFailure}. */
  readonly failure: ApiFailure;

  /**
   * @param failure Why.
   * @param message What happened, for debugging (never shown alone).
   */
  constructor(failure: ApiFailure, message: string) {
    super(message);
    this.name = "ApiError";
    this.failure = failure;
  }
}

/** Cap on an answer (headers and body), in bytes: 64 MiB. */
export const API_RESPONSE_LIMIT = 64 * 1024 * 1024;

/**
 * Sends `GET path` to the HTTP server on a unix socket and reads the whole answer.
 *
 * @param socket The socket's path, e.g. `/var/run/docker.sock`.
 * @param path The request target, e.g. `/images/json?filters=…` (already encoded).
 * @param options `timeoutMs`: the whole exchange; `limit`: the answer's cap in bytes
 *   (default {@link API_RESPONSE_LIMIT}).
 * @returns The status and body.
 * @throws {ApiError} `unreachable` when the socket cannot be connected to, `timeout`,
 *   `malformed` for an answer that is not HTTP/1.x or is over the cap.
 */
export async function apiGet(
  socket: string,
  path: string,
  options: { readonly timeoutMs: number; readonly limit?: number },
): Promise<ApiResponse> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch (error) {
    throw new ApiError("unreachable", error instanceof Error ? error.message : String(error));
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, options.timeoutMs);
  try {
    const request = `GET ${path} HTTP/1.1\r\nHost: engine\r\nUser-Agent: run-docker\r\n` +
      "Accept: application/json\r\nConnection: close\r\n\r\n";
    await writeAll(conn, new TextEncoder().encode(request));
    return parseResponse(await readAll(conn, options.limit ?? API_RESPONSE_LIMIT));
  } catch (error) {
    if (timedOut) throw new ApiError("timeout", `no answer in ${options.timeoutMs} ms`);
    if (error instanceof ApiError) throw error;
    throw new ApiError("unreachable", error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
    if (!timedOut) {
      try {
        conn.close();
      } catch {
        // closed already
      }
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

async function readAll(conn: Deno.Conn, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buffer = new Uint8Array(256 * 1024);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) break;
    size += n;
    if (size > limit) throw new ApiError("malformed", `answer over ${limit} bytes`);
    chunks.push(buffer.slice(0, n));
  }
  return concat(chunks, size);
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/**
 * Parses a whole HTTP/1.x answer: status line, headers, and the body by `Content-Length`,
 * chunked transfer coding, or the rest of the bytes. Informational answers (`100 Continue`)
 * before the final one are skipped.
 *
 * @param bytes Everything the server sent.
 * @returns The final status and the body.
 * @throws {ApiError} `malformed` when the bytes are not such an answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseResponse } from "./engine_http.ts";
 * const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n";
 * const response = parseResponse(new TextEncoder().encode(text));
 * assert.equal(response.status, 200);
 * assert.equal(new TextDecoder().decode(response.body), "[]");
 * ```
 */
export function parseResponse(bytes: Uint8Array): ApiResponse {
  let start = 0;
  for (;;) {
    const end = indexOfCrlfCrlf(bytes, start);
    if (end === -1) throw new ApiError("malformed", "no end of headers");
    const head = new TextDecoder().decode(bytes.subarray(start, end)).split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(head[0]);
    if (status === null) throw new ApiError("malformed", "not an HTTP/1.x answer");
    const code = Number(status[1]);
    const bodyStart = end + 4;
    if (code >= 100 && code < 200) {
      start = bodyStart;
      continue;
    }
    const headers = new Map<string, string>();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    const rest = bytes.subarray(bodyStart);
    if (/(^|,)\s*chunked\s*$/i.test(headers.get("transfer-encoding") ?? "")) {
      return { status: code, body: dechunk(rest) };
    }
    const length = headers.get("content-length");
    if (length !== undefined) {
      if (!/^\d+$/.test(length) || Number(length) > rest.length) {
        throw new ApiError("malformed", "body shorter than its Content-Length");
      }
      return { status: code, body: rest.subarray(0, Number(length)) };
    }
    return { status: code, body: rest };
  }
}

function indexOfCrlfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** Undoes chunked transfer coding (RFC 9112 §7.1); trailers are ignored. */
function dechunk(bytes: Uint8Array): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let at = 0;
  for (;;) {
    let lineEnd = at;
    while (lineEnd + 1 < bytes.length && !(bytes[lineEnd] === 13 && bytes[lineEnd + 1] === 10)) {
      lineEnd++;
    }
    if (lineEnd + 1 >= bytes.length) throw new ApiError("malformed", "chunk size line cut short");
    const sizeText = new TextDecoder().decode(bytes.subarray(at, lineEnd)).split(";")[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw new ApiError("malformed", "bad chunk size");
    const length = parseInt(sizeText, 16);
    if (length === 0) return concat(chunks, size);
    const dataStart = lineEnd + 2;
    if (dataStart + length + 2 > bytes.length) throw new ApiError("malformed", "chunk cut short");
    chunks.push(bytes.subarray(dataStart, dataStart + length));
    size += length;
    at = dataStart + length + 2;
  }
}
