import assert from "node:assert/strict";
import { startScript } from "./poll.ts";
import { RunDockerError } from "../lib/core/errors.ts";
import { selfUpdate, UPDATE_LIMITS } from "../lib/edge/self_update.ts";
import { type Hostile, hostileArchive, withReleases } from "./release_fixture.ts";

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

Deno.test("selfUpdate() refuses an archive whose binary is a link, FIFO or repeated, or that holds ../ or absolute names, and chmods nothing", async () => {
  const kinds: [Hostile, RegExp][] = [
    ["symlink", /run-docker is a symlink, not a regular file/],
    ["hardlink", /run-docker is a link, not a regular file/],
    ["fifo", /run-docker is a fifo, not a regular file/],
    ["twice", /run-docker appears twice/],
    ["dotdot", /"run-docker-x86_64-unknown-linux-gnu\/\.\.\/escaped" is a \.\.\/ path/],
    ["absolute", /is an absolute path/],
  ];
  const { dir, binary } = await installed("1.0.0");
  const scratch = await Deno.makeTempDir({ prefix: "run-docker-hostile-" });
  const offline = (url: string): Promise<Response> =>
    Promise.reject(new Error(`network used: ${url}`));
  try {
    for (const [kind, message] of kinds) {
      const victim = `${scratch}/victim-${kind}`;
      await Deno.writeTextFile(victim, "#!/bin/sh\necho run-docker 1.1.0\n");
      await Deno.chmod(victim, 0o600);
      const out = await Deno.makeTempDir({ dir: scratch });
      const archive = await hostileArchive(out, TARGET, kind, victim);
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base: "http://127.0.0.1:1", archive, fetch: offline }),
        (error: Error) => {
          assert.ok(error instanceof RunDockerError, `${kind}: ${error.stack}`);
          assert.match(error.message, message, kind);
          assert.match(error.message, /^refusing run-docker-x86_64-unknown-linux-gnu\.tar\.gz: /);
          return true;
        },
      );
      assert.equal((await Deno.lstat(victim)).mode! & 0o777, 0o600, `${kind}: victim's mode`);
      assert.equal(await Deno.readTextFile(victim), "#!/bin/sh\necho run-docker 1.1.0\n");
      assert.equal(await says(binary), "run-docker 1.0.0 (stub)\n", kind);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"], kind);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("selfUpdate() caps downloads: an archive over the cap, a latest.json over 1 MiB (streamed, no length)", async () => {
  const padded = async (dir: string) => {
    const json = await Deno.readTextFile(`${dir}/v1.1.0/latest.json`);
    // Valid JSON, 2 MiB of it blank: a reader without a cap takes it.
    return new Response(
      new Blob([" ".repeat(2 * 1024 * 1024), json]).stream().pipeThrough(new TransformStream()),
    );
  };
  let releases = "";
  await withReleases(async (base, dir) => {
    releases = dir;
    const { dir: bin, binary } = await installed("1.0.0");
    try {
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base }),
        new RunDockerError(
          `${base}/latest/download/latest.json is larger than 1 MiB`,
          "it is not a run-docker release; check RUN_DOCKER_DOWNLOAD_URL",
        ),
      );
      const limits = { ...UPDATE_LIMITS, archiveBytes: 1024 };
      await assert.rejects(
        selfUpdate({ binary, target: TARGET, base, version: "1.0.0", limits }),
        /run-docker-x86_64-unknown-linux-gnu\.tar\.gz is larger than 1024 bytes \(\d+ bytes\)/,
      );
      assert.equal(await says(binary), "run-docker 1.0.0 (stub)\n");
      assert.deepEqual([...Deno.readDirSync(bin)].map((e) => e.name), ["run-docker"]);
    } finally {
      await Deno.remove(bin, { recursive: true });
    }
  }, { "/latest/download/latest.json": () => padded(releases) });
  assert.equal(UPDATE_LIMITS.archiveBytes, 200 * 1024 * 1024);
  assert.equal(UPDATE_LIMITS.textBytes, 1024 * 1024);
});

Deno.test("selfUpdate() says plainly that a latest.json of null or of the wrong shape is not a release", async () => {
  const bodies = [
    ["null", "it is null, not an object"],
    ["[]", "it is an array, not an object"],
    ['"1.1.0"', "it is a string, not an object"],
    ['{"version": 1}', "it has no version"],
    ['{"version": "1.1.0", "targets": null}', "it has no targets"],
    [
      `{"version": "1.1.0", "targets": {"${TARGET}": null}}`,
      `its entry for ${TARGET} has no asset and sha256`,
    ],
  ];
  for (const [body, why] of bodies) {
    await withReleases(async (base) => {
      const { dir, binary } = await installed("1.0.0");
      try {
        await assert.rejects(
          selfUpdate({ binary, target: TARGET, base }),
          new RunDockerError(
            `latest.json of ${base} is not a release description: ${why}`,
            "check RUN_DOCKER_DOWNLOAD_URL",
          ),
        );
        assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }, { "/latest/download/latest.json": () => new Response(body) });
  }
});

Deno.test("selfUpdate() stopped by SIGTERM while downloading: the stage is removed, the binary kept, exit 143", async () => {
  const { dir, binary } = await installed("1.0.0");
  const scripts = await Deno.makeTempDir({ prefix: "run-docker-update-script-" });
  const script = `${scripts}/update.ts`;
  const latest = JSON.stringify({
    version: "1.1.0",
    targets: { [TARGET]: { asset: `run-docker-${TARGET}.tar.gz`, sha256: "0".repeat(64) } },
  });
  // latest.json answers; the archive's download hangs (a stalled server) once the stage exists.
  await Deno.writeTextFile(
    script,
    `import { selfUpdate } from ${
      JSON.stringify(new URL("../lib/edge/self_update.ts", import.meta.url).href)
    };
const fake = (url: string): Promise<Response> => {
  if (url.endsWith("/latest.json")) return Promise.resolve(new Response(${JSON.stringify(latest)}));
  console.log("downloading");
  return new Promise((resolve) => setTimeout(() => resolve(new Response("late")), 60_000));
};
await selfUpdate({ binary: ${
      JSON.stringify(binary)
    }, target: "${TARGET}", base: "http://127.0.0.1:1", fetch: fake });
`,
  );
  try {
    const { child, done } = await startScript(script, "downloading");
    assert.equal([...Deno.readDirSync(dir)].length, 2, "the stage exists while downloading");
    child.kill("SIGTERM");
    await done();
    const status = await child.status;
    assert.deepEqual({ code: status.code, signal: status.signal }, { code: 143, signal: null });
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["run-docker"]);
    assert.equal(await says(binary), "run-docker 1.0.0 (stub)\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(scripts, { recursive: true });
  }
});

Deno.test("selfUpdate() refuses an archive without VERSION whose binary does not run", async () => {
  const { dir, binary } = await installed("1.0.0");
  try {
    const top = `run-docker-${TARGET}`;
    await Deno.mkdir(`${dir}/pack/${top}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/pack/${top}/run-docker`, "#!/bin/sh\nexit 1\n", {
      mode: 0o755,
    });
    const archive = `${dir}/${top}.tar.gz`;
    const tar = await new Deno.Command("tar", { args: ["-C", `${dir}/pack`, "-czf", archive, top] })
      .output();
    assert.ok(tar.success);
    const sum = await new Deno.Command("sha256sum", { args: [`${top}.tar.gz`], cwd: dir }).output();
    await Deno.writeFile(`${dir}/SHA256SUMS`, sum.stdout);
    const offline = (url: string): Promise<Response> =>
      Promise.reject(new Error(`network used: ${url}`));
    await assert.rejects(
      selfUpdate({ binary, target: TARGET, base: "https://x.invalid", archive, fetch: offline }),
      /the new binary does not say version/,
    );
    assert.equal(await says(binary), "run-docker 1.0.0 (stub)\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
