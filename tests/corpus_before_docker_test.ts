/**
 * Point 16: what docker would answer with its own multi-line text (an unknown
 * option, a bind source that does not exist) or get silently wrong (a file
 * mounted as DATADIR) is one `run-docker: error:` line and a hint, exit 125,
 * before the engine is asked anything. The program as shipped, a fake engine.
 */

import assert from "node:assert/strict";
import {
  type Case,
  type Harness,
  openHarness,
  problems,
  programMissing,
  runCase,
} from "./corpus_harness.ts";

type Row = [name: string, c: Omit<Case, "label">, stderr: RegExp[] | "runs"];
const HOME = "<HOME>";
const rows: Row[] = [
  ["an unknown --option", { argv: ["--local", "--bogus", "app:1.0"] }, [
    /^run-docker: error: unknown option "--bogus": neither run-docker's nor docker run's$/,
    /^hint: see 'run-docker --help' and 'docker run --help'$/,
  ]],
  ["a misspelled option, with a did-you-mean", {
    argv: ["--local", "--memroy", "4g", "app:1.0"],
  }, [/^run-docker: error: unknown option "--memroy"/, /^hint: did you mean --memory\? /]],
  ["an unknown letter in grouped short flags", { argv: ["--local", "-itZ", "app:1.0"] }, [
    /^run-docker: error: unknown shorthand flag: "Z" in "-itZ"$/,
    /^hint: see 'run-docker --help'/,
  ]],
  ["a boolean docker option with a value that is not one", {
    argv: ["--local", "--privileged=sure", "app:1.0"],
  }, [/^run-docker: error: invalid boolean value "sure" for --privileged$/, /^hint: /]],
  ["a regular file at ~/work/data", {
    argv: ["--local", "app:1.0", "true"],
    files: { "work/data": "x" },
  }, [
    /^run-docker: error: data directory "<HOME>\/work\/data" is a file, not a directory$/,
    /^hint: move the file away, or mount another with --hostdatadir DIR \(--hostdatadir no: none\)$/,
  ]],
  ["a dangling symlink at ~/work/data", {
    argv: ["--local", "app:1.0", "true"],
    symlinks: { "work/data": "/nonexistent/disk/data" },
  }, [
    /^run-docker: error: data directory "<HOME>\/work\/data" is a symlink to "\/nonexistent\/disk\/data", which does not exist$/,
    /^hint: create the link's target \(a mounted disk\?\), remove the link, or mount another with --hostdatadir DIR/,
  ]],
  ["a dangling symlink at ~/work/log, under --dry-run too", {
    argv: ["--local", "--dry-run", "app:1.0"],
    symlinks: { "work/log": "gone" },
  }, [
    /^run-docker: error: log directory "<HOME>\/work\/log" is a symlink to "gone", which does not exist$/,
    /^hint: .* --hostlogdir DIR/,
  ]],
  ["~/work itself a file", { argv: ["--local", "app:1.0"], files: { work: "x" } }, [
    /^run-docker: error: data directory "<HOME>\/work\/data" cannot be made: "<HOME>\/work" is a file, not a directory$/,
    /^hint: /,
  ]],
  ["a file at the configured work root's data", {
    argv: ["--local", "app:1.0"],
    files: { "w/data": "x" },
    env: { RUN_DOCKER_WORKDIR: `${HOME}/w` },
  }, [/^run-docker: error: data directory "<HOME>\/w\/data" is a file/, /^hint: /]],
  ["--hostlogdir naming a file", {
    argv: ["--local", "--hostlogdir", "~/notes.txt", "app:1.0"],
    files: { "notes.txt": "x" },
  }, [/^run-docker: error: log directory "<HOME>\/notes.txt" is a file/, /^hint: /]],
  ["--hostdatadir no with a file at ~/work/data", {
    argv: ["--local", "--hostdatadir", "no", "app:1.0", "true"],
    files: { "work/data": "x" },
  }, "runs"],
  ["a symlink to a directory at ~/work/data", {
    argv: ["--local", "app:1.0", "true"],
    files: { "disk/.keep": "" },
    symlinks: { "work/data": "../disk" },
  }, "runs"],
];

let harness: Harness | undefined;
for (const [i, [name, c, expected]] of rows.entries()) {
  const runs = expected === "runs";
  Deno.test({
    name: `run-docker ${runs ? "runs with" : "stops before docker on"} ${name}`,
    ignore: Deno.env.get("RUN_DOCKER_E2E") === "skip",
    fn: async () => {
      const missing = programMissing();
      if (missing) throw new Error(missing);
      harness ??= await openHarness();
      const home = `${harness.base}/home-${i}`;
      const env = Object.fromEntries(
        Object.entries(c.env ?? {}).map(([k, v]) => [k, v.replace(HOME, home)]),
      );
      const o = await runCase(harness, i, { ...c, env, label: name });
      assert.deepEqual(problems(o), []);
      if (runs) {
        assert.equal(o.code, 0, o.stderr);
        assert.ok(o.calls.some((call) => call[0] === "run"));
        return;
      }
      assert.equal(o.code, 125);
      const lines = o.stderr.replaceAll(home, HOME).trimEnd().split("\n");
      assert.equal(lines.length, 2, o.stderr);
      for (const [k, pattern] of expected.entries()) assert.match(lines[k], pattern);
      assert.deepEqual(o.calls, [], "the engine was asked something");
      assert.deepEqual(o.after, o.before, "HOME changed");
    },
  });
}

Deno.test({
  name: "run-docker --list-tags is not stopped by a file at ~/work/data (it mounts nothing)",
  ignore: Deno.env.get("RUN_DOCKER_E2E") === "skip",
  fn: async () => {
    const missing = programMissing();
    if (missing) throw new Error(missing);
    harness ??= await openHarness();
    try {
      const o = await runCase(harness, rows.length, {
        label: "list-tags",
        argv: ["--local", "--list-tags", "app"],
        files: { "work/data": "x" },
      });
      assert.equal(o.code, 0, o.stderr);
      assert.match(o.stdout, /^2\.0\s+local$/m);
    } finally {
      await Deno.remove(harness.base, { recursive: true });
    }
  },
});
