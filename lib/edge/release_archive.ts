/**
 * Edge module: takes the run-docker binary out of a release archive
 * (`.tar.gz`, or `.zip` on Windows) without trusting the archive.
 *
 * No `tar` or `unzip` child process writes anything: every entry is read as
 * a stream, an absolute or `../` name anywhere refuses the whole archive, the
 * binary must be a regular file (not a symbolic or hard link, device, FIFO or
 * folder) and appear once, and its bytes go into a file this module creates
 * itself (`createNew`, so nothing already there, link or not, is followed).
 * Unpacked bytes are capped, so a small archive cannot expand without end.
 * modern-tar and zip.js are loaded only when an update runs.
 *
 * @module
 */

import { RunDockerError } from "../core/errors.ts";

/** Byte caps while unpacking. */
export interface UnpackLimits {
  /** The binary's size at most, in bytes. */
  readonly binaryBytes: number;
  /** Unpacked bytes of the whole archive at most (tar stream or zip entries read). */
  readonly totalBytes: number;
}

/** Default caps: a release binary is ~100 MB. */
export const UNPACK_LIMITS: UnpackLimits = {
  binaryBytes: 400 * 1024 * 1024,
  totalBytes: 512 * 1024 * 1024,
};

/** What {@link extractBinary} found besides the binary. */
export interface Extracted {
  /** The `VERSION` file's first line, when the archive has one. */
  readonly version?: string;
}

/**
 * Why an archive entry's name is unsafe to unpack anywhere.
 *
 * @param name The entry's name as stored.
 * @returns A few words, or `undefined` when the name is fine.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(unsafeEntryName("run-docker-x/run-docker"), undefined);
 * assert.equal(unsafeEntryName("../etc/passwd"), "a ../ path");
 * assert.equal(unsafeEntryName("/etc/passwd"), "an absolute path");
 * ```
 */
export function unsafeEntryName(name: string): string | undefined {
  if (name === "" || name.includes("\0")) return "an empty or NUL name";
  if (/^([\\/]|[A-Za-z]:)/.test(name)) return "an absolute path";
  if (name.split(/[\\/]/).includes("..")) return "a ../ path";
  return undefined;
}

const refuse = (archive: string, why: string): never => {
  throw new RunDockerError(
    `refusing ${archive}: ${why}`,
    "nothing was changed; it is not a release archive",
  );
};

/** A stream that passes at most `max` bytes and fails with `tooMany()` past that. */
function capped(max: number, tooMany: () => Error): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) throw tooMany();
      controller.enqueue(chunk);
    },
  });
}

/** Writes `body` (at most `max` bytes) into a new file `dest`, mode 0700. */
async function writeNew(body: ReadableStream<Uint8Array>, dest: string, max: number, what: string) {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(dest, { createNew: true, write: true, mode: 0o700 });
  } catch (error) {
    await body.cancel();
    throw error;
  }
  await body.pipeThrough(capped(max, () => refusal(`${what} is over ${max} bytes`))).pipeTo(
    file.writable,
  );
}

class Refusal extends Error {}
const refusal = (why: string) => new Refusal(why);

/**
 * Copies the binary `<top>/run-docker[.exe]` out of a release archive into a new file.
 *
 * @param archive The archive's path (`.zip` is read as zip, anything else as tar.gz).
 * @param top The archive's top folder, e.g. `run-docker-x86_64-unknown-linux-gnu`.
 * @param exe The binary's name in it: `run-docker` or `run-docker.exe`.
 * @param dest A path that must not exist yet; created with mode 0700 (umask applies).
 * @param limits Byte caps, {@link UNPACK_LIMITS} by default.
 * @returns The `VERSION` text, when present.
 * @throws {RunDockerError} when an entry name is absolute or `../`, the binary is missing,
 *   repeated, not a regular file or too large, or the archive is damaged; `dest` may then
 *   exist and is the caller's to remove.
 */
export async function extractBinary(
  archive: string,
  top: string,
  exe: string,
  dest: string,
  limits: UnpackLimits = UNPACK_LIMITS,
): Promise<Extracted> {
  const name = archive.replace(/^.*[\\/]/, "");
  let found = false;
  let version: string | undefined;
  const visit = async (
    entry: string,
    kind: string,
    body: () => ReadableStream<Uint8Array> | undefined,
    skip: () => Promise<void>,
  ) => {
    const unsafe = unsafeEntryName(entry);
    if (unsafe !== undefined) refuse(name, `${JSON.stringify(entry)} is ${unsafe}`);
    const path = entry.replace(/^(\.\/)+/, "");
    if (path === `${top}/${exe}`) {
      if (found) refuse(name, `${path} appears twice`);
      if (kind !== "file") refuse(name, `${path} is a ${kind}, not a regular file`);
      found = true;
      await writeNew(body()!, dest, limits.binaryBytes, path);
    } else if (path === `${top}/VERSION` && kind === "file") {
      const text = await new Response(
        body()!.pipeThrough(capped(256, () => refusal("VERSION is too long"))),
      ).text();
      version = text.split("\n")[0].trim();
    } else {
      await skip();
    }
  };
  try {
    if (name.endsWith(".zip")) await walkZip(archive, limits, visit);
    else await walkTarGz(archive, limits, visit);
  } catch (error) {
    if (error instanceof RunDockerError) throw error;
    if (error instanceof Refusal) return refuse(name, error.message);
    return refuse(
      name,
      `it is damaged or not an archive (${(error as Error).message.split("\n")[0]})`,
    );
  }
  if (!found) refuse(name, `it has no ${top}/${exe}`);
  return { version };
}

type Visit = (
  entry: string,
  kind: string,
  body: () => ReadableStream<Uint8Array> | undefined,
  skip: () => Promise<void>,
) => Promise<void>;

async function walkTarGz(archive: string, limits: UnpackLimits, visit: Visit): Promise<void> {
  const { createTarDecoder } = await import("modern-tar");
  const file = await Deno.open(archive);
  const entries = file.readable
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(
      capped(limits.totalBytes, () => refusal(`it unpacks to over ${limits.totalBytes} bytes`)),
    )
    .pipeThrough(createTarDecoder({ strict: true }));
  for await (const entry of entries) {
    await visit(
      entry.header.name,
      entry.header.type ?? "file",
      () => entry.body,
      () => entry.body.cancel(),
    );
  }
}

async function walkZip(archive: string, limits: UnpackLimits, visit: Visit): Promise<void> {
  const zip = await import("@zip.js/zip.js");
  zip.configure({ useWebWorkers: false });
  const file = await Deno.open(archive);
  const size = (await file.stat()).size;
  class FileReader extends zip.Reader<null> {
    override init(): Promise<void> {
      this.size = size;
      return Promise.resolve();
    }
    override async readUint8Array(index: number, length: number): Promise<Uint8Array> {
      await file.seek(index, Deno.SeekMode.Start);
      const buffer = new Uint8Array(length);
      let at = 0;
      while (at < length) {
        const n = await file.read(buffer.subarray(at));
        if (n === null) break;
        at += n;
      }
      return buffer.subarray(0, at);
    }
  }
  const reader = new zip.ZipReader(new FileReader(null));
  try {
    let total = 0;
    for (const entry of await reader.getEntries()) {
      const type = (entry.unixMode ?? 0o100000) & 0o170000;
      const kind = entry.directory
        ? "directory"
        : entry.symlink
        ? "symlink"
        : type === 0o100000 || type === 0
        ? "file"
        : `special file (mode ${type.toString(8)})`;
      await visit(entry.filename, kind, () => {
        total += entry.uncompressedSize;
        if (total > limits.totalBytes || entry.directory) {
          throw refusal(`it unpacks to over ${limits.totalBytes} bytes`);
        }
        const pipe = new TransformStream<Uint8Array, Uint8Array>();
        entry.getData(pipe.writable).catch((error) => pipe.writable.abort(error).catch(() => {}));
        return pipe.readable;
      }, () => Promise.resolve());
    }
  } finally {
    await reader.close();
    file.close();
  }
}
