/**
 * Edge module: `run-docker --self-update [--version X] [--archive FILE]`.
 *
 * Reads `latest.json` from the release base (not the rate-limited GitHub
 * API), downloads the archive for this target, checks its sha256 against
 * `SHA256SUMS` (and `latest.json`), unpacks it next to the installed binary,
 * runs the new binary's `--version` and requires the expected version, then
 * renames it over the old one: never deleting first, never writing into the
 * running file; on Windows the running file is renamed aside first and put
 * back on failure. The file mode is kept.
 *
 * @module
 */

import { RunDockerError } from "./errors.ts";

/** Where releases are published; `RUN_DOCKER_DOWNLOAD_URL` replaces it (mirrors, tests). */
export const DEFAULT_RELEASE_BASE = "https://github.com/run-docker/run-docker/releases";

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
}

const fail = (message: string, hint: string): never => {
  throw new RunDockerError(message, hint);
};

/** Seconds one download may take, body included. */
const DOWNLOAD_TIMEOUT_SECONDS = 120;

async function get(
  fetcher: (url: string, init?: RequestInit) => Promise<Response>,
  url: string,
): Promise<Uint8Array> {
  try {
    const response = await fetcher(url, {
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_SECONDS * 1000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return fail(
        `cannot download ${url}: HTTP ${response.status}`,
        "check the version (--version X) and RUN_DOCKER_DOWNLOAD_URL",
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof RunDockerError) throw error;
    const why = (error as Error).name === "TimeoutError"
      ? `no complete answer in ${DOWNLOAD_TIMEOUT_SECONDS} s`
      : (error as Error).message.split("\n")[0];
    return fail(`cannot download ${url}: ${why}`, "check the network, or use --archive FILE");
  }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sumFor(sums: string, asset: string): string | undefined {
  for (const line of sums.split("\n")) {
    const [hex, name] = line.trim().split(/\s+\*?/);
    if (name === asset) return hex;
  }
  return undefined;
}

/**
 * Updates the installed binary.
 *
 * @param options See {@link UpdateOptions}.
 * @returns The version installed.
 * @throws {RunDockerError} one line and a hint for every failure; the old binary is untouched then.
 */
export async function selfUpdate(options: UpdateOptions): Promise<string> {
  const windows = options.target.includes("windows");
  const asset = `run-docker-${options.target}${windows ? ".zip" : ".tar.gz"}`;
  const dir = options.binary.slice(
    0,
    Math.max(options.binary.lastIndexOf("/"), options.binary.lastIndexOf("\\")),
  );
  let archiveBytes: Uint8Array<ArrayBuffer>;
  let sums: string;
  let expected: string | undefined = options.version;
  if (options.archive !== undefined) {
    const name = options.archive.replace(/^.*[\\/]/, "");
    if (name !== asset) {
      fail(
        `${name} is not the archive for this system`,
        `this binary is ${options.target}: use ${asset}`,
      );
    }
    const sumsPath = `${options.archive.slice(0, options.archive.length - name.length)}SHA256SUMS`;
    try {
      archiveBytes = await Deno.readFile(options.archive) as Uint8Array<ArrayBuffer>;
    } catch {
      return fail(`cannot read ${options.archive}`, "give the path of a release archive");
    }
    try {
      sums = await Deno.readTextFile(sumsPath);
    } catch {
      return fail(
        `no SHA256SUMS beside ${options.archive}`,
        "copy the release's SHA256SUMS next to the archive",
      );
    }
    const want = sumFor(sums, name);
    if (want === undefined) {
      fail(`${name} is not listed in SHA256SUMS`, "use the archive and SHA256SUMS of one release");
    }
    if (await sha256(archiveBytes) !== want) {
      fail(`checksum mismatch for ${name}`, "the archive is damaged; nothing was changed");
    }
  } else {
    if (options.local) {
      fail(
        "--self-update needs the network, and --local forbids it",
        "update from a copied archive: --self-update --archive FILE",
      );
    }
    const fetcher = options.fetch ?? ((url: string, init?: RequestInit) => fetch(url, init));
    const base = options.base.replace(/\/+$/, "");
    const path = options.version
      ? `download/v${options.version.replace(/^v/, "")}`
      : "latest/download";
    let latest: { version?: string; targets?: Record<string, { asset?: string; sha256?: string }> };
    try {
      latest = JSON.parse(
        new TextDecoder().decode(await get(fetcher, `${base}/${path}/latest.json`)),
      );
    } catch (error) {
      if (error instanceof RunDockerError) throw error;
      return fail(`latest.json of ${base} is not JSON`, "check RUN_DOCKER_DOWNLOAD_URL");
    }
    expected = latest.version;
    const entry = latest.targets?.[options.target];
    if (
      typeof expected !== "string" || entry?.asset !== asset || typeof entry.sha256 !== "string"
    ) {
      return fail(
        `the release has no ${asset}`,
        `this target (${options.target}) may not be published for that version`,
      );
    }
    archiveBytes = await get(fetcher, `${base}/${path}/${asset}`) as Uint8Array<ArrayBuffer>;
    sums = new TextDecoder().decode(await get(fetcher, `${base}/${path}/SHA256SUMS`));
    const actual = await sha256(archiveBytes);
    if (actual !== sumFor(sums, asset) || actual !== entry.sha256) {
      fail(
        `checksum mismatch for ${asset}`,
        "the download is damaged or not the release; nothing was changed",
      );
    }
  }

  // Stage next to the binary, so the final rename stays on one file system.
  let stage: string;
  try {
    stage = await Deno.makeTempDir({ dir, prefix: ".run-docker-update-" });
  } catch (error) {
    return fail(
      `cannot write to ${dir}: ${
        error instanceof Deno.errors.PermissionDenied
          ? "permission denied"
          : (error as Error).message
      }`,
      "run it with sudo, or update with the package manager or install.sh that installed it",
    );
  }
  // Ctrl-C or a kill while staging must not leave the unpacked archive next to the binary.
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM", "SIGHUP"];
  const onSignal = () => {
    try {
      Deno.removeSync(stage, { recursive: true });
    } catch {
      // already gone
    }
    Deno.exit(130);
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    await Deno.writeFile(`${stage}/${asset}`, archiveBytes);
    let unpack: Deno.CommandOutput;
    try {
      unpack = await new Deno.Command("tar", {
        args: ["-xf", `${stage}/${asset}`, "-C", stage],
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch {
      return fail("tar is not installed", "install tar: it unpacks the release archive");
    }
    if (!unpack.success) {
      fail(`cannot unpack ${asset}: it is damaged or not an archive`, "nothing was changed");
    }
    const fresh = `${stage}/run-docker-${options.target}/run-docker${windows ? ".exe" : ""}`;
    const freshInfo = await Deno.stat(fresh).catch(() => undefined);
    if (!freshInfo?.isFile) {
      fail(`${asset} has no run-docker-${options.target}/run-docker`, "nothing was changed");
    }
    if (expected === undefined) {
      expected =
        (await Deno.readTextFile(`${stage}/run-docker-${options.target}/VERSION`).catch(() => ""))
          .trim();
    }
    const mode = (await Deno.stat(options.binary).catch(() => undefined))?.mode ?? 0o755;
    // The old mode stays, but the new binary must be able to run to prove itself.
    if (!windows) await Deno.chmod(fresh, (mode & 0o7777) | 0o100);
    let said = "";
    try {
      const check = await new Deno.Command(fresh, {
        args: ["--version"],
        stdout: "piped",
        stderr: "null",
        signal: AbortSignal.timeout(30_000),
      }).output();
      if (check.success) said = new TextDecoder().decode(check.stdout).trim();
    } catch {
      // cannot run: said stays empty
    }
    const wanted = (expected ?? "").replace(/^v/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (!new RegExp(`(^|\\s)v?${wanted}(\\s|$)`).test(said)) {
      fail(
        `the new binary does not say version ${expected} (it says ${JSON.stringify(said)})`,
        "nothing was changed",
      );
    }
    if (windows) {
      const aside = `${options.binary}.old`;
      await Deno.rename(options.binary, aside);
      try {
        await Deno.rename(fresh, options.binary);
      } catch (error) {
        await Deno.rename(aside, options.binary);
        throw error;
      }
    } else {
      await Deno.rename(fresh, options.binary);
      await Deno.chmod(options.binary, mode & 0o7777);
    }
    return expected!;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}
