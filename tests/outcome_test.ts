/**
 * How a run ends, in run-docker's words (lib/core/outcome.ts): out of memory (exit 137 kept),
 * no GPUs on the engine, and the `gpus: auto` decision table, alone and through `decideRun`.
 */

import assert from "node:assert/strict";
import { decideRun, type RunFacts } from "../lib/core/decide_run.ts";
import { formatError } from "../lib/core/errors.ts";
import {
  decideGpus,
  type GpuFacts,
  gpusQuestion,
  gpusUnavailable,
  OutOfMemoryError,
} from "../lib/core/outcome.ts";
import { GIVEN, type Given, lookup } from "./decide_fixtures.ts";

Deno.test("OutOfMemoryError: one line naming the limit, a hint on -m/memory:, exit 137", () => {
  assert.deepEqual(formatError(new OutOfMemoryError("256m")), {
    lines: [
      "run-docker: error: the container ran out of memory (limit 256m)",
      "hint: give it more with -m/--memory SIZE (e.g. -m 16g) or `memory:` in the configuration; " +
      "--explain shows where the limit came from",
    ],
    exitCode: 137,
  });
  assert.equal(new OutOfMemoryError(undefined).exitCode, 137);
  assert.equal(
    new OutOfMemoryError(undefined).message,
    "the container ran out of memory (no limit set: the host's memory)",
  );
});

Deno.test("gpusUnavailable(): one line naming --gpus and a hint on the toolkit, exit 125", () => {
  assert.deepEqual(formatError(gpusUnavailable("all")), {
    lines: [
      "run-docker: error: the engine cannot give the container GPUs (--gpus all): it has no NVIDIA runtime",
      "hint: install the NVIDIA Container Toolkit on the engine's host and restart the engine " +
      "(docker info lists an nvidia runtime then), or drop --gpus and `gpus:`",
    ],
    exitCode: 125,
  });
});

const DECISIONS: [string, string | undefined, GpuFacts | undefined, string | undefined, string?][] =
  [
    [
      "auto, nvidia-smi and an nvidia runtime",
      "auto",
      { nvidiaSmi: true, nvidiaRuntime: true },
      "all",
      "gpus: auto: --gpus all (nvidia-smi is on PATH and the engine has an nvidia runtime)",
    ],
    [
      "auto, nvidia-smi, no nvidia runtime",
      "auto",
      { nvidiaSmi: true, nvidiaRuntime: false },
      undefined,
      "gpus: auto: no --gpus (nvidia-smi is on PATH, but the engine has no nvidia runtime)",
    ],
    [
      "auto, no nvidia-smi (the engine not asked)",
      "auto",
      { nvidiaSmi: false },
      undefined,
      "gpus: auto: no --gpus (nvidia-smi is not on PATH)",
    ],
    [
      "auto, not asked (--emit: elsewhere)",
      "auto",
      undefined,
      undefined,
      "gpus: auto: no --gpus (the engine that runs it decides)",
    ],
    ["all, whatever the host", "all", { nvidiaSmi: false }, "all"],
    ["device=0", "device=0", undefined, "device=0"],
    ["unset", undefined, { nvidiaSmi: true, nvidiaRuntime: true }, undefined],
  ];
for (const [name, setting, facts, gpus, why] of DECISIONS) {
  Deno.test(`decideGpus(): ${name}`, () => {
    assert.deepEqual(decideGpus(setting, facts), {
      ...(gpus === undefined ? {} : { gpus }),
      ...(why === undefined ? {} : { why }),
    });
  });
}

Deno.test("gpusQuestion(): only auto, without --gpus, for a run here", () => {
  assert.equal(gpusQuestion("auto", false, false), true);
  assert.equal(gpusQuestion("auto", true, false), false, "--gpus given");
  assert.equal(gpusQuestion("auto", false, true), false, "--emit, --list-tags, --resolve");
  assert.equal(gpusQuestion("all", false, false), false);
  assert.equal(gpusQuestion(undefined, false, false), false);
});

/** decideRun with these GPU facts. */
function run(argv: string[], gpus: GpuFacts | undefined, given: Given = {}) {
  const facts: RunFacts = {
    version: "0.1.0",
    engine: "docker",
    found: GIVEN,
    nonce: "9f3a",
    notebookToken: "t0ken",
    gpus,
  };
  return decideRun(lookup(argv, given), facts);
}
const argsOf = (action: ReturnType<typeof run>) =>
  action.kind === "run" ? action.plan.args : action.kind === "print" ? action.stdout : "";

Deno.test("decideRun(): the default gpus: auto adds --gpus all only where GPUs are", () => {
  const image = "zppz/app:20210502-002343";
  const gpuHost = { nvidiaSmi: true, nvidiaRuntime: true };
  const withGpus = run([image, "true"], gpuHost);
  assert.ok(withGpus.kind === "run");
  assert.deepEqual(withGpus.plan.spec.gpus, "all");
  assert.ok(withGpus.plan.args.join(" ").includes("--gpus all"));
  assert.equal(withGpus.gpus, "all", "kept for the report of a refused --gpus");
  for (const facts of [{ nvidiaSmi: false }, { nvidiaSmi: true, nvidiaRuntime: false }]) {
    const action = run([image, "true"], facts);
    assert.ok(!argsOf(action).includes("--gpus"));
    assert.equal(action.kind === "run" && action.gpus, undefined);
  }
  // --explain says which and why; --dry-run prints what the run would do.
  const explained = run(["--dry-run", "--explain", image, "true"], gpuHost);
  assert.ok(explained.kind === "print");
  assert.match(explained.stdout, / --gpus all /);
  assert.match(
    explained.stderr ?? "",
    /run-docker: explain: gpus: auto: --gpus all \(nvidia-smi is on PATH and the engine has an nvidia runtime\)\n/,
  );
  // The user's --gpus wins and auto says nothing.
  const given = run(["--dry-run", "--explain", "--gpus", "device=1", image, "true"], undefined);
  assert.ok(given.kind === "print");
  assert.match(given.stdout, / --gpus device=1 /);
  assert.doesNotMatch(given.stderr ?? "", /gpus: auto/);
  // A file for elsewhere gets no --gpus from this host's facts.
  const emitted = run(["--emit", "compose", image, "true"], gpuHost);
  assert.equal(emitted.kind, "emit");
});

Deno.test("decideRun(): the memory limit in effect is kept for an out-of-memory report", () => {
  const image = "zppz/app:20210502-002343";
  const byDefault = run([image, "true"], { nvidiaSmi: false });
  assert.equal(byDefault.kind === "run" && byDefault.memory, "12g");
  const given = run(["-m", "256m", image, "true"], { nvidiaSmi: false });
  assert.equal(given.kind === "run" && given.memory, "256m");
  const configured = run([image, "true"], { nvidiaSmi: false }, { config: [[["memory"], "3g"]] });
  assert.equal(configured.kind === "run" && configured.memory, "3g");
});
