/**
 * End to end: `docker pull`'s progress. With stderr on a terminal (a pseudo-terminal from
 * util-linux `script`) docker gets that terminal for its per-layer progress, drawn with cursor
 * moves, while stdout (a file here) is the container's only. Off a terminal: docker's short
 * summary, no cursor moves. docker's `-q`/`--quiet`: nothing of the pull at all.
 *
 * The registry is Debian's `docker-registry` on 127.0.0.1 (tests/registry_fixture.ts).
 */

import assert from "node:assert/strict";
import { baseEnv, docker, ignore, program, runDocker, withHome } from "./e2e_helpers.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./registry_fixture.ts";
import { buildTestImages } from "./test_image.ts";
import { quoteCommand } from "../lib/core/shell_quote.ts";

const hasScript = (() => {
  try {
    return Deno.statSync("/usr/bin/script").isFile;
  } catch {
    return false;
  }
})();
const skip = ignore || !registryAvailable() || !hasScript;

/** docker's cursor-up, drawn only when its stdout is a terminal. */
const CURSOR_UP = "\u001b[1A";

function test(name: string, fn: (ref: string, home: string) => Promise<void>) {
  Deno.test({
    name: `e2e pull progress: ${name}`,
    ignore: skip,
    fn: () =>
      withHome("h", async (home) => {
        const registry: TestRegistry = await startRegistry();
        const ref = `${registry.host}/app:1`;
        // An image of its own, gone from the engine once pushed: its layer is really pulled.
        const seed = `e2e-pull-${crypto.randomUUID().slice(0, 6)}/seed:1`;
        await buildTestImages(seed.slice(0, -2), ["1"]);
        try {
          for (const args of [["tag", seed, ref], ["push", ref], ["rmi", ref, seed]]) {
            const result = await docker(...args);
            assert.equal(result.code, 0, result.stderr);
          }
          await fn(ref, home);
        } finally {
          await docker("rmi", "-f", ref, seed);
          await registry.stop();
        }
      }),
  });
}

/**
 * Runs run-docker in a pseudo-terminal (`script`), its stdout to `out`: returns what the
 * terminal showed (stderr) and the exit code.
 */
async function onTerminal(args: string[], home: string, out: string) {
  const [cmd, argv] = program(args);
  const line = `${quoteCommand([cmd, ...argv])} > ${quoteCommand([out])}`;
  const result = await new Deno.Command("script", {
    args: ["--quiet", "--return", "--command", line, "/dev/null"],
    clearEnv: true,
    env: baseEnv(home),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: result.code, terminal: new TextDecoder().decode(result.stdout) };
}

test(
  "on a terminal, docker's per-layer progress shows; stdout stays the container's",
  async (ref, home) => {
    const out = `${home}/out`;
    const { code, terminal } = await onTerminal([ref, "echo", "from the container"], home, out);
    assert.equal(code, 0, terminal);
    assert.ok(terminal.includes(CURSOR_UP), `no progress drawn:\n${JSON.stringify(terminal)}`);
    assert.match(terminal, /Pull complete/);
    assert.equal(Deno.readTextFileSync(out), "from the container\n");
  },
);

test("off a terminal, the short summary, no progress drawn", async (ref, home) => {
  const result = await runDocker([ref, "echo", "from the container"], { home });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "from the container\n");
  assert.match(result.stderr, /Pulling from app/);
  assert.match(result.stderr, /Status: Downloaded newer image/);
  assert.equal(result.stderr.includes(CURSOR_UP), false);
});

test("docker's --quiet quiets the pull too, even on a terminal", async (ref, home) => {
  const out = `${home}/out`;
  const { code, terminal } = await onTerminal(["-q", ref, "echo", "ran"], home, out);
  assert.equal(code, 0, terminal);
  assert.equal(terminal, "", "nothing on the terminal");
  assert.equal(Deno.readTextFileSync(out), "ran\n");
});
