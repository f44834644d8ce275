/**
 * Edge module: `run-docker --self-update [--version X] [--archive FILE]`.
 *
 * Reads `latest.json` (at most 1 MiB, shape checked) from the release base
 * (not the rate-limited GitHub API), streams the archive for this target to
 * a private folder next to the installed binary (at most 200 MiB) while
 * hashing it, checks that sha256 against `SHA256SUMS` (and `latest.json`),
 * copies only the binary's bytes into a file it creates itself (see
 * `release_archive.ts`: links, special files, `../` and absolute names are
 * refused), runs the new binary's `--version` and requires the expected
 * version, then renames it over the old one: never deleting first, never
 * writing into the running file; on Windows the running file is renamed aside
 * first and put back on failure. The file mode is kept.
 *
 * @module
 */

import { platformHints } from "../core/platform_hints.ts";
import { ioReason, RunDockerError } from "../core/errors.ts";
import { extractBinary, UNPACK_LIMITS, type UnpackLimits } from "./release_archive.ts";
import { onStop, spawn } from "./spawn.ts";
import {
  capped,
  checkDownloadUrl,
  download,
  getText,
  readCapped,
  saveHashed,
  sumFor,
} from "./release_fetch.ts";

/** Where releases are published; `RUN_DOCKER_DOWNLOAD_URL` replaces it (mirrors, tests). */
export const DEFAULT_RELEASE_BASE = "https://github.com/run-docker/run-docker/releases";

/**
 * The release base in use: `RUN_DOCKER_DOWNLOAD_URL`, else {@link DEFAULT_RELEASE_BASE}.
 *
 * @param env The environment.
 * @returns A URL without a trailing `/`.
 */
export function releaseBase(env: Readonly<Record<string, string | undefined>>): string {
  return (env.RUN_DOCKER_DOWNLOAD_URL || DEFAULT_RELEASE_BASE).replace(/\/+$/, "");
}

/**
 * The folder of a release's files (GitHub's layout), where `latest.json`, `SHA256SUMS` and the
 * archives are.
 *
 * @param base From {@link releaseBase}.
 * @param version A version (`1.2.3` or `v1.2.3`); absent: the latest.
 * @returns `<base>/latest/download` or `<base>/download/v<version>`.
 */
export function releaseFolder(base: string, version?: string): string {
  const path = version ? `download/v${version.replace(/^v/, "")}` : "latest/download";
  return `${base.replace(/\/+$/, "")}/${path}`;
}

/** What an update needs. */
export interface UpdateOptions {
  /** The installed binary to replace (absolute path). */
  readonly binary: string;
  /** This build's target, e.g. `x86_64-unknown-linux-gnu`. */
  readonly target: string;
  /** Release base URL (GitHub layout: `latest/download/…`, `download/v<version>/…`). */
  readonly base: string;
  /** A version to install instead of the latest. */
  readonly version?: string;
  /** A local archive (with `SHA256SUMS` beside it): no network at all. */
  readonly archive?: string;
  /** `--local`: the network is off limits. */
  readonly local?: boolean;
  /** Injectable fetch. */
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** Byte caps; {@link UPDATE_LIMITS} by default (tests make them small). */
  readonly limits?: UpdateLimits;
}

const fail = (message: string, hint: string): never => {
  throw new RunDockerError(message, hint);
};

/** Byte caps on what an update reads. */
export interface UpdateLimits {
  /** The release archive, downloaded or given with `--archive`. */
  readonly archiveBytes: number;
  /** `latest.json` and `SHA256SUMS`. */
  readonly textBytes: number;
  /** What unpacking may produce, see {@link UnpackLimits}. */
  readonly unpack: UnpackLimits;
}

/** 200 MiB for an archive, 1 MiB for `latest.json` and `SHA256SUMS`. */
export const UPDATE_LIMITS: UpdateLimits = {
  archiveBytes: 200 * 1024 * 1024,
  textBytes: 1024 * 1024,
  unpack: UNPACK_LIMITS,
};

/**
 * This target's entry in a `latest.json`.
 *
 * @param latest `latest.json`, parsed.
 * @param target e.g. `x86_64-unknown-linux-gnu`.
 * @returns The version, asset and sha256; `""` when the target has no entry; else why the
 *   document is not a release description.
 */
export function releaseEntry(
  latest: unknown,
  target: string,
): { version: string; asset: string; sha256: string } | string {
  if (typeof latest !== "object" || latest === null || Array.isArray(latest)) {
    return `it is ${
      latest === null ? "null" : Array.isArray(latest) ? "an array" : `a ${typeof latest}`
    }, not an object`;
  }
  const { version, targets } = latest as { version?: unknown; targets?: unknown };
  if (typeof version !== "string" || !/^v?\d+\.\d+\.\d+[\w.+-]*$/.test(version)) {
    return "it has no version";
  }
  if (typeof targets !== "object" || targets === null) return "it has no targets";
  const entry = (targets as Record<string, unknown>)[target];
  if (entry === undefined) return "";
  const { asset, sha256 } = (entry ?? {}) as { asset?: unknown; sha256?: unknown };
  if (typeof asset !== "string" || typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
    return `its entry for ${target} has no asset and sha256`;
  }
  return { version, asset, sha256 };
}

/** Where this target's release lives and what it is called. */
interface Release {
  /** Whether the target is Windows (`.zip`, `.exe`, rename aside). */
  readonly windows: boolean;
  /** The archive's top folder, `run-docker-<target>`. */
  readonly top: string;
  /** The archive's file name, `run-docker-<target>.tar.gz` (`.zip` on Windows). */
  readonly asset: string;
  /** The installed binary's folder, where the stage is made. */
  readonly dir: string;
  /** The release URL's folder: `<base>/latest/download` or `<base>/download/v<version>`. */
  readonly url: string;
  /** Fetch to use. */
  readonly fetcher: (url: string, init?: RequestInit) => Promise<Response>;
  /** Byte caps. */
  readonly limits: UpdateLimits;
}

/** The release of `options`: names and URLs, nothing fetched. */
function releaseOf(options: UpdateOptions): Release {
  const windows = options.target.includes("windows");
  const top = `run-docker-${options.target}`;
  return {
    windows,
    top,
    asset: `${top}${windows ? ".zip" : ".tar.gz"}`,
    dir: options.binary.slice(
      0,
      Math.max(options.binary.lastIndexOf("/"), options.binary.lastIndexOf("\\")),
    ),
    url: releaseFolder(options.base, options.version),
    fetcher: options.fetch ?? ((url: string, init?: RequestInit) => fetch(url, init)),
    limits: options.limits ?? UPDATE_LIMITS,
  };
}

/**
 * What `latest.json` says of this target: the version and the archive's sha256.
 *
 * @throws {RunDockerError} when it cannot be read, is not JSON, has the wrong shape or no entry.
 */
async function latestEntry(
  release: Release,
  options: UpdateOptions,
): Promise<{ version: string; sha256: string }> {
  const base = options.base.replace(/\/+$/, "");
  let latest: unknown;
  try {
    latest = JSON.parse(
      await getText(release.fetcher, `${release.url}/latest.json`, release.limits.textBytes),
    );
  } catch (error) {
    if (error instanceof RunDockerError) throw error;
    return fail(`latest.json of ${base} is not JSON`, "check RUN_DOCKER_DOWNLOAD_URL");
  }
  const entry = releaseEntry(latest, options.target);
  if (typeof entry === "string" && entry !== "") {
    fail(
      `latest.json of ${base} is not a release description: ${entry}`,
      "check RUN_DOCKER_DOWNLOAD_URL",
    );
  }
  if (typeof entry === "string" || entry.asset !== release.asset) {
    return fail(
      `the release has no ${release.asset}`,
      `this target (${options.target}) may not be published for that version`,
    );
  }
  return { version: entry.version, sha256: entry.sha256 };
}

/** Makes the private stage next to the binary, so the final rename stays on one file system. */
async function makeStage(dir: string): Promise<string> {
  try {
    return await Deno.makeTempDir({ dir, prefix: ".run-docker-update-" });
  } catch (error) {
    return fail(
      `cannot write to ${dir}: ${ioReason(error)}`,
      `${
        platformHints(Deno.build.os).writeAsAdmin
      }, or update with the package manager or install.sh that installed it`,
    );
  }
}

/**
 * Copies the local archive `given` to `archive` while hashing it (what is
 * checked is what gets unpacked) and checks it against the `SHA256SUMS` beside it.
 *
 * @throws {RunDockerError} when a file cannot be read, is over its cap, or the sum differs.
 */
async function copyChecked(release: Release, given: string, archive: string): Promise<void> {
  const sumsPath = `${given.slice(0, given.length - release.asset.length)}SHA256SUMS`;
  let sums: string;
  try {
    sums = await readCapped(sumsPath, release.limits.textBytes);
  } catch (error) {
    if (error instanceof RunDockerError) throw error;
    return fail(
      `no SHA256SUMS beside ${given}`,
      "copy the release's SHA256SUMS next to the archive",
    );
  }
  let source: Deno.FsFile;
  try {
    source = await Deno.open(given);
  } catch {
    return fail(`cannot read ${given}`, "give the path of a release archive");
  }
  const actual = await saveHashed(
    source.readable.pipeThrough(capped(release.limits.archiveBytes, given)),
    archive,
  );
  const want = sumFor(sums, release.asset);
  if (want === undefined) {
    fail(
      `${release.asset} is not listed in SHA256SUMS`,
      "use the archive and SHA256SUMS of one release",
    );
  }
  if (actual !== want) {
    fail(`checksum mismatch for ${release.asset}`, "the archive is damaged; nothing was changed");
  }
}

/**
 * Downloads the archive to `archive` while hashing it and checks the sum
 * against both `SHA256SUMS` and `latest.json`'s `published`.
 *
 * @throws {RunDockerError} when a download fails or is over its cap, or a sum differs.
 */
async function downloadChecked(
  release: Release,
  archive: string,
  published: string,
): Promise<void> {
  let actual = "";
  await download(
    release.fetcher,
    `${release.url}/${release.asset}`,
    release.limits.archiveBytes,
    async (body) => {
      actual = await saveHashed(body, archive);
    },
  );
  const sums = await getText(
    release.fetcher,
    `${release.url}/SHA256SUMS`,
    release.limits.textBytes,
  );
  if (actual !== sumFor(sums, release.asset) || actual !== published) {
    fail(
      `checksum mismatch for ${release.asset}`,
      "the download is damaged or not the release; nothing was changed",
    );
  }
}

/** Seconds the new binary's `--version` may take. */
const VERSION_TIMEOUT_SECONDS = 30;

/**
 * Runs `fresh --version` (through the one spawner) and requires `expected` in what it prints.
 *
 * @throws {RunDockerError} when it cannot run, times out or says another version.
 */
async function proveVersion(fresh: string, expected: string): Promise<void> {
  let said = "";
  try {
    const check = await spawn(fresh, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(VERSION_TIMEOUT_SECONDS * 1000),
    }).output();
    if (check.success) said = new TextDecoder().decode(check.stdout).trim();
  } catch {
    // cannot run: said stays empty
  }
  const wanted = expected.replace(/^v/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // With no version to expect (an archive without VERSION), it must at least run and say one.
  const known = wanted === "" ? /^run-docker \S+/ : new RegExp(`(^|\\s)v?${wanted}(\\s|$)`);
  if (!known.test(said)) {
    fail(
      `the new binary does not say version ${expected} (it says ${JSON.stringify(said)})`,
      "nothing was changed",
    );
  }
}

/**
 * Puts `fresh` in the place of `binary` with the old `mode`: a rename, never
 * deleting first; on Windows the running file is renamed aside first and put
 * back on failure.
 */
async function replaceBinary(
  fresh: string,
  binary: string,
  mode: number,
  windows: boolean,
): Promise<void> {
  if (windows) {
    const aside = `${binary}.old`;
    await Deno.rename(binary, aside);
    try {
      await Deno.rename(fresh, binary);
    } catch (error) {
      await Deno.rename(aside, binary);
      throw error;
    }
  } else {
    // Still the file made here: the mode is set before it takes the binary's name.
    await Deno.chmod(fresh, mode & 0o7777);
    await Deno.rename(fresh, binary);
  }
}

/**
 * Updates the installed binary. A stop signal while it works removes the
 * stage (through the one spawner's {@link onStop}) before run-docker ends
 * with 128+N.
 *
 * @param options See {@link UpdateOptions}.
 * @returns The version installed.
 * @throws {UsageError} when the release base is neither https nor plain http to loopback.
 * @throws {RunDockerError} one line and a hint for every failure; the old binary is untouched then.
 */
export async function selfUpdate(options: UpdateOptions): Promise<string> {
  const release = releaseOf(options);
  let expected: string | undefined = options.version;
  let published = "";
  if (options.archive !== undefined) {
    const name = options.archive.replace(/^.*[\\/]/, "");
    if (name !== release.asset) {
      fail(
        `${name} is not the archive for this system`,
        `this binary is ${options.target}: use ${release.asset}`,
      );
    }
  } else if (options.local) {
    fail(
      "--self-update needs the network, and --local forbids it",
      "update from a copied archive: --self-update --archive FILE",
    );
  } else {
    checkDownloadUrl(options.base);
    ({ version: expected, sha256: published } = await latestEntry(release, options));
  }
  const stage = await makeStage(release.dir);
  // Ctrl-C or a kill while staging must not leave the download next to the binary.
  const forget = onStop(() => Deno.removeSync(stage, { recursive: true }));
  try {
    const archive = `${stage}/${release.asset}`;
    if (options.archive !== undefined) await copyChecked(release, options.archive, archive);
    else await downloadChecked(release, archive, published);
    // The binary goes into a file made here, never one the archive made.
    const exe = `run-docker${release.windows ? ".exe" : ""}`;
    const fresh = `${stage}/${exe}`;
    const unpacked = await extractBinary(archive, release.top, exe, fresh, release.limits.unpack);
    expected ??= unpacked.version ?? "";
    const mode = (await Deno.stat(options.binary).catch(() => undefined))?.mode ?? 0o755;
    // The old mode stays, but the new binary must be able to run to prove itself.
    if (!release.windows) await Deno.chmod(fresh, (mode & 0o7777) | 0o100);
    await proveVersion(fresh, expected);
    await replaceBinary(fresh, options.binary, mode, release.windows);
    return expected;
  } finally {
    forget();
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/**
 * Removes what an update on Windows leaves: the old binary, renamed aside to
 * `run-docker.exe.old` because Windows does not delete a running program. Called at every start
 * (one failed remove when there is nothing); the archive itself is unpacked in-process
 * (zip.js), never by a `tar` found on PATH (Git Bash's GNU tar cannot read a `.zip`).
 *
 * @param binary This program's path (`Deno.execPath()`).
 * @param os `Deno.build.os`.
 * @returns Whether a leftover was removed; `false` elsewhere than on Windows and under deno.
 */
export function removeOldBinary(binary: string, os: string): boolean {
  if (os !== "windows" || /^deno(\.exe)?$/i.test(binary.replace(/^.*[\\/]/, ""))) return false;
  try {
    Deno.removeSync(`${binary}.old`);
    return true;
  } catch {
    return false; // none there, or still held by an old run-docker that has not ended yet
  }
}
