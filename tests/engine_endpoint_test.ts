/**
 * The engine edge's view of where the engine is (`locateEndpoint`: DOCKER_HOST, DOCKER_CONTEXT,
 * the current context of ~/.docker/config.json) and whether it enforces SELinux
 * (`engineReportsSelinux`, against fake CLIs answering `info`).
 */

import assert from "node:assert/strict";
import { type Engine, engineWhere, locateEndpoint } from "../lib/edge/engine.ts";
import { engineReportsSelinux, listLocalTags } from "../lib/edge/engine_images.ts";
import { formatError } from "../lib/core/errors.ts";

/** A temp HOME with a docker context `name` whose endpoint is `host` (none: no meta file). */
async function withContexts(
  fn: (home: string, addContext: (name: string, host?: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "rd-contexts-" });
  const addContext = async (name: string, host?: string) => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    const dir = `${home}/.docker/contexts/meta/${hex}`;
    await Deno.mkdir(dir, { recursive: true });
    if (host === undefined) return;
    await Deno.writeTextFile(
      `${dir}/meta.json`,
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host } } }),
    );
  };
  try {
    await Deno.mkdir(`${home}/.docker`);
    await fn(home, addContext);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const DOCKER: Engine = { program: "docker" };

Deno.test("locateEndpoint() follows the docker CLI: DOCKER_HOST, DOCKER_CONTEXT, currentContext", () =>
  withContexts(async (home, addContext) => {
    await addContext("build", "ssh://me@build-1");
    await addContext("local", "unix:///run/user/1000/docker.sock");
    await addContext("gone");
    await Deno.writeTextFile(`${home}/.docker/config.json`, '{"currentContext":"build"}');
    const at = (env: Record<string, string>) => locateEndpoint(DOCKER, { HOME: home, ...env });
    assert.deepEqual(await at({ DOCKER_HOST: "tcp://10.0.0.5:2376", DOCKER_CONTEXT: "local" }), {
      program: "docker",
      endpoint: "tcp://10.0.0.5:2376",
      remote: true,
    });
    assert.deepEqual(await at({ DOCKER_HOST: "unix:///var/run/docker.sock" }), {
      program: "docker",
      endpoint: "unix:///var/run/docker.sock",
      remote: false,
    });
    assert.deepEqual(await at({}), {
      program: "docker",
      endpoint: "ssh://me@build-1",
      context: { name: "build", from: "config.json" },
      remote: true,
    });
    assert.deepEqual(await at({ DOCKER_CONTEXT: "local" }), {
      program: "docker",
      endpoint: "unix:///run/user/1000/docker.sock",
      context: { name: "local", from: "DOCKER_CONTEXT" },
      remote: false,
    });
    // A context without meta.json: the CLI will say so; nothing is assumed remote.
    assert.deepEqual(await at({ DOCKER_CONTEXT: "gone" }), {
      program: "docker",
      endpoint: undefined,
      context: { name: "gone", from: "DOCKER_CONTEXT" },
      remote: false,
    });
    assert.deepEqual(await at({ DOCKER_CONTEXT: "default" }), { program: "docker", remote: false });
    // DOCKER_CONFIG moves the whole folder.
    assert.deepEqual(await at({ DOCKER_CONFIG: `${home}/none` }), {
      program: "docker",
      remote: false,
    });
  }));

Deno.test("engineWhere() names the endpoint and the context, never a password", () => {
  assert.equal(
    engineWhere({
      ...DOCKER,
      endpoint: "tcp://127.0.0.1:1",
      context: { name: "dead", from: "config.json" },
    }),
    'at tcp://127.0.0.1:1 (docker context "dead")',
  );
  assert.equal(
    engineWhere({ ...DOCKER, context: { name: "gone", from: "DOCKER_CONTEXT" } }),
    'of docker context "gone"',
  );
  assert.equal(engineWhere({ ...DOCKER, endpoint: "ssh://me:s3cret@h" }), "at ssh://me:***@h");
});

/** A fake docker CLI: `#!/bin/sh` + body, in a temp dir. */
async function withCli(body: string, fn: (program: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rd-fake-cli-" });
  const program = `${dir}/docker`;
  await Deno.writeTextFile(program, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  try {
    await fn(program);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an unreachable engine of a named context names the context and its endpoint", () =>
  withCli(
    'echo "Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running?" >&2; exit 1',
    async (program) => {
      const engine: Engine = {
        program,
        endpoint: "tcp://127.0.0.1:1",
        context: { name: "dead", from: "config.json" },
        remote: true,
      };
      const error = await listLocalTags(engine, "app").catch((e) => e);
      assert.deepEqual(formatError(error).lines, [
        'run-docker: error: cannot connect to the Docker engine at tcp://127.0.0.1:1 (docker context "dead")',
        "hint: start the engine there, check the context ('docker context inspect dead'), or switch with 'docker context use default'",
      ]);
      const fromEnv = { ...engine, context: { name: "dead", from: "DOCKER_CONTEXT" as const } };
      const again = await listLocalTags(fromEnv, "app").catch((e) => e);
      assert.match(formatError(again).lines[1], /, or unset DOCKER_CONTEXT$/);
    },
  ));

const INFO_ROWS: [string, string, boolean][] = [
  [
    "docker with SELinux",
    `echo '{"SecurityOptions":["name=seccomp,profile=builtin","name=selinux"]}'`,
    true,
  ],
  ["docker without", `echo '{"SecurityOptions":["name=seccomp,profile=builtin"]}'`, false],
  ["podman with SELinux", `echo '{"host":{"security":{"selinuxEnabled":true}}}'`, true],
  ["podman without", `echo '{"host":{"security":{"selinuxEnabled":false}}}'`, false],
  ["an engine that fails", "echo 'Cannot connect to the Docker daemon' >&2; exit 1", false],
  ["an answer that is not JSON", "echo 'WARNING: something'", false],
];
for (const [name, answer, expected] of INFO_ROWS) {
  Deno.test(`engineReportsSelinux(): ${name}`, () =>
    withCli(
      `[ "$*" = "info --format {{json .}}" ] || { echo "unexpected: $*" >&2; exit 2; }\n${answer}`,
      async (program) =>
        assert.equal(await engineReportsSelinux({ program, remote: true }, "linux"), expected),
    ));
}

const hostSelinux = (() => {
  try {
    Deno.statSync("/sys/fs/selinux");
    return true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "engineReportsSelinux(): a local engine on a Linux host without SELinux is not asked",
  ignore: hostSelinux || Deno.build.os !== "linux",
  fn: () =>
    withCli("echo asked >&2; exit 3", async (program) => {
      assert.equal(await engineReportsSelinux({ program, remote: false }, "linux"), false);
      // The same CLI as a remote engine is asked (and fails: no SELinux assumed).
      assert.equal(await engineReportsSelinux({ program, remote: true }, "linux"), false);
      // Elsewhere (a VM behind a local socket) it is asked too.
      assert.equal(await engineReportsSelinux({ program }, "darwin"), false);
    }),
});
