/**
 * The `auto` tag order (issue 11, point 3): real tag lists from public registries
 * (tests/tag_lists.json names each source) and the rule's parts.
 */

import assert from "node:assert/strict";
import { AUTO_POLICY, loadTagPolicy, newestTag, orderTags, sortTags } from "../lib/core/tags.ts";
import { formatMixedTags, isPrerelease, tagScheme } from "../lib/core/tag_schemes.ts";

interface TagList {
  name: string;
  source: string;
  tags: string[];
  runs: string;
  mixed: boolean;
}
const { lists } = JSON.parse(
  await Deno.readTextFile(new URL("./tag_lists.json", import.meta.url)),
) as { lists: TagList[] };

for (const list of lists) {
  Deno.test(`orderTags() by default (auto) runs ${list.runs}: ${list.name}`, async () => {
    const ordered = orderTags(list.tags, await loadTagPolicy({}));
    assert.equal(ordered.tags[0], list.runs, list.source);
    assert.equal(ordered.mixed !== undefined, list.mixed, "mixed");
    if (ordered.mixed) assert.equal(ordered.mixed.latest, list.tags.includes("latest"));
    // The order does not depend on the order the registry listed the tags in.
    assert.deepEqual(orderTags([...list.tags].reverse()).tags, ordered.tags);
  });
}

Deno.test("orderTags() (auto) never lists a pre-release; latest last unless it runs", () => {
  assert.deepEqual(sortTags(["1.2.2", "1.9.3", "1.10.0", "2.0.0-rc.1", "latest"]), [
    "1.10.0",
    "1.9.3",
    "1.2.2",
    "latest",
  ]);
  const python = sortTags(["3.13.0rc2", "3.10.0b1", "3.12.1", "3.12-alpine", "slim", "latest"]);
  assert.deepEqual(python, ["latest", "3.12.1", "3.12-alpine", "slim"]);
});

Deno.test("orderTags() (auto): only channel names or pre-releases left", () => {
  assert.equal(newestTag(["latest"]), "latest");
  assert.equal(newestTag(["dev", "latest"]), "latest");
  assert.equal(newestTag(["main"]), "main");
  assert.equal(newestTag(["stable", "main", "nightly"]), "stable");
  assert.equal(newestTag(["2.0.0-rc.1", "nightly"]), undefined);
  assert.equal(newestTag([]), undefined);
  assert.equal(newestTag([`sha256-${"a".repeat(64)}.sig`, "1.0"]), "1.0");
});

Deno.test("the policy asks for pre-releases: a filter or an order other than auto", async () => {
  const tags = ["1.9.3", "1.10.0", "2.0.0-rc.1", "latest"];
  assert.equal(newestTag(tags, await loadTagPolicy({ filter: "-rc" })), "2.0.0-rc.1");
  assert.equal(newestTag(tags, await loadTagPolicy({ filter: "^2\\." })), "2.0.0-rc.1");
  assert.equal(newestTag(tags, await loadTagPolicy({ order: "natural" })), "2.0.0-rc.1");
  assert.equal(
    newestTag(tags, await loadTagPolicy({ range: ">=2.0.0-rc.0" })),
    "2.0.0-rc.1",
  );
  // A filter with `tag_order: auto`: the rule over what the filter keeps.
  const auto = await loadTagPolicy({ order: "auto", filter: "^app-(?<version>.*)$" });
  assert.equal(newestTag(["app-1.9", "app-1.10", "app-2.0-rc1", "web-9"], auto), "app-1.10");
});

Deno.test("loadTagPolicy() orders auto when nothing is set, natural with a filter or range", async () => {
  assert.equal((await loadTagPolicy({})).order, "auto");
  assert.equal(AUTO_POLICY.order, "auto");
  assert.equal((await loadTagPolicy({ filter: "x" })).order, "natural");
  assert.equal((await loadTagPolicy({ range: "^1" })).order, "natural");
  assert.equal((await loadTagPolicy({ order: "semver" })).order, "semver");
});

const PRERELEASES: [string, boolean][] = [
  ["3.13.0rc2", true],
  ["3.10.0b1", true],
  ["3.14.0a1-slim", true],
  ["2.0.0-rc.1", true],
  ["1.21_rc2", true],
  ["1.0-beta", true],
  ["1.0.0-alpha.3", true],
  ["nightly-20240101", true],
  ["1.20-dev", true],
  ["3.12.0-PRE", true],
  ["edge", true],
  ["3.12.1", false],
  ["3.12.1-slim-bookworm", false],
  ["alpine3.19", false],
  ["20240301-120000", false],
  ["v2.8.1-11-gabc", false],
  ["jammy", false],
  ["src", false],
];
for (const [tag, pre] of PRERELEASES) {
  Deno.test(`isPrerelease(${JSON.stringify(tag)}) is ${pre}`, () => {
    assert.equal(isPrerelease(tag), pre);
  });
}

Deno.test("tagScheme() puts dotted versions together and keeps shapes apart", () => {
  assert.equal(tagScheme("1"), tagScheme("1.10.0"));
  assert.equal(tagScheme("v2.3"), tagScheme("24.04"));
  assert.equal(tagScheme("20240101-000000"), tagScheme("20240301-120000"));
  assert.notEqual(tagScheme("3.12-alpine"), tagScheme("3.12.1-slim-bookworm"));
  assert.notEqual(tagScheme("jammy"), tagScheme("noble"));
  assert.notEqual(tagScheme("1.2.3"), tagScheme("20240101-000000"));
});

Deno.test("formatMixedTags() names the schemes, what runs, and how to choose", () => {
  const python = orderTags(["3.12.1", "3.12", "3.12-alpine", "bookworm", "latest"]);
  assert.deepEqual(python.mixed, {
    schemes: 3,
    examples: ["3.12.1", "3.12-alpine", "bookworm"],
    latest: true,
  });
  assert.equal(
    formatMixedTags("python", python.mixed!, "latest"),
    "the tags of python mix 3 schemes (e.g. 3.12.1, 3.12-alpine, bookworm): latest runs; " +
      "to choose, give a tag (python:TAG) or an images rule with tag_filter",
  );
  const noLatest = orderTags(["17.2", "17.2-bookworm", "16.6", "16.6-bookworm"]);
  assert.equal(
    formatMixedTags("pg", noLatest.mixed!, noLatest.tags[0]),
    "the tags of pg mix 2 schemes (e.g. 17.2, 17.2-bookworm): no latest, so 17.2 runs, " +
      "the newest of the largest scheme; to choose, give a tag (pg:TAG) or an images rule " +
      "with tag_filter",
  );
});
