/**
 * macOS and Windows behaviour (issue 14), pinned on any host: the platform is data here (`os`,
 * an environment as that OS spells it, its paths), never the OS the test runs on.
 *
 * @module
 */

import assert from "node:assert/strict";
import { identifyEngine } from "../lib/edge/engine_kind.ts";
import { gatherHostFacts, readEnvironment } from "../lib/edge/host.ts";
import { expandPath } from "../lib/core/expand_path.ts";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rd-plat-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A fake `docker.exe` that says what it is, as the version probe asks. */
function fakeDocker(dir: string): string {
  const path = `${dir}/docker.exe`;
  Deno.writeTextFileSync(path, "#!/bin/sh\necho 'Docker version 28.0.1, build 068a01e'\n", {
    mode: 0o755,
  });
  return path;
}

Deno.test("Windows: the environment as Windows spells it (Path, not PATH) finds docker.exe, and the home is USERPROFILE", () =>
  withDir(async (dir) => {
    const docker = fakeDocker(dir);
    // What `Deno.env.toObject()` lists in PowerShell and cmd: `Path`, no HOME.
    const environment = readEnvironment("windows", {
      Path: `C:\\Windows\\system32;${dir}`,
      PATHEXT: ".COM;.EXE;.BAT;.CMD",
      USERPROFILE: "C:\\Users\\zepu",
      ProgramData: "C:\\ProgramData",
      Docker_Config: "D:\\docker-config",
    });
    const facts = gatherHostFacts([], environment, "windows");
    assert.equal(facts.os, "windows");
    assert.equal(facts.home, "C:\\Users\\zepu");
    assert.equal(facts.env.DOCKER_CONFIG, "D:\\docker-config");
    assert.equal(facts.env.HOME, undefined);
    // The engine lookup app.ts makes with that same view.
    const engine = await identifyEngine(
      { program: "auto" },
      { env: environment, os: facts.os, uid: facts.uid },
      true,
    );
    assert.equal(engine.program, docker);
    assert.equal(engine.kind?.kind, "docker");
    // `${ProgramData}` in a configured path is the same variable.
    assert.equal(
      expandPath("${ProgramData}\\x", facts.home, environment, "windows"),
      "C:\\ProgramData\\x",
    );
  }));

Deno.test("Linux and macOS: variable names keep their case (Path is not PATH)", () => {
  const environment = readEnvironment("darwin", {
    Path: "/nowhere",
    PATH: "/usr/bin",
    HOME: "/Users/z",
  });
  assert.deepEqual(environment, { Path: "/nowhere", PATH: "/usr/bin", HOME: "/Users/z" });
  assert.equal(gatherHostFacts([], environment, "darwin").home, "/Users/z");
});
