/**
 * The release workflow (`.github/workflows/release.yml`): every job runs on a runner image GitHub
 * still offers, every compiled target is smoke-tested on its own OS before anything is
 * published, and install.sh runs on macOS as on Linux (issue 14, point 2 and "Proof").
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse } from "yaml";

/**
 * GitHub-hosted runner labels that exist today (actions/runner-images README), for x64 and arm64.
 * Retired, and why a release would wait forever on them: `macos-13` (2025-12-04, #13046),
 * `macos-14` (2026-11-02, #13518), `windows-2019` (2025-06-30, #12045), `ubuntu-20.04`.
 */
const CURRENT_LABELS = new Set([
  "ubuntu-24.04",
  "ubuntu-22.04",
  "ubuntu-24.04-arm",
  "ubuntu-22.04-arm",
  "macos-15",
  "macos-15-intel",
  "macos-26",
  "windows-2022",
  "windows-2025",
  "windows-11-arm",
]);

interface Job {
  "runs-on": string;
  needs?: string | string[];
  strategy?: { matrix: { include?: { target?: string; os: string }[]; target?: string[] } };
  steps: { name?: string; run?: string; shell?: string; if?: string; uses?: string }[];
}

const workflow = parse(
  Deno.readTextFileSync(new URL("../.github/workflows/release.yml", import.meta.url)),
) as { jobs: Record<string, Job> };
const jobs = workflow.jobs;

/** Every label a job may run on: its `runs-on`, or each matrix row's `os`. */
function labels(job: Job): string[] {
  if (!job["runs-on"].includes("${{")) return [job["runs-on"]];
  return (job.strategy?.matrix.include ?? []).map((row) => row.os);
}

/** The jobs `name` waits for, directly or not. */
function ancestors(name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (n: string) => {
    const needs = jobs[n].needs;
    for (const need of needs === undefined ? [] : [needs].flat()) {
      if (!seen.has(need)) (seen.add(need), visit(need));
    }
  };
  visit(name);
  return seen;
}

Deno.test("release.yml: every runs-on label is a runner image GitHub still offers", () => {
  const used = Object.entries(jobs).flatMap(([name, job]) => labels(job).map((l) => [name, l]));
  assert.deepEqual(used.filter(([, label]) => !CURRENT_LABELS.has(label)), []);
});

Deno.test("release.yml: each compiled target is smoke-tested on its own OS and CPU before publishing", () => {
  const targets = jobs.compile.strategy!.matrix.target!;
  const smoke = jobs.smoke.strategy!.matrix.include!;
  assert.deepEqual(smoke.map((row) => row.target).sort(), [...targets].sort());
  const expected: Record<string, string> = {
    "x86_64-unknown-linux-gnu": "ubuntu-24.04",
    "aarch64-unknown-linux-gnu": "ubuntu-24.04-arm",
    "x86_64-apple-darwin": "macos-15-intel",
    "aarch64-apple-darwin": "macos-15",
    "x86_64-pc-windows-msvc": "windows-2022",
  };
  assert.deepEqual(Object.fromEntries(smoke.map((row) => [row.target, row.os])), expected);
  assert.ok(ancestors("publish").has("smoke"));
  assert.ok(ancestors("publish").has("install"));
});

Deno.test("release.yml: the smoke job runs the binary for real: --version, --resolve against its own registry, a run", () => {
  const steps = jobs.smoke.steps;
  const text = steps.map((s) => s.run ?? "").join("\n");
  assert.match(text, /--version/);
  assert.match(text, /registry" serve/);
  assert.match(text, /--resolve 127\.0\.0\.1:5000\/smoke\/app/);
  const linuxRun = steps.find((s) => s.if === "runner.os == 'Linux'");
  assert.match(linuxRun?.run ?? "", /"\$bin" --local smoke\/app sh -c 'exit 3'/);
  const windows = steps.filter((s) => s.if === "runner.os == 'Windows'");
  assert.ok(windows.length > 0 && windows.every((s) => s.shell === "pwsh"));
  // The only --dry-run is its own step: the others must reach the engine or the registry.
  assert.equal(steps.filter((s) => /--dry-run/.test(s.run ?? "")).length, 1);
});

Deno.test("release.yml: install.sh runs on both macOS runners with the release's own files", () => {
  const install = jobs.install;
  assert.deepEqual(labels(install).sort(), ["macos-15", "macos-15-intel"]);
  assert.match(
    install.steps.map((s) => s.run ?? "").join("\n"),
    /sh release\/install\.sh --archive/,
  );
});
