import assert from "node:assert/strict";
import { naturalCompare, newestTag, sortTags } from "../lib/tags.ts";

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
  ["a number beats a word", ["dev", "20210502-002343"], "20210502-002343"],
];
for (const [name, tags, expected] of newestCases) {
  Deno.test(`newestTag() picks by natural order: ${name}`, () => {
    assert.equal(newestTag(tags), expected);
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
