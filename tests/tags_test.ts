import assert from "node:assert/strict";
import {
  loadTagPolicy,
  NATURAL_POLICY,
  naturalCompare,
  newestTag,
  sortTags,
  type TagPolicy,
} from "../lib/core/tags.ts";

const newestCases: [string, string[], string | undefined][] = [
  ["timestamps", ["20210502-002343", "20201231-235959", "20210601-000000"], "20210601-000000"],
  ["calendar versions", ["21.01.02", "20.12.31", "21.1.10"], "21.1.10"],
  ["1.10 after 1.9", ["1.9", "1.10", "1.2"], "1.10"],
  ["latest ignored when others exist", ["latest", "1.0"], "1.0"],
  ["latest when it is the only tag", ["latest"], "latest"],
  ["nothing", [], undefined],
  ["signature tags never chosen", [`sha256-${"a".repeat(64)}.sig`, "1.0"], "1.0"],
  ["only signature tags", [`sha256-${"b".repeat(64)}.att`], undefined],
  ["leading zeros", ["007", "10"], "10"],
  [
    "huge numbers beyond float precision",
    ["99999999999999999999", "99999999999999999998"],
    "99999999999999999999",
  ],
  ["a longer version after its prefix", ["1.0", "1.0.1"], "1.0.1"],
  ["a release after its pre-release", ["1.10-rc1", "1.10", "1.10-beta.2"], "1.10"],
  ["git describe after its tag", ["v2.8.1", "v2.8.1-3-gabc"], "v2.8.1-3-gabc"],
  ["a number beats a word", ["dev", "20210502-002343"], "20210502-002343"],
];
for (const [name, tags, expected] of newestCases) {
  Deno.test(`newestTag() picks by natural order: ${name}`, () => {
    assert.equal(newestTag(tags, NATURAL_POLICY), expected);
  });
}

Deno.test("sortTags() sorts newest first, drops duplicates, latest last", () => {
  assert.deepEqual(sortTags(["1.2", "latest", "1.10", "1.2", "1.9"]), [
    "1.10",
    "1.9",
    "1.2",
    "latest",
  ]);
});

Deno.test("naturalCompare() is a total order consistent with equality", () => {
  assert.equal(naturalCompare("a1", "a1"), 0);
  assert.ok(naturalCompare("01", "1") !== 0);
  assert.equal(Math.sign(naturalCompare("01", "1")), -Math.sign(naturalCompare("1", "01")));
});

const SIG = `sha256-${"c".repeat(64)}`;
const policyCases: [string, string[], TagPolicy, string[]][] = [
  ["natural: many numeric components", ["3d-dev-1.0.9", "3d-dev-1.0.63"], { order: "natural" }, [
    "3d-dev-1.0.63",
    "3d-dev-1.0.9",
  ]],
  ["natural: git describe", ["v2.8.1-9-gabc", "v2.8.1-11-gdef"], { order: "natural" }, [
    "v2.8.1-11-gdef",
    "v2.8.1-9-gabc",
  ]],
  ["natural: signature tags left out", [SIG, `${SIG}.sig`, `${SIG}.att`, `${SIG}.sbom`, "1"], {
    order: "natural",
  }, [
    "1",
  ]],
  ["semver: optional v, leading zeros", ["v1.2.3", "2022.04.0", "1.10.0"], { order: "semver" }, [
    "2022.04.0",
    "1.10.0",
    "v1.2.3",
  ]],
  ["semver: four components", ["1.2.3.4", "1.2.3.10", "1.2.3"], { order: "semver" }, [
    "1.2.3.10",
    "1.2.3.4",
    "1.2.3",
  ]],
  ["semver: release newer than its pre-releases; pre-releases left out", [
    "1.0.0-rc.1",
    "1.0.0",
    "0.9.0",
  ], {
    order: "semver",
  }, ["1.0.0", "0.9.0"]],
  ["semver: a range that includes pre-releases keeps them", ["1.0.0-rc.1", "1.0.0-rc.2", "0.9.0"], {
    order: "semver",
    range: ">=1.0.0-rc.0",
  }, ["1.0.0-rc.2", "1.0.0-rc.1"]],
  ["semver: range", ["1.2.0", "1.9.9", "2.0.0", "latest"], { range: "^1.2" }, ["1.9.9", "1.2.0"]],
  ["semver: non-versions skipped", ["main", "1.0.0", "latest"], { order: "semver" }, [
    "1.0.0",
    "latest",
  ]],
  ["filter: named group version compared", ["app-1.9", "app-1.10", "web-2.0"], {
    filter: "^app-(?<version>.+)$",
  }, [
    "app-1.10",
    "app-1.9",
  ]],
  ["filter with semver", ["rel-v1.2.0", "rel-v1.10.0", "dev-v9.0.0"], {
    filter: "^rel-(?<version>.*)$",
    order: "semver",
  }, ["rel-v1.10.0", "rel-v1.2.0"]],
  ["alphabetical", ["b", "c", "a", "latest"], { order: "alphabetical" }, ["c", "b", "a", "latest"]],
  ["numerical: non-numbers skipped", ["10", "9", "x", "1e3", "latest"], { order: "numerical" }, [
    "1e3",
    "10",
    "9",
    "latest",
  ]],
];

for (const [name, tags, policy, expected] of policyCases) {
  Deno.test(`sortTags() orders by policy: ${name}`, async () => {
    assert.deepEqual(sortTags(tags, await loadTagPolicy(policy)), expected);
  });
}

Deno.test("sortTags() works on its arguments alone: the loaded policy carries semver and RE2", async () => {
  // A second instance of the module, which never loaded anything: module state would be empty.
  const fresh: typeof import("../lib/core/tags.ts") = await import(
    `../lib/core/tags.ts?fresh=${Date.now()}`
  );
  const semver = await loadTagPolicy({ order: "semver", range: "^1" });
  const filter = await loadTagPolicy({ filter: "^app-(?<version>.+)$" });
  assert.deepEqual(fresh.sortTags(["1.2.0", "2.0.0", "1.10.0", "latest"], semver), [
    "1.10.0",
    "1.2.0",
  ]);
  assert.deepEqual(fresh.sortTags(["app-1.9", "web-3", "app-1.10"], filter), [
    "app-1.10",
    "app-1.9",
  ]);
  assert.equal(fresh.newestTag(["1.0.0-rc.1", "0.9.0"], semver), undefined);
  assert.deepEqual(fresh.sortTags(["1.9", "1.10"], NATURAL_POLICY), ["1.10", "1.9"]);
  assert.deepEqual(semver.spec, { order: "semver", range: "^1" });
  assert.equal(filter.order, "natural");
});

Deno.test("loadTagPolicy() rejects a bad regex, range or order", async () => {
  await assert.rejects(loadTagPolicy({ filter: "(" }), SyntaxError);
  await assert.rejects(loadTagPolicy({ range: "not a range" }), SyntaxError);
  await assert.rejects(loadTagPolicy({ order: "random" as TagPolicy["order"] }), TypeError);
});

Deno.test("newestTag() uses latest only when nothing else is left after the policy", async () => {
  const semver = await loadTagPolicy({ order: "semver" });
  assert.equal(newestTag(["latest", "main"], semver), "latest");
  assert.equal(newestTag(["latest", "1.0.0"], semver), "1.0.0");
});

Deno.test("sortTags() matches a filter that backtracks catastrophically in linear time", async () => {
  // The pattern: with a backtracking engine one 40-character tag that fails at its end
  // already takes hours; RE2 answers in time linear in the tag.
  const filter = String.raw`^(\w|\d|[0-9a-z-]|[\w-]|[\w.-])*Z$`;
  const long = `${"a1-".repeat(20_000)}!`;
  const policy = await loadTagPolicy({ filter });
  assert.deepEqual(sortTags([long, "abc-1Z", "b2Z", `${"x".repeat(60)}Z`], policy), [
    `${"x".repeat(60)}Z`,
    "b2Z",
    "abc-1Z",
  ]);
});

Deno.test("loadTagPolicy() refuses what RE2 cannot run, naming the pattern", async () => {
  for (
    const [filter, reason] of [
      ["(a)\\1", /invalid escape sequence/],
      ["^v(?=\\d)", /unsupported Perl syntax/],
      ["(?<!rc)$", /invalid named capture|unsupported/],
    ] as const
  ) {
    await assert.rejects(loadTagPolicy({ filter }), (e: unknown) => {
      assert.ok(e instanceof SyntaxError, String(e));
      assert.ok(e.message.startsWith(`invalid tag filter ${JSON.stringify(filter)}: `), e.message);
      assert.match(e.message, reason);
      assert.match(e.message, /RE2 syntax: no backreferences, no lookaround/);
      return true;
    });
  }
});
