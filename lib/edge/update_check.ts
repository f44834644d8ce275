/**
 * Edge module: the update notice's I/O (see `lib/core/update_notice.ts`, which decides). Before
 * the run it reads only the cache file; after the container exits it prints the notice and asks
 * the release base for `latest.json`, bounded by {@link REFRESH_SECONDS}, and caches the answer.
 * Whatever fails here is silent: the notice never changes a run's outcome.
 *
 * @module
 */

import { cacheDir } from "../core/platform_paths.ts";
import { mayMakeIn } from "./host_user_files.ts";
import { planUpdateCheck, type UpdateCache, type UpdatePlan } from "../core/update_notice.ts";
import { VERSION } from "../core/version.ts";
import { type Fetcher, getText } from "./release_fetch.ts";
import { releaseBase, releaseEntry, releaseFolder } from "./self_update.ts";
import { write } from "./output.ts";

/** Seconds the refresh after a run may take. */
export const REFRESH_SECONDS = 2;

/** The cache file's name in the cache directory. */
const CACHE_FILE = "update.json";

/** The most of the cache file that is read; a bigger one is not ours and is ignored. */
const CACHE_BYTES = 64 * 1024;

/** What a run holds between {@link beforeRun} and {@link afterRun}. */
export interface UpdateCheck {
  /** What to do after the run. */
  readonly plan: UpdatePlan;
  /** The cache file; `undefined`: no cache folder (no absolute home), so no check at all. */
  readonly file?: string;
  /** The cache as read. */
  readonly cache: Partial<UpdateCache>;
  /** The release base. */
  readonly base: string;
}

/**
 * Reads the cached answer (one small file, no network) and decides.
 *
 * @param host `os`, `home`, `env` (the whole environment: `CI`, `RUN_DOCKER_NO_UPDATE_CHECK`,
 *   `XDG_CACHE_HOME`, `RUN_DOCKER_DOWNLOAD_URL`).
 * @param local `--local`.
 * @returns What to do after the run.
 */
export function beforeRun(
  host: {
    readonly os: string;
    readonly home: string;
    readonly env: Readonly<Record<string, string | undefined>>;
  },
  local: boolean,
): UpdateCheck {
  const base = releaseBase(host.env);
  const dir = cacheDir(host);
  if (dir === undefined) return { plan: { refresh: false }, cache: {}, base };
  const file = `${dir}/${CACHE_FILE}`;
  let cache: unknown;
  try {
    const info = Deno.lstatSync(file); // a plain, small file of ours; never through a symlink
    if (info.isFile && info.size <= CACHE_BYTES) cache = JSON.parse(Deno.readTextFileSync(file));
  } catch {
    // none yet, or unreadable: as if never checked
  }
  const plan = planUpdateCheck({
    version: VERSION,
    stderrIsTty: Deno.stderr.isTerminal(),
    local,
    env: host.env,
    now: new Date(),
    cache,
  });
  const known = typeof cache === "object" && cache !== null ? cache as Partial<UpdateCache> : {};
  return { plan, file, cache: known, base };
}

/**
 * After the container exited: prints the notice, then refreshes the cache when it is old
 * (one `latest.json`, at most {@link REFRESH_SECONDS}). Never throws.
 *
 * @param check From {@link beforeRun}.
 * @param fetcher The fetch to use (tests inject one).
 */
export async function afterRun(check: UpdateCheck, fetcher: Fetcher = fetch): Promise<void> {
  const { plan } = check;
  if (plan.notice === undefined && !plan.refresh) return;
  let cache: Partial<UpdateCache> = check.cache;
  try {
    if (plan.notice !== undefined) {
      await write(Deno.stderr, plan.notice);
      cache = { ...cache, noticed: new Date().toISOString() };
    }
    if (plan.refresh) {
      const url = `${releaseFolder(check.base)}/latest.json`;
      const entry = releaseEntry(
        JSON.parse(await getText(fetcher, url, 64 * 1024, REFRESH_SECONDS)),
        Deno.build.target,
      );
      // A release without this target is no news for this binary.
      const { latest: _, ...rest } = cache;
      cache = {
        ...rest,
        checked: new Date().toISOString(),
        ...(typeof entry === "object" ? { latest: entry.version.replace(/^v/, "") } : {}),
      };
    }
  } catch {
    // offline, slow, or not a release: no news; asked again next time (checked is unchanged)
  }
  if (check.file !== undefined && mayMakeIn(check.file)) saveCache(check.file, cache);
}

/** Writes the cache: a private new file renamed over the old one. Silent on failure. */
function saveCache(file: string, cache: Partial<UpdateCache>): void {
  const dir = file.slice(0, file.lastIndexOf("/"));
  const temp = `${file}.${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(temp, JSON.stringify(cache) + "\n", { createNew: true, mode: 0o600 });
    Deno.renameSync(temp, file);
  } catch {
    try {
      Deno.removeSync(temp);
    } catch {
      // never made
    }
  }
}
