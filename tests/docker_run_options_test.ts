import assert from "node:assert/strict";
import { DOCKER_RUN_OPTIONS } from "../lib/core/docker_run_options.ts";

/** Reads the options out of `docker run --help`; `undefined` when there is no docker CLI. */
async function helpOptions(): Promise<
  Map<string, { short?: string; takesValue: boolean }> | undefined
> {
  let output: Deno.CommandOutput;
  try {
    // With no engine to ask, the CLI lists every option, not only those the engine supports.
    output = await new Deno.Command("docker", {
      args: ["run", "--help"],
      env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" },
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch {
    return undefined;
  }
  const options = new Map<string, { short?: string; takesValue: boolean }>();
  for (const line of new TextDecoder().decode(output.stdout).split("\n")) {
    const match = /^\s+(?:-([a-zA-Z]), )?--([a-z0-9-]+)(?: ([a-z][a-z0-9-]*))?(?:\s|$)/.exec(line);
    if (match === null || match[2] === "help") continue;
    options.set(match[2], { short: match[1], takesValue: match[3] !== undefined });
  }
  return options;
}

const help = await helpOptions();
const version = help === undefined ? undefined : await (async () => {
  const output = await new Deno.Command("docker", {
    args: ["version", "--format", "{{.Client.Version}}"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(output.stdout).trim();
})();

Deno.test({
  name: "DOCKER_RUN_OPTIONS matches `docker run --help` of the docker CLI on this machine",
  ignore: help === undefined,
  fn() {
    const table = new Map(
      DOCKER_RUN_OPTIONS.map((o) => [o.long, { short: o.short, takesValue: o.takesValue }]),
    );
    const missing = [...help!.keys()].filter((long) => !table.has(long));
    assert.deepEqual(missing, [], `options of docker ${version} missing from the table`);
    for (const [long, expected] of help!) {
      assert.deepEqual(table.get(long), expected, `--${long}`);
    }
    if (version?.startsWith("28.")) {
      const extra = [...table.keys()].filter((long) => !help!.has(long));
      assert.deepEqual(extra, [], "options in the table that docker 28 does not list");
    }
  },
});

Deno.test("DOCKER_RUN_OPTIONS has unique long and short names", () => {
  const longs = DOCKER_RUN_OPTIONS.map((o) => o.long);
  const shorts = DOCKER_RUN_OPTIONS.flatMap((o) => (o.short ? [o.short] : []));
  assert.equal(new Set(longs).size, longs.length);
  assert.equal(new Set(shorts).size, shorts.length);
});
