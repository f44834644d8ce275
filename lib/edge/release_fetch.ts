/**
 * Edge module: the byte-capped reads of a self-update: downloads with a
 * timeout, streamed through a cap and hashed on the way to disk, and the
 * `SHA256SUMS` lookup. Used by `lib/self_update.ts`.
 *
 * @module
 */

import { RunDockerError, UsageError } from "../core/errors.ts";

/** The fetch a download uses (injectable for tests). */
export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>;

const fail = (message: string, hint: string): never => {
  throw new RunDockerError(message, hint);
};

/** The only hosts plain http may go to (any port), as in install.sh. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Redirects one download may follow. */
const MAX_REDIRECTS = 10;

/** Whether `url` is plain http to exactly 127.0.0.1, localhost or [::1]. */
function loopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Requires a download URL (or release base) to be https, or plain http to
 * exactly 127.0.0.1, localhost or [::1] (any port): the rule install.sh keeps.
 *
 * @param url The URL as given (e.g. `RUN_DOCKER_DOWNLOAD_URL`).
 * @throws {UsageError} naming the URL when it is not https or loopback http, or not a URL.
 */
export function checkDownloadUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // named below
  }
  if (parsed?.protocol === "https:" || (parsed !== undefined && loopbackHttp(parsed))) return;
  throw new UsageError(
    parsed?.protocol === "http:"
      ? `refusing to download over plain http: ${url}`
      : `cannot download from ${JSON.stringify(url)}: not an https URL`,
    "set RUN_DOCKER_DOWNLOAD_URL to https, or to http only on 127.0.0.1, localhost or [::1]",
  );
}

/**
 * The URL a redirect from `from` leads to, checked: https anywhere, plain
 * http only from a loopback http origin to that same origin.
 *
 * @throws {RunDockerError} for a redirect without `Location` or to plain http (a downgrade).
 */
function redirectTarget(from: string, response: Response): string {
  const location = response.headers.get("location");
  if (location === null) {
    return fail(
      `cannot download ${from}: HTTP ${response.status} without a Location`,
      "check RUN_DOCKER_DOWNLOAD_URL",
    );
  }
  const source = new URL(from);
  let target: URL;
  try {
    target = new URL(location, source);
  } catch {
    return fail(`cannot download ${from}: it redirects to an invalid URL`, "check the mirror");
  }
  if (target.protocol === "https:") return target.href;
  if (loopbackHttp(source) && target.origin === source.origin) return target.href;
  return fail(
    `refusing to follow a redirect from ${from} to ${target.href}: not https`,
    "a release download is followed only to https; check RUN_DOCKER_DOWNLOAD_URL",
  );
}

/** Seconds one download may take, body included. */
const DOWNLOAD_TIMEOUT_SECONDS = 120;
const MIB = 1024 * 1024;
const size = (bytes: number) => bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;

/**
 * A stream that passes at most `max` bytes, then fails naming `what`.
 *
 * @param max Bytes allowed through.
 * @param what The URL or path, for the message.
 * @returns The capping stream; it errors with a {@link RunDockerError} past `max`.
 */
export function capped(max: number, what: string): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) {
        throw new RunDockerError(
          `${what} is larger than ${size(max)}`,
          "it is not a run-docker release; check RUN_DOCKER_DOWNLOAD_URL",
        );
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * Streams `url`'s body, at most `max` bytes, through `sink`; the whole
 * download may take {@link DOWNLOAD_TIMEOUT_SECONDS}. Redirects are followed
 * here, one by one (at most {@link MAX_REDIRECTS}), never to plain http
 * (but from a loopback http origin to itself), see {@link checkDownloadUrl}.
 *
 * @param fetcher The fetch to use.
 * @param url What to download.
 * @param max Bytes allowed (a larger `Content-Length` is refused before reading).
 * @param sink Consumes the capped body.
 * @param seconds How long the whole download may take; default {@link DOWNLOAD_TIMEOUT_SECONDS}.
 * @throws {UsageError} when `url` is neither https nor loopback http.
 * @throws {RunDockerError} for an HTTP error, a body over `max`, a redirect to plain http, a
 *   timeout or a network failure.
 */
export async function download(
  fetcher: Fetcher,
  url: string,
  max: number,
  sink: (body: ReadableStream<Uint8Array>) => Promise<void>,
  seconds = DOWNLOAD_TIMEOUT_SECONDS,
): Promise<void> {
  checkDownloadUrl(url);
  try {
    const signal = AbortSignal.timeout(seconds * 1000);
    let current = url;
    let response = await fetcher(current, { signal, redirect: "manual" });
    for (let hops = 0; [301, 302, 303, 307, 308].includes(response.status); hops++) {
      await response.body?.cancel();
      if (hops === MAX_REDIRECTS) {
        return fail(
          `cannot download ${url}: more than ${MAX_REDIRECTS} redirects`,
          "check the mirror",
        );
      }
      current = redirectTarget(current, response);
      response = await fetcher(current, { signal, redirect: "manual" });
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      return fail(
        `cannot download ${url}: HTTP ${response.status}`,
        "check the version (--version X) and RUN_DOCKER_DOWNLOAD_URL",
      );
    }
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > max) {
      await response.body.cancel();
      return fail(
        `${url} is larger than ${size(max)} (${length} bytes)`,
        "it is not a run-docker release; check RUN_DOCKER_DOWNLOAD_URL",
      );
    }
    await sink(response.body.pipeThrough(capped(max, url)));
  } catch (error) {
    if (error instanceof RunDockerError) throw error;
    const why = (error as Error).name === "TimeoutError"
      ? `no complete answer in ${seconds} s`
      : (error as Error).message.split("\n")[0];
    return fail(`cannot download ${url}: ${why}`, "check the network, or use --archive FILE");
  }
}

/**
 * `url`'s body as text, at most `max` bytes.
 *
 * @param fetcher The fetch to use.
 * @param url What to download.
 * @param max Bytes allowed.
 * @param seconds How long it may take; default {@link DOWNLOAD_TIMEOUT_SECONDS}.
 * @returns The body decoded as UTF-8.
 * @throws {RunDockerError} as {@link download}.
 */
export async function getText(
  fetcher: Fetcher,
  url: string,
  max: number,
  seconds = DOWNLOAD_TIMEOUT_SECONDS,
): Promise<string> {
  let text = "";
  await download(fetcher, url, max, async (body) => {
    text = await new Response(body).text();
  }, seconds);
  return text;
}

/**
 * Writes `body` into the new file `dest` (never following a link there), hashing it on the way.
 *
 * @param body The bytes, already capped.
 * @param dest A path that must not exist yet; created with mode 0600.
 * @returns The sha256 as lowercase hex.
 * @throws {Deno.errors.AlreadyExists} when `dest` exists (a link included); what the stream throws.
 */
export async function saveHashed(body: ReadableStream<Uint8Array>, dest: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  const file = await Deno.open(dest, { createNew: true, write: true, mode: 0o600 });
  await body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
    }),
  ).pipeTo(file.writable);
  return hash.digest("hex");
}

/**
 * The sha256 listed for `asset` in a `SHA256SUMS` text (`<hex>  <name>` or `<hex> *<name>` lines).
 *
 * @param sums The text of `SHA256SUMS`.
 * @param asset The file name to look for.
 * @returns The hex digest as listed, or `undefined` when the asset is not listed.
 */
export function sumFor(sums: string, asset: string): string | undefined {
  for (const line of sums.split("\n")) {
    const [hex, name] = line.trim().split(/\s+\*?/);
    if (name === asset) return hex;
  }
  return undefined;
}

/**
 * A local file's text, at most `max` bytes.
 *
 * @param path The file.
 * @param max Bytes allowed.
 * @returns The text.
 * @throws {RunDockerError} past `max`; `Deno.errors.NotFound` and the like when it cannot be opened.
 */
export async function readCapped(path: string, max: number): Promise<string> {
  const file = await Deno.open(path);
  return await new Response(file.readable.pipeThrough(capped(max, path))).text();
}
