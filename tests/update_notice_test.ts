import assert from "node:assert/strict";
import { cacheDir } from "../lib/core/platform_paths.ts";
import { isNewer, planUpdateCheck, type UpdateFacts } from "../lib/core/update_notice.ts";

const NOW = new Date("2026-12-02T08:00:00Z");
const HOURS = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();
const NOTICE = "run-docker 1.1.0 is available (you have 1.0.0): run-docker --self-update\n";
const base: UpdateFacts = { version: "1.0.0", stderrIsTty: true, local: false, env: {}, now: NOW };

const rows: [string, Partial<UpdateFacts>, ReturnType<typeof planUpdateCheck>][] = [
  ["no cache: check after the run, no notice", {}, { refresh: true }],
  ["an unreadable cache counts as none", { cache: "x" }, { refresh: true }],
  ["a fresh cache, nothing newer", { cache: { checked: HOURS(1), latest: "1.0.0" } }, {
    refresh: false,
  }],
  ["a fresh cache naming a newer version: the notice", {
    cache: { checked: HOURS(1), latest: "1.1.0" },
  }, { notice: NOTICE, refresh: false }],
  ["a stale cache: the notice and a check", { cache: { checked: HOURS(25), latest: "1.1.0" } }, {
    notice: NOTICE,
    refresh: true,
  }],
  ["the notice at most once a day", {
    cache: { checked: HOURS(1), latest: "1.1.0", noticed: HOURS(23) },
  }, { refresh: false }],
  ["a day after the last notice, again", {
    cache: { checked: HOURS(1), latest: "1.1.0", noticed: HOURS(24) },
  }, { notice: NOTICE, refresh: false }],
  ["a check dated in the future counts as old", { cache: { checked: HOURS(-2) } }, {
    refresh: true,
  }],
  ["an older latest is no news", { cache: { checked: HOURS(1), latest: "0.9.0" } }, {
    refresh: false,
  }],
  ["off a terminal: nothing", {
    stderrIsTty: false,
    cache: { checked: HOURS(48), latest: "2.0.0" },
  }, {
    refresh: false,
  }],
  ["--local: nothing", { local: true }, { refresh: false }],
  ["CI: nothing", { env: { CI: "true" } }, { refresh: false }],
  ["RUN_DOCKER_NO_UPDATE_CHECK: nothing", { env: { RUN_DOCKER_NO_UPDATE_CHECK: "1" } }, {
    refresh: false,
  }],
  ["an empty CI is not set", { env: { CI: "" } }, { refresh: true }],
];

for (const [name, facts, expected] of rows) {
  Deno.test(`planUpdateCheck(): ${name}`, () => {
    assert.deepEqual(planUpdateCheck({ ...base, ...facts }), expected);
  });
}

Deno.test("isNewer() orders releases as semver does", () => {
  const cases: [string, string, boolean][] = [
    ["1.10.0", "1.9.9", true],
    ["2.0.0", "10.0.0", false],
    ["v1.2.3", "1.2.2", true],
    ["1.2.3", "1.2.3-rc.1", true],
    ["1.2.3-rc.10", "1.2.3-rc.9", true],
    ["1.2.3-rc.1", "1.2.3", false],
    ["latest", "1.0.0", false],
  ];
  for (const [a, b, newer] of cases) assert.equal(isNewer(a, b), newer, `${a} > ${b}`);
});

Deno.test("cacheDir() follows XDG, then each system's convention", () => {
  const home = "/home/z";
  assert.equal(cacheDir({ os: "linux", home, env: {} }), "/home/z/.cache/run-docker");
  assert.equal(cacheDir({ os: "linux", home, env: { XDG_CACHE_HOME: "/x/" } }), "/x/run-docker");
  // A relative XDG_CACHE_HOME is invalid (the spec): ignored.
  assert.equal(
    cacheDir({ os: "linux", home, env: { XDG_CACHE_HOME: "x" } }),
    `${home}/.cache/run-docker`,
  );
  assert.equal(
    cacheDir({ os: "darwin", home: "/Users/z", env: {} }),
    "/Users/z/Library/Caches/run-docker",
  );
  assert.equal(
    cacheDir({
      os: "windows",
      home: "C:\\Users\\z",
      env: { LOCALAPPDATA: "C:\\Users\\z\\AppData\\Local" },
    }),
    "C:/Users/z/AppData/Local/run-docker",
  );
});
