/**
 * End to end with a real engine and a real registry on 127.0.0.1: the
 * newest tag over local and remote, pulling, falling back, `--local` under
 * Deno's `--deny-net`, `--list-tags` and `--resolve`.
 */

import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { baseEnv, decoder, docker, ignore, ROOT, runDocker, withHome } from "./e2e_helpers.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./registry_fixture.ts";
import { buildTestImages } from "./test_image.ts";

const SEED = "e2e-registry/seed";
const skip = ignore || !registryAvailable();
if (!skip) await buildTestImages(SEED, ["1"]);

function test(name: string, fn: (registry: TestRegistry, home: string) => Promise<void>) {
  Deno.test({
    name: `e2e registry: ${name}`,
    ignore: skip,
    fn: () =>
      withHome("h", async (home) => {
        const registry = await startRegistry();
        try {
          await fn(registry, home);
        } finally {
          await registry.stop();
        }
      }),
  });
}

/** Tags the seed image as `<registry>/app:<tag>`, pushes it, and keeps it locally or not. */
async function publish(registry: TestRegistry, tag: string, keepLocal: boolean): Promise<string> {
  const ref = `${registry.host}/app:${tag}`;
  for (const args of [["tag", `${SEED}:1`, ref], ["push", ref]]) {
    const result = await docker(...args);
    assert.equal(result.code, 0, result.stderr);
  }
  if (!keepLocal) assert.equal((await docker("rmi", ref)).code, 0);
  return ref;
}

async function tagLocal(registry: TestRegistry, tag: string): Promise<string> {
  const ref = `${registry.host}/app:${tag}`;
  assert.equal((await docker("tag", `${SEED}:1`, ref)).code, 0);
  return ref;
}

const version = ["sh", "-c", 'echo "$IMAGE_VERSION"'];

test("a newer tag on the registry is pulled and run", async (registry, home) => {
  await tagLocal(registry, "20200101-000000");
  await publish(registry, "20300101-000000", false);
  const result = await runDocker([`${registry.host}/app`, ...version], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    "20300101-000000\n",
    "stdout is the container's only, the pull went to stderr",
  );
  assert.match(result.stderr, /20300101-000000/);
  assert.equal((await docker("image", "inspect", `${registry.host}/app:20300101-000000`)).code, 0);
});

test("a newer local tag runs with no request beyond the lookup", async (registry, home) => {
  await publish(registry, "20300101-000000", false);
  await tagLocal(registry, "20400101-000000");
  const before = registry.accessLog().length;
  const result = await runDocker([`${registry.host}/app`, ...version], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "20400101-000000\n");
  const requests = registry.accessLog().slice(before).split("\n").filter((l) => / \/v2\//.test(l));
  assert.ok(requests.length > 0, "the registry was asked");
  for (const line of requests) assert.match(line, /"GET \/v2\/(app\/tags\/list)? HTTP/, line);
});

test(
  "a stopped registry gives one warning and the newest local tag runs",
  async (registry, home) => {
    await tagLocal(registry, "20200101-000000");
    await registry.stop();
    const result = await runDocker([`${registry.host}/app`, ...version], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "20200101-000000\n");
    assert.equal(
      result.stderr,
      `run-docker: warning: registry ${registry.host} unreachable (connection refused); using the newest local image\n`,
    );
  },
);

test("NAME_UNKNOWN with a local image gives a warning and runs it", async (registry, home) => {
  await tagLocal(registry, "20200101-000000");
  const result = await runDocker([`${registry.host}/app`, ...version], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "20200101-000000\n");
  assert.match(
    result.stderr,
    /^run-docker: warning: no repository app on 127\.0\.0\.1:\d+; using the newest local image\n$/,
  );
});

test("--local makes no network call at all (Deno --deny-net)", async (registry, home) => {
  await tagLocal(registry, "20200101-000000");
  await publish(registry, "20300101-000000", false);
  const before = registry.accessLog().length;
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMISSION_FLAGS,
      "--deny-net",
      `${ROOT}dist/run-docker.js`,
      "--local",
      `${registry.host}/app`,
      ...version,
    ],
    clearEnv: true,
    env: baseEnv(home),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  assert.equal(decoder.decode(output.stdout), "20200101-000000\n");
  assert.equal(registry.accessLog().slice(before), "", "the registry was asked");
});

test(
  "--list-tags marks local, remote and both; --resolve names what would run",
  async (registry, home) => {
    await tagLocal(registry, "20200101-000000");
    await publish(registry, "20300101-000000", false);
    await publish(registry, "20250101-000000", true);
    const text = await runDocker(["--list-tags", `${registry.host}/app`], { home });
    assert.equal(text.code, 0, text.stderr);
    assert.equal(
      text.stdout,
      "20300101-000000  remote\n20250101-000000  both\n20200101-000000  local\n",
    );
    const json = await runDocker(["--list-tags", "--json", `${registry.host}/app`], { home });
    assert.deepEqual(JSON.parse(json.stdout).tags[1], {
      tag: "20250101-000000",
      local: true,
      remote: true,
    });
    const resolved = await runDocker(["--resolve", `${registry.host}/app`], { home });
    assert.equal(resolved.stdout, `${registry.host}/app:20300101-000000\n`);
    const resolvedJson = await runDocker([
      "--resolve",
      "--json",
      "--tag-filter",
      "^202[05]",
      `${registry.host}/app`,
    ], {
      home,
    });
    assert.deepEqual(JSON.parse(resolvedJson.stdout), {
      reference: `${registry.host}/app:20250101-000000`,
      source: "both",
      candidates: 2,
      policy: { filter: "^202[05]" },
      registry: "ok",
    });
  },
);
