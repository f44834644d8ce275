/**
 * End to end: how a run ends, in run-docker's words. A container killed for want of memory (exit
 * 137 kept, nothing left behind, the engine asked only after a 137), `--gpus all` on an engine
 * without the NVIDIA runtime, the default `gpus: auto` with a fake `nvidia-smi` and fake engine
 * facts, and a pinned tag that is neither local nor on the registry (one message, no docker
 * text), with a real registry on 127.0.0.1.
 */

import assert from "node:assert/strict";
import { docker, e2e, ignore, runDocker, unreachable, withHome } from "./e2e_helpers.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./registry_fixture.ts";
import { buildTestImages } from "./test_image.ts";

const IMAGE = "outcome-e2e/app";
const TAG = "1";
const REF = `${IMAGE}:${TAG}`;
if (!ignore && unreachable === undefined) {
  await buildTestImages(IMAGE, [TAG]);
  globalThis.addEventListener("unload", () => {
    new Deno.Command("docker", { args: ["rmi", "-f", REF], stdout: "null", stderr: "null" })
      .outputSync();
  });
}

/** Allocates ~200 MB in the shell: far over a 64 MiB limit (swap pinned to the same). */
const HOG = ["sh", "-c", 'x=$(busybox head -c 200000000 /dev/zero | busybox tr "\\0" a); echo no'];
const TIGHT = ["-m", "64m", "--memory-swap", "64m"];

/**
 * A docker CLI that logs each argv (one line, the arguments joined by spaces) and then runs the
 * real one; `info` answers with an nvidia runtime when `nvidia` is set.
 */
async function loggingDocker(dir: string, nvidia = false): Promise<string> {
  const real = await new Deno.Command("sh", { args: ["-c", "command -v docker"] }).output();
  const path = new TextDecoder().decode(real.stdout).trim();
  const info = nvidia
    ? `if [ "$1" = info ]; then echo '{"Runtimes":{"nvidia":{"path":"nvidia-container-runtime"},"runc":{"path":"runc"}}}'; exit 0; fi\n`
    : "";
  const wrapper = `${dir}/docker`;
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\necho "$*" >> '${dir}/calls'\n${info}exec '${path}' "$@"\n`,
    { mode: 0o755 },
  );
  return wrapper;
}

async function calls(dir: string): Promise<string[]> {
  const text = await Deno.readTextFile(`${dir}/calls`).catch(() => "");
  return text.split("\n").filter((line) => line !== "");
}

async function containersNamed(name: string): Promise<string> {
  const result = await docker("ps", "-a", "--filter", `name=^/${name}$`, "--format", "{{.ID}}");
  return result.stdout.trim();
}

e2e("out of memory: one error naming the limit, exit 137, nothing left behind", async () => {
  await withHome("oom", async (home) => {
    const name = `outcome-oom-${crypto.randomUUID().slice(0, 8)}`;
    const wrapper = await loggingDocker(home);
    const env = { RUN_DOCKER_ENGINE: wrapper };
    const result = await runDocker([...TIGHT, "--name", name, REF, ...HOG], { home, env });
    assert.equal(result.code, 137, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      "run-docker: error: the container ran out of memory (limit 64m)\n" +
        "hint: give it more with -m/--memory SIZE (e.g. -m 16g) or `memory:` in the " +
        "configuration; --explain shows where the limit came from\n",
    );
    assert.equal(await containersNamed(name), "", "the container is gone (--rm)");
    assert.ok((await calls(home)).some((c) => c.startsWith("events ")), "the engine was asked");
  });
});

e2e("a normal end, and a 137 that is no OOM, stay silent; only a 137 asks the engine", async () => {
  await withHome("no-oom", async (home) => {
    const wrapper = await loggingDocker(home);
    const env = { RUN_DOCKER_ENGINE: wrapper };
    const normal = await runDocker([...TIGHT, REF, "sh", "-c", "exit 3"], { home, env });
    assert.equal(normal.code, 3, normal.stderr);
    assert.equal(normal.stderr, "");
    assert.ok(!(await calls(home)).some((c) => c.startsWith("events ")), "no question asked");
    const killed = await runDocker([...TIGHT, REF, "sh", "-c", "kill -9 $$"], { home, env });
    assert.equal(killed.code, 137, killed.stderr);
    assert.equal(killed.stderr, "", "a SIGKILL that is not the OOM killer's says nothing");
  });
});

e2e("out of memory with --rm=false: reported, and the container is kept as asked", async () => {
  await withHome("oom-keep", async (home) => {
    const name = `outcome-oomkeep-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const result = await runDocker(
        [...TIGHT, "--rm=false", "--name", name, REF, ...HOG],
        { home },
      );
      assert.equal(result.code, 137, result.stderr);
      assert.match(
        result.stderr,
        /^run-docker: error: the container ran out of memory \(limit 64m\)\n/,
      );
      const state = await docker("inspect", "--format", "{{.State.OOMKilled}}", name);
      assert.equal(state.stdout.trim(), "true", "kept, as --rm=false asks");
    } finally {
      await docker("rm", "-f", name);
    }
  });
});

e2e("--gpus all on an engine without the NVIDIA runtime: run-docker's line and hint", async () => {
  await withHome("gpus", async (home) => {
    const name = `outcome-gpus-${crypto.randomUUID().slice(0, 8)}`;
    const result = await runDocker(["--gpus", "all", "--name", name, REF, "true"], { home });
    assert.equal(result.code, 125, result.stderr);
    const lines = result.stderr.trimEnd().split("\n");
    assert.deepEqual(lines.slice(-2), [
      "run-docker: error: the engine cannot give the container GPUs (--gpus all): it has no NVIDIA runtime",
      "hint: install the NVIDIA Container Toolkit on the engine's host and restart the engine " +
      "(docker info lists an nvidia runtime then), or drop --gpus and `gpus:`",
    ]);
    assert.equal(await containersNamed(name), "", "nothing left behind");
    for (const dir of ["data", "log"]) {
      assert.ok(!(await Deno.stat(`${home}/work/${dir}`).catch(() => undefined)), `no ${dir}`);
    }
  });
});

e2e(
  "an image without CMD or ENTRYPOINT and no command: run-docker says so, not 'the options'",
  async () => {
    await withHome("nocmd", async (home) => {
      const name = `outcome-nocmd-${crypto.randomUUID().slice(0, 8)}`;
      const result = await runDocker(["--name", name, REF], { home });
      assert.equal(result.code, 125, result.stderr);
      assert.deepEqual(result.stderr.trimEnd().split("\n").slice(-2), [
        `run-docker: error: ${REF} has no default command (no CMD or ENTRYPOINT in the image)`,
        `hint: give the command after IMAGE, e.g. run-docker ${REF} sh`,
      ]);
      assert.equal(await containersNamed(name), "", "nothing left behind");
      // A command, or docker's --entrypoint, is enough.
      const given = await runDocker(["--entrypoint", "true", REF], { home });
      assert.equal(given.code, 0, given.stderr);
    });
  },
);

e2e("gpus: auto (the default): --gpus all with nvidia-smi and an nvidia runtime", async () => {
  await withHome("gpus-auto", async (home) => {
    const bin = `${home}/bin`;
    await Deno.mkdir(bin);
    await Deno.writeTextFile(`${bin}/nvidia-smi`, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const wrapper = await loggingDocker(home, true);
    const path = `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
    const args = ["--dry-run", "--explain", REF, "true"];
    const withSmi = await runDocker(args, {
      home,
      env: { RUN_DOCKER_ENGINE: wrapper, PATH: path },
    });
    assert.equal(withSmi.code, 0, withSmi.stderr);
    assert.match(withSmi.stdout, / --gpus all /);
    assert.match(
      withSmi.stderr,
      /^run-docker: explain: gpus: auto: --gpus all \(nvidia-smi is on PATH and the engine has an nvidia runtime\)$/m,
    );
    assert.equal((await calls(home)).filter((c) => c.startsWith("info ")).length, 1);

    // No nvidia-smi on PATH: no --gpus, and the engine is not asked.
    await Deno.remove(`${home}/calls`);
    const without = await runDocker(args, { home, env: { RUN_DOCKER_ENGINE: wrapper } });
    assert.equal(without.code, 0, without.stderr);
    assert.doesNotMatch(without.stdout, /--gpus/);
    assert.match(
      without.stderr,
      /^run-docker: explain: gpus: auto: no --gpus \(nvidia-smi is not on PATH\)$/m,
    );
    assert.ok(!(await calls(home)).some((c) => c.startsWith("info ")), "no info call");
  });
});

// A pinned tag that is neither local nor on the registry.
const skipRegistry = ignore || unreachable !== undefined || !registryAvailable();

function registryTest(name: string, fn: (registry: TestRegistry, home: string) => Promise<void>) {
  Deno.test({
    name: `e2e: ${name}`,
    ignore: skipRegistry,
    fn: () =>
      withHome("pinned", async (home) => {
        const registry = await startRegistry();
        try {
          await fn(registry, home);
        } finally {
          await registry.stop();
        }
      }),
  });
}

async function publish(registry: TestRegistry, tag: string): Promise<string> {
  const ref = `${registry.host}/outcome:${tag}`;
  for (const args of [["tag", REF, ref], ["push", ref], ["rmi", ref]]) {
    const result = await docker(...args);
    assert.equal(result.code, 0, result.stderr);
  }
  return ref;
}

registryTest(
  "a pinned tag on no registry: exactly run-docker's two lines, exit 125",
  async (registry, home) => {
    await publish(registry, "1");
    const result = await runDocker([`${registry.host}/outcome:nope`, "true"], { home });
    assert.equal(result.code, 125, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      `run-docker: error: image ${registry.host}/outcome:nope is neither local nor on registry ${registry.host}\n` +
        `hint: see the tags there with 'run-docker --list-tags ${registry.host}/outcome', or push ${registry.host}/outcome:nope first\n`,
    );
    assert.ok(!(await Deno.stat(`${home}/work/data`).catch(() => undefined)), "no data folder");
  },
);

registryTest("a pinned tag and a stopped registry: two lines saying so", async (registry, home) => {
  const host = registry.host;
  await registry.stop();
  const result = await runDocker([`${host}/outcome:nope`, "true"], { home });
  assert.equal(result.code, 125, result.stderr);
  assert.equal(
    result.stderr,
    `run-docker: error: image ${host}/outcome:nope is not local, and registry ${host} is unreachable (connection refused)\n` +
      `hint: check the network and the registry login ('docker login ${host}'), or run a local tag ('run-docker --list-tags --local ${host}/outcome')\n`,
  );
});

registryTest("a pinned tag only on the registry is pulled and runs", async (registry, home) => {
  const ref = await publish(registry, "2");
  try {
    const result = await runDocker([ref, "sh", "-c", 'echo "$IMAGE_VERSION"'], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "2\n");
  } finally {
    await docker("rmi", ref);
  }
});

registryTest(
  "--local and a pinned tag that is not local: one message, no network",
  async (registry, home) => {
    await publish(registry, "1");
    const before = registry.accessLog().length;
    const ref = `${registry.host}/outcome:1`;
    const result = await runDocker(["--local", ref, "true"], { home });
    assert.equal(result.code, 125, result.stderr);
    assert.equal(
      result.stderr,
      `run-docker: error: image ${ref} is not local (--local)\n` +
        `hint: --local never pulls: run once without --local to pull it, or 'docker pull ${ref}', 'docker load -i FILE' or build it\n`,
    );
    assert.equal(registry.accessLog().slice(before), "", "the registry was not asked");
  },
);
