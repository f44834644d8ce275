/**
 * Processes and nothing outliving a run, without an engine: the watchdog
 * (run-docker's hidden mode) against a fake docker CLI, a credential helper
 * that ends before reading its stdin, the container name grammar.
 */

import { until } from "./poll.ts";
import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { UsageError } from "../lib/core/errors.ts";
import { systemCredentialIo } from "../lib/edge/registry/credentials.ts";
import { validateRunRequest } from "../lib/core/request.ts";
import { WATCHDOG_ARG } from "../lib/edge/watchdog.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const decoder = new TextDecoder();

for (const name of ["", "a", "_x", "-x", ".x", "a b", "x/y", "ü1", "a:b"]) {
  Deno.test(`validateRunRequest() rejects --name=${JSON.stringify(name)} as docker would`, () => {
    assert.throws(
      () => validateRunRequest(parseRunRequest([`--name=${name}`, "img"])),
      (e: unknown) =>
        e instanceof UsageError && e.message === `invalid --name value ${JSON.stringify(name)}`,
    );
  });
}

Deno.test("validateRunRequest() takes the names docker takes", () => {
  for (const name of ["ab", "/ab", "a_b.c-1", "0x", "Run-2024.01"]) {
    validateRunRequest(parseRunRequest(["--name", name, "img"]));
  }
});

Deno.test("systemCredentialIo() a helper that exits before reading stdin gives its exit code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const helper = `${dir}/docker-credential-quickfail`;
    await Deno.writeTextFile(helper, "#!/bin/sh\necho broken >&2\nexit 1\n", { mode: 0o755 });
    const warnings: string[] = [];
    const io = systemCredentialIo((m) => warnings.push(m));
    // The helper ends before run-docker writes the server URL: the write meets a broken pipe.
    for (let i = 0; i < 10; i++) {
      const result = await io.runHelper(helper, "x".repeat(1 << 17));
      assert.deepEqual(result, { timedOut: false, code: 1, stdout: "", stderr: "broken\n" });
    }
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A fake docker CLI that logs its arguments, answers `rm --force ID` with ID, and `inspect` with
 * `running` until `kill` was called, then `exited`.
 */
async function fakeDocker(dir: string): Promise<{ program: string; log: string }> {
  const program = `${dir}/docker`;
  const log = `${dir}/calls`;
  await Deno.writeTextFile(
    program,
    `#!/bin/sh\necho "$*" >> '${log}'\n[ "$1" = rm ] && echo "$3"\n` +
      `[ "$1" = kill ] && touch '${dir}/killed'\n` +
      `[ "$1" = inspect ] && { [ -e '${dir}/killed' ] && echo exited || echo running; }\nexit 0\n`,
    { mode: 0o755 },
  );
  return { program, log };
}

/** The container ID in the tests' cidfiles. */
const ID = "c0ffee".padEnd(64, "0");

/** Whether a process catches all the given signal numbers (Linux). */
function catches(pid: number, signals: number[]): boolean {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const mask = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? "0"}`);
  return signals.every((n) => (mask & (1n << BigInt(n - 1))) !== 0n);
}

/** The watchdog for the container whose ID is in `folder`/cid; it removes `folder` at the end. */
function startWatchdog(program: string, folder: string, mode: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--config",
      `${ROOT}deno.json`,
      `--allow-run=${program}`,
      `--allow-read=${folder}`,
      `--allow-write=${folder}`,
      `${ROOT}main.ts`,
      WATCHDOG_ARG,
      program,
      `${folder}/cid`,
      mode,
      folder,
      "run-1",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test({
  name: "the watchdog removes the container once run-docker's pipe closes, deaf to stop signals",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { program, log } = await fakeDocker(dir);
    await Deno.mkdir(`${dir}/run`);
    await Deno.writeTextFile(`${dir}/run/cid`, ID);
    const child = startWatchdog(program, `${dir}/run`, "remove");
    // Once it catches SIGHUP, SIGINT and SIGTERM (Linux: SigCgt in /proc), they must not end it.
    const writer = child.stdin.getWriter();
    assert.ok(await until(() => catches(child.pid, [1, 2, 15]), 10_000), "no signal handlers");
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) child.kill(signal);
    await writer.close(); // as the kernel does when run-docker dies
    const output = await child.output();
    assert.equal(output.code, 0, decoder.decode(output.stderr));
    assert.equal(await Deno.readTextFile(log), `rm --force ${ID}\n`);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["calls", "docker"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the watchdog of a --rm=false run kills the container by its ID and keeps it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { program, log } = await fakeDocker(dir);
    await Deno.mkdir(`${dir}/run`);
    await Deno.writeTextFile(`${dir}/run/cid`, ID);
    const child = startWatchdog(program, `${dir}/run`, "stop");
    await child.stdin.close();
    const output = await child.output();
    assert.equal(output.code, 0, decoder.decode(output.stderr));
    const inspect = `inspect --format {{.State.Status}} ${ID}\n`;
    assert.equal(await Deno.readTextFile(log), `${inspect}kill ${ID}\n${inspect}`);
    assert.equal(await Deno.stat(`${dir}/run`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the watchdog leaves without removing anything after run-docker's byte", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { program, log } = await fakeDocker(dir);
    await Deno.mkdir(`${dir}/run`);
    await Deno.writeTextFile(`${dir}/run/cid`, ID);
    const child = startWatchdog(program, `${dir}/run`, "remove");
    const writer = child.stdin.getWriter();
    await writer.write(new Uint8Array([1]));
    await writer.close();
    const output = await child.output();
    assert.equal(output.code, 0, decoder.decode(output.stderr));
    assert.equal(await Deno.readTextFile(log).catch(() => ""), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
