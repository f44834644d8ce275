/**
 * What run-docker asks the engine about a run's outcome (lib/edge/engine_queries.ts), against a
 * fake docker CLI in a temp dir that logs its argv and answers as told.
 */

import assert from "node:assert/strict";
import { gpuFacts, hasNvidiaRuntime, oomKilled } from "../lib/edge/engine_queries.ts";

/** A fake CLI printing `stdout` and exiting `code`; returns it and a reader of its calls. */
async function fakeCli(dir: string, stdout: string, code = 0) {
  const program = `${dir}/docker`;
  await Deno.writeTextFile(
    program,
    `#!/bin/sh\necho "$*" >> '${dir}/calls'\nprintf '%s' '${stdout}'\nexit ${code}\n`,
    { mode: 0o755 },
  );
  const calls = async () =>
    (await Deno.readTextFile(`${dir}/calls`).catch(() => "")).split("\n").filter(Boolean);
  return { program, calls };
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rd-queries-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ID = "a".repeat(64);
const SPAN = { since: 1_700_000_000_000, until: 1_700_000_012_345 };

Deno.test("oomKilled(): one events call over the run's span, filtered to the container's oom", () =>
  inTemp(async (dir) => {
    const { program, calls } = await fakeCli(dir, "oom\noom\n");
    assert.equal(await oomKilled({ program }, ID, SPAN), true);
    assert.deepEqual(await calls(), [
      `events --since 1700000000.000 --until 1700000012.345 --filter container=${ID} ` +
      "--filter event=oom --format {{.Action}}",
    ]);
  }));

Deno.test("oomKilled(): no event, a failing CLI or a missing one is no OOM", () =>
  inTemp(async (dir) => {
    assert.equal(await oomKilled({ program: (await fakeCli(dir, "")).program }, ID, SPAN), false);
    assert.equal(
      await oomKilled({ program: (await fakeCli(dir, "", 1)).program }, ID, SPAN),
      false,
    );
    assert.equal(await oomKilled({ program: `${dir}/none` }, ID, SPAN), false);
  }));

Deno.test("hasNvidiaRuntime(): an nvidia runtime in docker info's Runtimes", () =>
  inTemp(async (dir) => {
    const yes = await fakeCli(dir, '{"Runtimes":{"nvidia":{},"runc":{}}}');
    assert.equal(await hasNvidiaRuntime({ program: yes.program }), true);
    const no = await fakeCli(dir, '{"Runtimes":{"runc":{}}}');
    assert.equal(await hasNvidiaRuntime({ program: no.program }), false);
    const podman = await fakeCli(dir, '{"host":{"ociRuntime":{"name":"crun"}}}');
    assert.equal(await hasNvidiaRuntime({ program: podman.program }), false);
  }));

Deno.test("gpuFacts(): without nvidia-smi on PATH the engine is not asked", () =>
  inTemp(async (dir) => {
    const { program, calls } = await fakeCli(dir, '{"Runtimes":{"nvidia":{}}}');
    assert.deepEqual(await gpuFacts({ program }, { PATH: dir }, "linux"), { nvidiaSmi: false });
    assert.deepEqual(await calls(), []);
    await Deno.writeTextFile(`${dir}/nvidia-smi`, "#!/bin/sh\n", { mode: 0o755 });
    assert.deepEqual(await gpuFacts({ program }, { PATH: dir }, "linux"), {
      nvidiaSmi: true,
      nvidiaRuntime: true,
    });
    assert.deepEqual(await calls(), ["info --format {{json .}}"]);
  }));
