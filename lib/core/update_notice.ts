/**
 * The update notice: at most once a day, on a terminal, never with `--local`, `CI` or
 * `RUN_DOCKER_NO_UPDATE_CHECK`, one line `run-docker X is available (you have Y): run-docker
 * --self-update`. The run reads only the answer an earlier check cached; the check itself
 * (`latest.json` of the release base) runs after the container exits, bounded in time. This
 * module decides; `lib/edge/update_check.ts` reads, asks and writes.
 *
 * Pure module: no I/O, no clock (the caller hands `now` in).
 *
 * @module
 */

import { naturalCompare } from "./natural_order.ts";

/** The variable that turns the update notice off (any non-empty value). */
export const NO_UPDATE_CHECK = "RUN_DOCKER_NO_UPDATE_CHECK";

/** A day in milliseconds: the longest a cached answer is trusted, and the notice's interval. */
export const UPDATE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What the cache file (`update.json` in the cache directory) holds. */
export interface UpdateCache {
  /** When the release base was last asked (ISO 8601). */
  readonly checked: string;
  /** The latest version it named for this target, when it named one. */
  readonly latest?: string;
  /** When the notice was last shown (ISO 8601). */
  readonly noticed?: string;
}

/** What a run does about updates. */
export interface UpdatePlan {
  /** The line to print on stderr after the container exits, when there is news. */
  readonly notice?: string;
  /** Ask the release base after the container exits (the cached answer is missing or old). */
  readonly refresh: boolean;
}

/** What {@link planUpdateCheck} needs. */
export interface UpdateFacts {
  /** This run-docker's version. */
  readonly version: string;
  /** Whether stderr is a terminal. */
  readonly stderrIsTty: boolean;
  /** `--local`: the network is off limits. */
  readonly local: boolean;
  /** `CI` and `RUN_DOCKER_NO_UPDATE_CHECK`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Now. */
  readonly now: Date;
  /** The cache file's contents, parsed; `undefined` when missing or unreadable. */
  readonly cache?: unknown;
}

/**
 * Decides whether a run shows the notice and refreshes the cache.
 *
 * @param facts See {@link UpdateFacts}.
 * @returns Nothing to do (`{ refresh: false }`) off a terminal, with `--local`, `CI` or
 *   `RUN_DOCKER_NO_UPDATE_CHECK` set (non-empty); else the notice when the cached latest
 *   version is newer and none was shown for a day, and a refresh when the cache is a day old.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planUpdateCheck } from "./update_notice.ts";
 * const now = new Date("2026-12-02T08:00:00Z");
 * const cache = { checked: "2026-11-30T08:00:00Z", latest: "1.1.0" };
 * assert.deepEqual(planUpdateCheck({ version: "1.0.0", stderrIsTty: true, local: false, env: {}, now, cache }), {
 *   notice: "run-docker 1.1.0 is available (you have 1.0.0): run-docker --self-update\n",
 *   refresh: true,
 * });
 * ```
 */
export function planUpdateCheck(facts: UpdateFacts): UpdatePlan {
  const off = (name: string) => (facts.env[name] ?? "") !== "";
  if (!facts.stderrIsTty || facts.local || off("CI") || off(NO_UPDATE_CHECK)) {
    return { refresh: false };
  }
  const cache = readCache(facts.cache);
  const age = (iso: string | undefined) =>
    iso === undefined ? Infinity : facts.now.getTime() - Date.parse(iso);
  // A time in the future (a clock set back) counts as old: the check runs again.
  const stale = (iso: string | undefined) => !(age(iso) >= 0 && age(iso) < UPDATE_INTERVAL_MS);
  const refresh = stale(cache?.checked);
  const latest = cache?.latest;
  if (latest === undefined || !isNewer(latest, facts.version) || !stale(cache?.noticed)) {
    return { refresh };
  }
  return {
    notice:
      `run-docker ${latest} is available (you have ${facts.version}): run-docker --self-update\n`,
    refresh,
  };
}

/** The cache's fields, when it has the right shape. */
function readCache(value: unknown): UpdateCache | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { checked, latest, noticed } = value as Record<string, unknown>;
  if (typeof checked !== "string" || Number.isNaN(Date.parse(checked))) return undefined;
  return {
    checked,
    ...(typeof latest === "string" && VERSION.test(latest) ? { latest } : {}),
    ...(typeof noticed === "string" && !Number.isNaN(Date.parse(noticed)) ? { noticed } : {}),
  };
}

/** A release version: `1.2.3`, `v1.2.3`, `1.2.3-rc.1`. */
const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Whether version `a` is newer than `b` (semver precedence: numbers, then a release above its
 * pre-releases, pre-releases in natural order).
 *
 * @param a e.g. `1.10.0`.
 * @param b e.g. `1.9.0`.
 * @returns `false` when either is not a version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNewer } from "./update_notice.ts";
 * assert.equal(isNewer("1.10.0", "1.9.0"), true);
 * assert.equal(isNewer("1.0.0-rc.1", "1.0.0"), false);
 * assert.equal(isNewer("1.0.0", "1.0.0"), false);
 * ```
 */
export function isNewer(a: string, b: string): boolean {
  const [x, y] = [VERSION.exec(a), VERSION.exec(b)];
  if (x === null || y === null) return false;
  for (const i of [1, 2, 3]) {
    if (Number(x[i]) !== Number(y[i])) return Number(x[i]) > Number(y[i]);
  }
  if (x[4] === undefined || y[4] === undefined) return x[4] === undefined && y[4] !== undefined;
  return naturalCompare(x[4], y[4]) > 0;
}
