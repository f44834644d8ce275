import assert from "node:assert/strict";
import { selfUpdate } from "../lib/self_update.ts";
import { withReleases } from "./release_fixture.ts";

const TARGET = "x86_64-unknown-linux-gnu";
const decoder = new TextDecoder();

async function installed(version: string): Promise<{ dir: string; binary: string }> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-installed-" });
  const binary = `${dir}/run-docker`;
  await Deno.writeTextFile(binary, `#!/bin/sh\necho "run-docker ${version} (stub)"\n`, {
    mode: 0o750,
  });
  await Deno.chmod(binary, 0o750);
  return { dir, binary };
}

async function says(binary: string): Promise<string> {
  return decoder.decode((await new Deno.Command(binary, { stdout: "piped" }).output()).stdout);
}

Deno.test("selfUpdate() installs the latest release, keeps the mode, leaves nothing behind", () =>
  withReleases(async (base) => {
    const { dir, binary } = await installed("1.0.0");
    try {
      assert.equal(await selfUpdate({ binary, target: TARGET, base }), "1.1.0");
      assert.equal(await says(binary), "run-docker 1.1.0 (stub)\n");
      assert.equal((await Deno.stat(binary)).mode! & 0o777, 0o750);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
      assert.equal(await selfUpdate({ binary, target: TARGET, base, version: "1.0.0" }), "1.0.0");
      assert.equal(await says(binary), "run-docker 1.0.0 (stub)\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

Deno.test("selfUpdate() refuses a checksum mismatch and touches nothing", () =>
  withReleases(async (base) => {
    const { dir, binary } = await installed("1.0.0");
    try {
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base, version: "6.6.6" }),
        /checksum mismatch/,
      );
      assert.equal(await says(binary), "run-docker 1.0.0 (stub)\n");
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));

Deno.test("selfUpdate() from a local archive needs no network; --local without one is an error", () =>
  withReleases(async (base, releases) => {
    const { dir, binary } = await installed("1.0.0");
    const offline = (url: string): Promise<Response> =>
      Promise.reject(new Error(`network used: ${url}`));
    try {
      const archive = `${releases}/v1.1.0/run-docker-${TARGET}.tar.gz`;
      assert.equal(
        await selfUpdate({ binary, target: TARGET, base, archive, local: true, fetch: offline }),
        "1.1.0",
      );
      assert.equal(await says(binary), "run-docker 1.1.0 (stub)\n");
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base, local: true, fetch: offline }),
        /--local forbids it/,
      );
      const other = `${releases}/v1.1.0/run-docker-aarch64-unknown-linux-gnu.tar.gz`;
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base, archive: other, fetch: offline }),
        /run-docker-aarch64-unknown-linux-gnu\.tar\.gz is not the archive for this system/,
      );
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base: "http://127.0.0.1:1" }),
        /cannot download/,
      );
      assert.equal(await says(binary), "run-docker 1.1.0 (stub)\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));
