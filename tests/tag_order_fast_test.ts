/**
 * The tag order's fast paths (issue 13) give the order of the general rule: tags of one shape
 * by one native sort (`sortUniform`), everything else by keys made once per tag; and a native
 * docker or podman CLI is known without a `--version` process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { naturalCompare, naturalKey, sortUniform } from "../lib/core/natural_order.ts";
import { orderTags } from "../lib/core/tags.ts";
import { identifyEngine } from "../lib/edge/engine_kind.ts";

/** A deterministic shuffle. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const byNaturalNewest = (tags: readonly string[]) =>
  [...new Set(tags)].sort((a, b) => naturalCompare(b, a));

Deno.test("sortUniform() gives natural order for tags of one shape, and nothing otherwise", () => {
  const stamps = Array.from({ length: 500 }, (_, i) => `2021${String(i * 37).padStart(6, "0")}-0`);
  const uniform: string[][] = [
    stamps,
    ["1.10.3", "1.09.3", "2.00.0", "0.99.9"],
    ["000", "010", "009", "100"],
    ["1_2", "3_4", "0_9"],
  ];
  for (const [i, tags] of uniform.entries()) {
    const input = shuffled([...tags, tags[0]], i + 1);
    assert.deepEqual(sortUniform(input), byNaturalNewest(input), tags[0]);
    assert.deepEqual(orderTags(input).tags, byNaturalNewest(input), tags[0]);
  }
  const mixed = [
    ["1.9", "1.10"], // runs of different lengths
    ["1.0", "1-0"],
    ["v1", "v2"], // a letter
    ["1.0", "latest"],
    ["sha256-" + "a".repeat(64)],
    ["-"],
    [],
  ];
  for (const tags of mixed) assert.equal(sortUniform(tags), undefined, tags.join(" "));
});

Deno.test("naturalKey() of a one-pass scan orders as runs of numbers and words", () => {
  const orders = [
    ["1.0-rc1", "1.0", "1.0-11-gabc", "1.9", "1.10", "01.10a", "2"],
    ["v2.8.1", "v2.8.10", "2"], // a number beats a word in the same place
  ];
  for (const order of orders) {
    for (let i = 0; i + 1 < order.length; i++) {
      assert.ok(naturalKey(order[i]) < naturalKey(order[i + 1]), `${order[i]} < ${order[i + 1]}`);
    }
  }
  assert.equal(naturalKey("007"), naturalKey("7"));
  assert.equal(naturalKey("1-rc"), "\x04\x211\x01-rc\x02");
});

Deno.test({
  name: "identifyEngine(): a native CLI whose real name is podman's is podman, without asking",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "rd-native-" });
    try {
      // `true --version` says nothing: only the file can tell what this CLI is.
      await Deno.copyFile("/bin/true", `${dir}/podman-4.3`);
      await Deno.chmod(`${dir}/podman-4.3`, 0o755);
      await Deno.symlink(`${dir}/podman-4.3`, `${dir}/docker`);
      const host = { env: { PATH: dir, DOCKER_HOST: "unix:///x.sock" }, os: "linux", uid: 0 };
      const engine = await identifyEngine({ program: "docker" }, host, true);
      assert.deepEqual(engine.kind, { kind: "podman", rootless: false });
      await Deno.remove(`${dir}/docker`);
      await Deno.copyFile("/bin/true", `${dir}/docker`);
      const auto = await identifyEngine({ program: "auto" }, host, true);
      assert.deepEqual(auto, {
        program: `${dir}/docker`,
        kind: { kind: "docker", rootless: false },
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
