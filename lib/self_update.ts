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
  readonly fetch?: (url: string) => Promise<Response>;
}

const fail = (message: string, hint: string): never => {
  throw new RunDockerError(message, hint);
};

async function get(fetcher: (url: string) => Promise<Response>, url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetcher(url);
  } catch (error) {
    return fail(
      `cannot download ${url}: ${(error as Error).message.split("\n")[0]}`,
      "check the network, or use --archive FILE",
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    return fail(
      `cannot download ${url}: HTTP ${response.status}`,
      "check the version (--version X) and RUN_DOCKER_DOWNLOAD_URL",
    );
  }
  return new Uint8Array(await response.arrayBuffer());
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
    const fetcher = options.fetch ?? ((url: string) => fetch(url));
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
  try {
    await Deno.writeFile(`${stage}/${asset}`, archiveBytes);
    const unpack = await new Deno.Command("tar", {
      args: ["-xf", `${stage}/${asset}`, "-C", stage],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!unpack.success) fail(`cannot unpack ${asset}`, "is tar installed?");
    const fresh = `${stage}/run-docker-${options.target}/run-docker${windows ? ".exe" : ""}`;
    if (expected === undefined) {
      expected =
        (await Deno.readTextFile(`${stage}/run-docker-${options.target}/VERSION`).catch(() => ""))
          .trim();
    }
    const mode = (await Deno.stat(options.binary).catch(() => undefined))?.mode ?? 0o755;
    if (!windows) await Deno.chmod(fresh, mode & 0o7777);
    const check = await new Deno.Command(fresh, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).output()
      .catch(() => undefined);
    const said = check?.success ? new TextDecoder().decode(check.stdout).trim() : "";
    if (!said.includes(` ${expected}`) && !said.endsWith(expected ?? "")) {
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
    }
    return expected!;
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}
