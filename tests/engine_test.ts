/**
 * The engine edge (`lib/edge/engine.ts`) against fake docker CLIs: shell scripts
 * in a temp dir that print, fail, hang or die as a real CLI would. Finding
 * the CLI on PATH, a missing or unexecutable CLI, a CLI that hangs (the
 * timeout message), the diagnosis after `docker run` exits 125, and exit
 * codes passed through.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Engine, resolveEngine } from "../lib/edge/engine.ts";
import { diagnoseRunFailure, listLocalTags, localImageId } from "../lib/edge/engine_images.ts";
import { PullError, pullImage, runForeground } from "../lib/edge/engine_run.ts";
import { EngineError, formatError } from "../lib/core/errors.ts";

/** Runs `fn` with a temp dir; `cli(name, body)` writes an executable `#!/bin/sh` script there. */
async function withDir(
  fn: (
    dir: string,
    cli: (name: string, body: string, mode?: number) => string,
  ) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rd-engine-" });
  const cli = (name: string, body: string, mode = 0o755) => {
    const path = `${dir}/${name}`;
    Deno.writeTextFileSync(path, `#!/bin/sh\n${body}\n`);
    Deno.chmodSync(path, mode);
    return path;
  };
  try {
    await fn(dir, cli);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The two lines run-docker would print for `error`, with `dir` shown as `DIR`. */
function lines(error: unknown, dir: string): string[] {
  assert.ok(error instanceof EngineError, String(error));
  return formatError(error).lines.map((l) => l.replaceAll(dir, "DIR"));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("no error");
}

const MISSING = [
  'run-docker: error: docker CLI not found: "docker"',
  "hint: install Docker (Debian: apt-get install docker.io), or set RUN_DOCKER_ENGINE to the docker CLI's path",
];

Deno.test("resolveEngine() finds the first executable docker on PATH, skips the rest", () =>
  withDir(async (dir, cli) => {
    await Deno.mkdir(`${dir}/a`);
    await Deno.mkdir(`${dir}/b`);
    await Deno.mkdir(`${dir}/c`);
    cli("a/docker", "", 0o644); // not executable
    await Deno.mkdir(`${dir}/b/docker`); // a directory
    const found = cli("c/docker", "");
    const env = { PATH: `${dir}/none::${dir}/a:${dir}/b:${dir}/c` };
    assert.deepEqual(resolveEngine({ program: "docker", endpoint: "unix:///s" }, env, "linux"), {
      program: found,
      endpoint: "unix:///s",
    });
  }));

Deno.test("resolveEngine() keeps a path given with a separator, if it is there", () =>
  withDir((dir, cli) => {
    const path = cli("my-docker", "");
    assert.deepEqual(resolveEngine({ program: path }, { PATH: "" }, "linux"), { program: path });
    const missing = { program: `${dir}/nope` };
    assert.deepEqual(lines(rejectionSync(() => resolveEngine(missing, {}, "linux")), dir), [
      'run-docker: error: docker CLI not found: "DIR/nope"',
      MISSING[1],
    ]);
  }));

Deno.test("resolveEngine() on Windows tries PATHEXT's extensions, lower-cased", () =>
  withDir((dir, cli) => {
    const found = cli("docker.cmd", "", 0o644); // no x bit needed on Windows
    const env = { PATH: `${dir}`, PATHEXT: ".EXE;.CMD" };
    assert.deepEqual(resolveEngine({ program: "docker" }, env, "windows"), { program: found });
  }));

Deno.test("resolveEngine() reports a CLI on no PATH entry as one error", () =>
  withDir((dir) => {
    const error = rejectionSync(() => resolveEngine({ program: "docker" }, { PATH: dir }, "linux"));
    assert.deepEqual(lines(error, dir), MISSING);
  }));

function rejectionSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("no error");
}

Deno.test("listLocalTags() runs `image ls` and drops <none>", () =>
  withDir(async (dir, cli) => {
    const program = cli(
      "docker",
      `printf '%s\\n' "$@" > '${dir}/argv'; printf '2.0\\n<none>\\n\\n1.0\\n'`,
    );
    assert.deepEqual(await listLocalTags({ program }, "acme/app"), ["2.0", "1.0"]);
    assert.equal(
      await Deno.readTextFile(`${dir}/argv`),
      "image\nls\n--no-trunc\n--format\n{{.Tag}}\t{{.ID}}\nacme/app\n",
    );
  }));

Deno.test("listLocalTags(): a missing, an unexecutable CLI and a failing one are one error each", () =>
  withDir(async (dir, cli) => {
    const cases: [Engine, string[]][] = [
      [{ program: `${dir}/gone` }, [
        'run-docker: error: docker CLI not found: "DIR/gone"',
        MISSING[1],
      ]],
      [{ program: cli("plain", "", 0o644) }, [
        'run-docker: error: docker CLI not executable: "DIR/plain"',
        "hint: check the file's permissions, or set RUN_DOCKER_ENGINE to another docker CLI",
      ]],
      [{
        program: cli(
          "down",
          "echo 'Cannot connect to the Docker daemon at unix:///x.sock.' >&2; exit 1",
        ),
      }, [
        "run-docker: error: cannot connect to the Docker engine at the default endpoint (docker context)",
        "hint: start the engine (e.g. sudo systemctl start docker), or check DOCKER_HOST and 'docker context ls'",
      ]],
      [{
        program: cli(
          "denied",
          "echo 'permission denied while trying to connect to the Docker daemon socket' >&2; exit 1",
        ),
        endpoint: "unix:///run/docker.sock",
      }, [
        "run-docker: error: permission denied on the Docker engine's socket (unix:///run/docker.sock)",
        "hint: add your user to the 'docker' group (then log in again), or use sudo",
      ]],
      [{ program: cli("odd", "echo 'Error: something odd' >&2; echo second >&2; exit 3") }, [
        "run-docker: error: listing local images failed: Error: something odd",
        "hint: check that the engine works: docker info",
      ]],
      [{ program: cli("mute", "exit 4") }, [
        "run-docker: error: listing local images failed: exit code 4",
        "hint: check that the engine works: docker info",
      ]],
    ];
    for (const [engine, want] of cases) {
      assert.deepEqual(
        lines(await rejection(listLocalTags(engine, "app")), dir),
        want,
        engine.program,
      );
    }
  }));

Deno.test("listLocalTags(): a CLI that hangs is killed at the timeout and named", () =>
  withDir(async (dir, cli) => {
    const program = cli("hangs", "exec sleep 300");
    const started = performance.now();
    const error = await rejection(listLocalTags({ program, timeoutSeconds: 0.5 }, "app"));
    assert.deepEqual(lines(error, dir), [
      "run-docker: error: the docker CLI did not answer in 0.5 s (docker image ls)",
      "hint: check that the engine is healthy: docker info",
    ]);
    assert.ok(performance.now() - started < 5_000, "killed, not waited for");
  }));

Deno.test("diagnoseRunFailure() says why docker run exited 125", () =>
  withDir(async (dir, cli) => {
    const local = cli("has-it", "echo sha256:1");
    const absent = cli("lacks-it", "echo 'Error: No such image: app:1' >&2; exit 1");
    const down = cli(
      "down",
      "echo 'Cannot connect to the Docker daemon at unix:///x.sock.' >&2; exit 1",
    );
    assert.equal(await diagnoseRunFailure({ program: local }, "app:1", false), undefined);
    assert.deepEqual(lines(await diagnoseRunFailure({ program: absent }, "app:1", true), dir), [
      "run-docker: error: image app:1 is not local",
      "hint: --local never pulls: run without --local, or 'docker load' the image first",
    ]);
    assert.deepEqual(lines(await diagnoseRunFailure({ program: absent }, "app:1", false), dir), [
      "run-docker: error: image app:1 is not local and could not be pulled",
      "hint: check the tag (run-docker --list-tags IMAGE), 'docker login' to its registry, or the network",
    ]);
    assert.deepEqual(
      lines(
        await diagnoseRunFailure({ program: down, endpoint: "tcp://127.0.0.1:1" }, "app:1", false),
        dir,
      ),
      [
        "run-docker: error: cannot connect to the Docker engine at tcp://127.0.0.1:1",
        "hint: start the engine (e.g. sudo systemctl start docker), or check DOCKER_HOST and 'docker context ls'",
      ],
    );
  }));

Deno.test("pullImage(): a failed pull names the image and the exit code", () =>
  withDir(async (dir, cli) => {
    await pullImage({ program: cli("ok", "echo pulled") }, "app:1");
    const fails = cli("fails", "echo 'Error: manifest\tunknown' >&2; exit 18");
    const error = await rejection(pullImage({ program: fails }, "app:1"));
    assert.deepEqual(lines(error, dir), [
      "run-docker: error: docker pull app:1 failed (exit 18)",
      "hint: check the registry login (docker login) and the network, or run with --local",
    ]);
    // docker's own words, held back for the caller: the reason of a fallback warning.
    assert.ok(error instanceof PullError);
    assert.equal(error.reason, "Error: manifestunknown");
    assert.equal(error.stderr, "Error: manifest\tunknown\n");
  }));

Deno.test("runForeground() passes the container's exit code through, 128+N for a signal", () =>
  withDir(async (_dir, cli) => {
    const run = (program: string) =>
      runForeground({ program }, ["run", "x"], { stdinIsTty: false });
    assert.equal(await run(cli("zero", "exit 0")), 0);
    assert.equal(await run(cli("seven", "exit 7")), 7);
    assert.equal(await run(cli("term", "kill -TERM $$")), 143);
    const env = cli("env", '[ "$JUPYTER_TOKEN" = t ] && [ "$1 $2" = "run x" ]');
    assert.equal(
      await runForeground({ program: env }, ["run", "x"], {
        env: { JUPYTER_TOKEN: "t" },
        stdinIsTty: false,
      }),
      0,
    );
  }));

Deno.test("localImageId(): only the engine's 'no such image' is not local; another failure is said", () =>
  withDir(async (dir, cli) => {
    const missing = cli("missing", 'echo "Error: No such image: app:1" >&2; exit 1');
    assert.equal(await localImageId({ program: missing }, "app:1"), undefined);
    const podman = cli("podman", 'echo "Error: app:1: image not known" >&2; exit 125');
    assert.equal(await localImageId({ program: podman }, "app:1"), undefined);
    const bogus = cli(
      "bogus",
      'echo "Failed to initialize: unable to resolve docker endpoint: invalid bind address format: bogus://x" >&2; exit 1',
    );
    const error = await rejection(localImageId({ program: bogus }, "app:1"));
    assert.match(lines(error, dir)[0], /looking for the image failed: .*invalid bind address/);
  }));
