/**
 * Edge module: the byte-capped reads of a self-update: downloads with a
 * timeout, streamed through a cap and hashed on the way to disk, and the
 * `SHA256SUMS` lookup. Used by `lib/self_update.ts`.
 *
 * @module
 */

import { RunDockerError } from "../core/errors.ts";

/** The fetch a download uses (injectable for tests). */
export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>;

const fail = (message: string, hint: string): never => {
  throw new RunDockerError(message, hint);
};

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
 * download may take {@link DOWNLOAD_TIMEOUT_SECONDS}.
 *
 * @param fetcher The fetch to use.
 * @param url What to download.
 * @param max Bytes allowed (a larger `Content-Length` is refused before reading).
 * @param sink Consumes the capped body.
 * @throws {RunDockerError} for an HTTP error, a body over `max`, a timeout or a network failure.
 */
export async function download(
  fetcher: Fetcher,
  url: string,
  max: number,
  sink: (body: ReadableStream<Uint8Array>) => Promise<void>,
): Promise<void> {
  try {
    const response = await fetcher(url, {
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_SECONDS * 1000),
    });
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
      ? `no complete answer in ${DOWNLOAD_TIMEOUT_SECONDS} s`
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
 * @returns The body decoded as UTF-8.
 * @throws {RunDockerError} as {@link download}.
 */
export async function getText(
  fetcher: Fetcher,
  url: string,
  max: number,
): Promise<string> {
  let text = "";
  await download(fetcher, url, max, async (body) => {
    text = await new Response(body).text();
  });
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
