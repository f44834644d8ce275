import assert from "node:assert/strict";
import { extractBinary } from "../lib/edge/release_archive.ts";
import { runCommand } from "../scripts/run_command.ts";
import { stubRelease } from "./release_fixture.ts";

const WIN = "x86_64-pc-windows-msvc";

Deno.test("extractBinary() takes run-docker.exe out of a release zip, and refuses a zip whose binary is a symlink", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-zip-" });
  try {
    await stubRelease("1.1.0", dir);
    const zip = `${dir}/run-docker-${WIN}.zip`;
    const got = await extractBinary(zip, `run-docker-${WIN}`, "run-docker.exe", `${dir}/out.exe`);
    assert.deepEqual(got, { version: "1.1.0" });
    assert.equal(
      await Deno.readTextFile(`${dir}/out.exe`),
      '#!/bin/sh\necho "run-docker 1.1.0 (stub)"\n',
    );

    const work = `${dir}/w/run-docker-${WIN}`;
    await Deno.mkdir(work, { recursive: true });
    await Deno.writeTextFile(`${dir}/victim`, "x");
    await Deno.symlink(`${dir}/victim`, `${work}/run-docker.exe`);
    const made = await runCommand(
      "zip",
      ["-q", "-y", "-r", `${dir}/bad.zip`, `run-docker-${WIN}`],
      {
        cwd: `${dir}/w`,
      },
    );
    assert.equal(made.code, 0, made.stderr);
    await assert.rejects(
      extractBinary(`${dir}/bad.zip`, `run-docker-${WIN}`, "run-docker.exe", `${dir}/bad.exe`),
      /refusing bad\.zip: run-docker-x86_64-pc-windows-msvc\/run-docker\.exe is a symlink, not a regular file/,
    );
    await assert.rejects(
      Deno.lstat(`${dir}/bad.exe`),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
