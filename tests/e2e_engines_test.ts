/**
 * Engines through the program as shipped: SELinux relabelling against a fake engine that
 * answers `info` (there is no SELinux kernel here), a remote engine (the private dockerd also
 * listening on `RUN_DOCKER_TEST_TCP_HOST`, scripts/test.sh), and a named docker context whose
 * endpoint is dead.
 */

import assert from "node:assert/strict";
import {
  baseEnv,
  docker,
  e2e,
  exists,
  ignore,
  inCI,
  program,
  runDocker,
  withHome,
} from "./e2e_helpers.ts";
import { runCommand } from "../scripts/run_command.ts";
import { buildTestImages } from "./test_image.ts";

/**
 * A fake docker CLI: logs each call's arguments (one per line, then a `--` line) to `$FAKE_LOG`,
 * answers `info` with `$FAKE_INFO`, says every image exists, and "runs" anything with exit 0.
 */
const FAKE_ENGINE = `#!/bin/sh
{ for a in "$@"; do printf '%s\\n' "$a"; done; echo --; } >> "$FAKE_LOG"
case "$1" in
  info) printf '%s\\n' "$FAKE_INFO" ;;
  image) [ "$2" = inspect ] && echo sha256:0 ;;
esac
exit 0
`;

/** Runs the program against the fake engine in `home`; returns the result and the calls. */
async function withFake(home: string, info: string, env: Record<string, string> = {}) {
  const fake = `${home}/fake-docker`;
  await Deno.writeTextFile(fake, FAKE_ENGINE, { mode: 0o755 });
  const log = `${home}/calls.log`;
  const [cmd, argv] = program(["--local", "app:1", "true"]);
  const env2 = baseEnv(home, { RUN_DOCKER_ENGINE: fake, FAKE_LOG: log, FAKE_INFO: info, ...env });
  // A remote engine: a local one on this host (no SELinux) is not asked (see engine_endpoint_test).
  env2.DOCKER_HOST = REMOTE;
  const result = await runCommand(cmd, argv, { env: env2 });
  const text = await Deno.readTextFile(log).catch(() => "");
  const calls = text.split("--\n").filter(Boolean).map((c) => c.trimEnd().split("\n"));
  return { result, calls };
}

/** Where the fake "is": a remote engine, so it is asked about SELinux; it never connects. */
const REMOTE = "tcp://127.0.0.1:9";
const REMOTE_WARNING =
  /^run-docker: warning: the engine at tcp:\/\/127\.0\.0\.1:9 is on another host: [^\n]*\n$/;
const SELINUX = '{"SecurityOptions":["name=seccomp,profile=builtin","name=selinux"]}';

e2e(
  "SELinux: an engine that reports it gets src, data and log as -v …:z",
  () =>
    withHome("h", async (home) => {
      await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
      const { result, calls } = await withFake(home, SELINUX);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, REMOTE_WARNING);
      assert.deepEqual(calls.filter((c) => c[0] === "info"), [["info", "--format", "{{json .}}"]]);
      const run = calls.find((c) => c[0] === "run") ?? [];
      const volumes = run.flatMap((a, i) => a === "--volume" ? [run[i + 1]] : []);
      assert.deepEqual(volumes, [
        `${home}/work/src/app:/home/docker-user/src:z`,
        `${home}/work/data:/home/docker-user/data:z`,
        `${home}/work/log:/home/docker-user/log:z`,
      ]);
      assert.ok(!run.includes("--mount"), run.join(" "));
    }),
);

e2e(
  "SELinux: an engine without it, and selinux: false, keep --mount (false asks nothing)",
  () =>
    withHome("h", async (home) => {
      const plain = await withFake(home, '{"SecurityOptions":["name=seccomp,profile=builtin"]}');
      assert.equal(plain.result.code, 0, plain.result.stderr);
      assert.equal(plain.calls.filter((c) => c[0] === "info").length, 1);
      const run = plain.calls.find((c) => c[0] === "run") ?? [];
      assert.ok(!run.includes("--volume") && run.includes("--mount"), run.join(" "));
      await Deno.remove(`${home}/calls.log`);
      const off = await withFake(home, SELINUX, { RUN_DOCKER_SELINUX: "false" });
      assert.equal(off.result.code, 0, off.result.stderr);
      assert.deepEqual(off.calls.filter((c) => c[0] === "info"), []);
      const offRun = off.calls.find((c) => c[0] === "run") ?? [];
      assert.ok(!offRun.includes("--volume") && offRun.includes("--mount"), offRun.join(" "));
    }),
);

e2e(
  "SELinux: a home as the data directory is refused, nothing runs",
  () =>
    withHome("h", async (home) => {
      const { result, calls } = await withFake(home, SELINUX, { RUN_DOCKER_SELINUX: "true" });
      assert.equal(result.code, 0, result.stderr); // the default layout is fine
      await Deno.remove(`${home}/calls.log`);
      const fake = `${home}/fake-docker`;
      const [cmd, argv] = program(["--local", "--hostdatadir", home, "app:1", "true"]);
      const env = baseEnv(home, {
        RUN_DOCKER_ENGINE: fake,
        FAKE_LOG: `${home}/calls.log`,
        FAKE_INFO: SELINUX,
        RUN_DOCKER_SELINUX: "true",
      });
      delete env.DOCKER_HOST; // a local engine: selinux: true relabels without asking
      const refused = await runCommand(cmd, argv, { env });
      assert.equal(refused.code, 125);
      assert.equal(
        refused.stderr,
        `run-docker: error: will not relabel the data directory "${home}" for SELinux: it is or ` +
          `holds "${home}" (your home or work root)\n` +
          "hint: relabelling a home breaks logins; mount another with --hostdatadir DIR, or set " +
          "selinux: false\n",
      );
      const after = await Deno.readTextFile(`${home}/calls.log`).catch(() => "");
      assert.ok(!after.split("\n").includes("run"), after);
      assert.ok(calls.length > 0);
    }),
);

const TCP = Deno.env.get("RUN_DOCKER_TEST_TCP_HOST");
const IMAGE = "e2e-engines/app";
const TAG = "20210502-002343";

/** A context named `name` at `host`, current in `home`'s docker config. */
async function addContext(home: string, name: string, host: string): Promise<void> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  const dir = `${home}/.docker/contexts/meta/${hex}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/meta.json`,
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host } } }),
  );
  await Deno.writeTextFile(`${home}/.docker/config.json`, JSON.stringify({ currentContext: name }));
}

const WARNING = (where: string, home: string) =>
  `run-docker: warning: the engine ${where} is on another host: mounts refer to paths on the ` +
  `engine's host, which must have the same paths (${home}/work/src/app, ${home}/work/data, ` +
  `${home}/work/log); dev mode is decided by this host's tree, and run-docker creates no ` +
  "folder and checks no port here\n";

Deno.test({
  name: "e2e: a remote engine (tcp://, or a context's endpoint): one warning, nothing made here",
  ignore: ignore || (TCP === undefined && !inCI),
  async fn(t) {
    assert.ok(TCP !== undefined, "RUN_DOCKER_TEST_TCP_HOST is not set (scripts/test.sh sets it)");
    await buildTestImages(IMAGE, [TAG]);
    try {
      await t.step(
        "DOCKER_HOST=tcp://…: runs with one warning",
        () =>
          withHome("h", async (home) => {
            for (const dir of ["src/app", "data", "log"]) {
              await Deno.mkdir(`${home}/work/${dir}`, { recursive: true });
            }
            await Deno.writeTextFile(`${home}/work/src/app/f`, "local tree\n");
            const result = await runDocker([`${IMAGE}:${TAG}`, "cat", "f"], {
              home,
              env: { DOCKER_HOST: TCP! },
            });
            assert.equal(result.code, 0, result.stderr);
            assert.equal(result.stdout, "local tree\n");
            assert.equal(result.stderr, WARNING(`at ${TCP}`, home));
          }),
      );
      await t.step(
        "a context at tcp://…: no data or log folder made here",
        () =>
          withHome("h", async (home) => {
            await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
            await addContext(home, "tcp-test", TCP!);
            const env = baseEnv(home);
            delete env.DOCKER_HOST;
            const [cmd, argv] = program([`${IMAGE}:${TAG}`, "true"]);
            const result = await runCommand(cmd, argv, { env });
            // The engine's host (this one) lacks the folders: docker says so, run-docker made none.
            assert.notEqual(result.code, 0);
            const lines = result.stderr.split("\n");
            assert.equal(
              lines.filter((l) => l.startsWith("run-docker: warning:")).join("\n") + "\n",
              WARNING(`at ${TCP} (docker context "tcp-test")`, home),
            );
            assert.match(result.stderr, /bind source path does not exist/);
            assert.equal(await exists(`${home}/work/data`), false);
            assert.equal(await exists(`${home}/work/log`), false);
          }),
      );
      await t.step("the notebook port is not checked here", () =>
        withHome("h", async (home) => {
          using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
          const port = String((listener.addr as Deno.NetAddr).port);
          const local = await runDocker(["--notebook-port", port, `${IMAGE}:${TAG}`, "notebook"], {
            home,
          });
          assert.match(local.stderr, new RegExp(`port ${port} is already in use on 127.0.0.1`));
          const remote = await runDocker(["--notebook-port", port, `${IMAGE}:${TAG}`, "notebook"], {
            home,
            env: { DOCKER_HOST: TCP! },
          });
          assert.notEqual(remote.code, 0);
          assert.doesNotMatch(remote.stderr, /is already in use on 127.0.0.1\nhint: pick another/);
          assert.match(remote.stderr, /^run-docker: warning: the engine at tcp:/);
        }));
    } finally {
      await docker("image", "rm", "--force", `${IMAGE}:${TAG}`);
    }
  },
});

e2e(
  "a named context with a dead endpoint: the error names the context and its endpoint",
  () =>
    withHome("h", async (home) => {
      const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (closed.addr as Deno.NetAddr).port;
      closed.close();
      await addContext(home, "dead", `tcp://127.0.0.1:${port}`);
      const env = baseEnv(home);
      delete env.DOCKER_HOST;
      const [cmd, argv] = program(["--local", "app", "true"]);
      const result = await runCommand(cmd, argv, { env });
      assert.equal(result.code, 125);
      assert.equal(
        result.stderr,
        `run-docker: error: cannot connect to the Docker engine at tcp://127.0.0.1:${port} ` +
          '(docker context "dead")\n' +
          "hint: start the engine there, check the context ('docker context inspect dead'), or " +
          "switch with 'docker context use default'\n",
      );
    }),
);
