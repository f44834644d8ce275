/**
 * Edge module: one HTTP/1.1 exchange on a fresh connection (`Connection: close`), over TCP or a
 * unix socket: the engine's API (`/var/run/docker.sock`) and plain-http loopback registries.
 * A small client on `Deno.connect` rather than `fetch`: it starts no HTTP client machinery and
 * reads no CA store (`fetch` reads the system's on first use, even for plain http: ~15 ms of a
 * cold start), and every byte it reads is bounded. The answer is read whole: `Content-Length`,
 * chunked transfer coding, or up to the end of the connection.
 *
 * @module
 */

import { concatBytes } from "./bytes.ts";

/** A request. */
export interface Http1Request {
  /** `GET`, `HEAD`, `POST` … */
  readonly method: string;
  /** The request target: path and query, already encoded (`/v2/app/tags/list?n=10`). */
  readonly target: string;
  /** The `Host` header's value. */
  readonly host: string;
  /** Other headers; `Host`, `Connection` and `Content-Length` are set here. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body, sent with its `Content-Length`. */
  readonly body?: Uint8Array;
}

/** An answer. */
export interface Http1Response {
  /** The final status (informational `1xx` answers skipped). */
  readonly status: number;
  /** Header lines in order, names lower-cased. */
  readonly headers: [string, string][];
  /** The body, de-chunked; empty for `HEAD`, 204 and 304. */
  readonly body: Uint8Array;
}

/** An answer that is not HTTP/1.x, or is over the size cap. */
export class MalformedResponse extends Error {
  /** Whether the answer was over the size cap (else: not HTTP/1.x). */
  readonly overLimit: boolean;

  /**
   * An answer that cannot be used.
   *
   * @param message What is wrong with it.
   * @param overLimit Whether it was over the size cap.
   */
  constructor(message: string, overLimit = false) {
    super(message);
    this.name = "MalformedResponse";
    this.overLimit = overLimit;
  }
}

/**
 * Connects, sends one request, and reads the whole answer.
 *
 * @param connect Where: `{ transport: "unix", path }` or `{ hostname, port }` (TCP).
 * @param request See {@link Http1Request}.
 * @param options `signal` ends the exchange (the connection is closed, the signal's reason
 *   thrown); `limit`: the answer's cap in bytes.
 * @returns The status, headers and body.
 * @throws What `Deno.connect` or the connection throws (`ConnectionRefused`, `NotFound`,
 *   `PermissionDenied`, `ConnectionReset` …); the signal's reason once it aborted;
 *   {@link MalformedResponse} for an answer that is not HTTP/1.x or is over `limit`.
 */
export async function exchange(
  connect: Deno.UnixConnectOptions | Deno.ConnectOptions,
  request: Http1Request,
  options: { readonly signal?: AbortSignal; readonly limit: number },
): Promise<Http1Response> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const conn = await Deno.connect(connect as Deno.ConnectOptions);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // closed already
    }
  };
  signal?.addEventListener("abort", close, { once: true });
  try {
    let head = `${request.method} ${request.target} HTTP/1.1\r\nHost: ${request.host}\r\n`;
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (/[\r\n]/.test(name + value)) throw new TypeError(`header ${name} holds a line break`);
      if (!/^(host|connection|content-length)$/i.test(name)) head += `${name}: ${value}\r\n`;
    }
    if (request.body !== undefined) head += `Content-Length: ${request.body.length}\r\n`;
    head += "Connection: close\r\n\r\n";
    await writeAll(conn, new TextEncoder().encode(head));
    if (request.body !== undefined) await writeAll(conn, request.body);
    return parseResponse(await readAll(conn, options.limit), request.method);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    signal?.removeEventListener("abort", close);
    close();
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
    if (size > limit) throw new MalformedResponse(`answer over ${limit} bytes`, true);
    chunks.push(buffer.slice(0, n));
  }
  return concatBytes(chunks);
}

/**
 * Parses a whole HTTP/1.x answer: status line, headers, and the body by `Content-Length`,
 * chunked transfer coding, or the rest of the bytes. Informational answers (`100 Continue`)
 * before the final one are skipped.
 *
 * @param bytes Everything the server sent.
 * @param method The request's method: the answer to `HEAD` has no body.
 * @returns The final status, the headers and the body.
 * @throws {MalformedResponse} when the bytes are not such an answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseResponse } from "./http1.ts";
 * const text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n";
 * const response = parseResponse(new TextEncoder().encode(text));
 * assert.equal(response.status, 200);
 * assert.equal(new TextDecoder().decode(response.body), "[]");
 * ```
 */
export function parseResponse(bytes: Uint8Array, method = "GET"): Http1Response {
  let start = 0;
  for (;;) {
    const end = indexOfCrlfCrlf(bytes, start);
    if (end === -1) throw new MalformedResponse("no end of headers");
    const lines = new TextDecoder().decode(bytes.subarray(start, end)).split("\r\n");
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]);
    if (status === null) throw new MalformedResponse("not an HTTP/1.x answer");
    const code = Number(status[1]);
    const bodyStart = end + 4;
    if (code >= 100 && code < 200) {
      start = bodyStart;
      continue;
    }
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
      }
    }
    const header = (name: string) => headers.find(([n]) => n === name)?.[1];
    const rest = bytes.subarray(bodyStart);
    if (method === "HEAD" || code === 204 || code === 304) {
      return { status: code, headers, body: new Uint8Array() };
    }
    if (/(^|,)\s*chunked\s*$/i.test(header("transfer-encoding") ?? "")) {
      return { status: code, headers, body: dechunk(rest) };
    }
    const length = header("content-length");
    if (length !== undefined) {
      if (!/^\d+$/.test(length) || Number(length) > rest.length) {
        throw new MalformedResponse("body shorter than its Content-Length");
      }
      return { status: code, headers, body: rest.subarray(0, Number(length)) };
    }
    return { status: code, headers, body: rest };
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
    if (lineEnd + 1 >= bytes.length) throw new MalformedResponse("chunk size line cut short");
    const sizeText = new TextDecoder().decode(bytes.subarray(at, lineEnd)).split(";")[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw new MalformedResponse("bad chunk size");
    const length = parseInt(sizeText, 16);
    if (length === 0) return concatBytes(chunks);
    const dataStart = lineEnd + 2;
    if (dataStart + length + 2 > bytes.length) throw new MalformedResponse("chunk cut short");
    chunks.push(bytes.subarray(dataStart, dataStart + length));
    size += length;
    at = dataStart + length + 2;
  }
}
