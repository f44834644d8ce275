/**
 * End to end (issue 11, points 3 and 10): with mixed tags `latest` runs, and
 * a newer `latest` on the registry (another digest) is pulled; an images rule
 * `registry: none` makes an image local only: no request, no warning.
 */

import assert from "node:assert/strict";
import { docker, ignore, runDocker, withHome } from "./e2e_helpers.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./registry_fixture.ts";
import { buildTestImages } from "./test_image.ts";

const SEED = "tags-e2e/seed";
const skipRegistry = ignore || !registryAvailable();
if (!ignore) await buildTestImages(SEED, ["1", "2"]);

const builtTag = ["sh", "-c", 'echo "$BUILT_TAG"'];

async function ok(...args: string[]): Promise<void> {
  const result = await docker(...args);
  assert.equal(result.code, 0, `docker ${args.join(" ")}: ${result.stderr}`);
}

/** Pushes `SEED:<seed>` as `<registry>/app:<tag>`, leaving the local tags as they were. */
async function push(registry: TestRegistry, seed: string, tag: string): Promise<void> {
  const ref = `${registry.host}/app:${tag}`;
  const before = await docker("image", "inspect", "--format", "{{.Id}}", ref);
  await ok("tag", `${SEED}:${seed}`, ref);
  await ok("push", ref);
  if (before.code === 0) await ok("tag", before.stdout.trim(), ref);
  else await ok("rmi", ref);
}

/** Removes every local tag and digest reference of `<registry>/app`. */
async function removeLocal(registry: TestRegistry): Promise<void> {
  const repo = `${registry.host}/app`;
  const listed = await docker("image", "ls", "--digests", "--format", "{{.Tag}} {{.Digest}}", repo);
  for (const line of listed.stdout.split("\n").filter((l) => l !== "")) {
    const [tag, digest] = line.split(" ");
    if (tag !== "<none>") await docker("rmi", `${repo}:${tag}`);
    if (digest?.startsWith("sha256:")) await docker("rmi", `${repo}@${digest}`);
  }
}

Deno.test({
  name: "e2e tags: mixed tags run latest, and a newer latest on the registry is pulled",
  ignore: skipRegistry,
  fn: () =>
    withHome("h", async (home) => {
      const registry = await startRegistry();
      try {
        await push(registry, "1", "1.0");
        await push(registry, "1", "slim");
        await push(registry, "1", "latest");
        const image = `${registry.host}/app`;
        const first = await runDocker(["--explain", image, ...builtTag], { home });
        assert.equal(first.code, 0, first.stderr);
        assert.equal(first.stdout, "1\n");
        assert.match(
          first.stderr,
          /run-docker: explain: tag: latest \(newest of 3 by auto order; remote\)\n/,
        );
        assert.match(
          first.stderr,
          /run-docker: explain: the tags of 127\.0\.0\.1:\d+\/app mix 2 schemes \(e\.g\. 1\.0, slim\): latest runs; to choose, give a tag \(127\.0\.0\.1:\d+\/app:TAG\) or an images rule with tag_filter\n/,
        );
        assert.doesNotMatch(first.stderr, /warning/);

        // The same tag, another image on the registry; the local latest stays the old one.
        await push(registry, "2", "latest");
        const second = await runDocker(["--explain", image, ...builtTag], { home });
        assert.equal(second.code, 0, second.stderr);
        assert.equal(second.stdout, "2\n", "the newer latest was pulled and ran");
        assert.match(
          second.stderr,
          /explain: latest: the registry's digest and the local one: newer on the registry \(pulled\)\n/,
        );

        // Now both are the same: no pull (no manifest GET), the local image runs.
        const before = registry.accessLog().length;
        const third = await runDocker(["--explain", image, ...builtTag], { home });
        assert.equal(third.code, 0, third.stderr);
        assert.equal(third.stdout, "2\n");
        assert.match(
          third.stderr,
          /explain: latest: the registry's digest and the local one: same\n/,
        );
        const asked = registry.accessLog().slice(before);
        assert.match(asked, /"HEAD \/v2\/app\/manifests\/latest HTTP/);
        assert.doesNotMatch(asked, /"GET \/v2\/app\/manifests\//, "nothing was pulled");
      } finally {
        await removeLocal(registry);
        await registry.stop();
      }
    }),
});

/** A server on 127.0.0.1 that is no registry (404 everywhere) and counts what it was asked. */
function fakeRegistry(): { host: string; requests: () => number; stop: () => Promise<void> } {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    requests++;
    return new Response("no registry here", { status: 404 });
  });
  return {
    host: `127.0.0.1:${server.addr.port}`,
    requests: () => requests,
    stop: () => server.shutdown(),
  };
}

async function withLocalImage(
  fn: (home: string, image: string, requests: () => number) => Promise<void>,
): Promise<void> {
  const fake = fakeRegistry();
  const image = `${fake.host}/team/app`;
  await ok("tag", `${SEED}:1`, `${image}:20200101-000000`);
  try {
    await withHome("h", (home) => fn(home, image, fake.requests));
  } finally {
    await docker("rmi", `${image}:20200101-000000`);
    await fake.stop();
  }
}

Deno.test({
  name: "e2e tags: without a rule, a registry that fails gives a warning and the local image runs",
  ignore,
  fn: () =>
    withLocalImage(async (home, image, requests) => {
      const result = await runDocker([image, ...builtTag], { home });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "1\n");
      assert.match(result.stderr, /^run-docker: warning: registry 127\.0\.0\.1:\d+ unreachable/);
      assert.ok(requests() > 0, "the registry was asked");
    }),
});

Deno.test({
  name: "e2e tags: images rule registry: none: no request, no warning, --explain says why",
  ignore,
  fn: () =>
    withLocalImage(async (home, image, requests) => {
      await Deno.mkdir(`${home}/.config/run-docker`, { recursive: true });
      await Deno.writeTextFile(
        `${home}/.config/run-docker/config.yaml`,
        `images:\n  "127.0.0.1:*/team/*":\n    registry: none\n`,
      );
      const result = await runDocker([image, ...builtTag], { home });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "1\n");
      assert.equal(result.stderr, "", "no warning");
      const explained = await runDocker(["--explain", image, ...builtTag], { home });
      assert.equal(explained.code, 0, explained.stderr);
      assert.match(
        explained.stderr,
        /run-docker: explain: registry: not asked \(images rule "127\.0\.0\.1:\*\/team\/\*": registry: none\)\n/,
      );
      assert.equal(requests(), 0, "the registry was never asked");
    }),
});

Deno.test({
  name: "e2e tags: the seed images go (last in this file)",
  ignore,
  fn: async () => {
    await ok("rmi", `${SEED}:1`, `${SEED}:2`);
  },
});
