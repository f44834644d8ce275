/**
 * Podman: the `podman run` argv (render/podman.ts), what the run decides for podman (pull
 * reference and `--tls-verify`, `--explain`), and how the engine kind is found
 * (lib/edge/engine_kind.ts) with engine fakes on a temp PATH.
 */

import assert from "node:assert/strict";
import { DEFAULT_SETTINGS } from "../lib/core/facts.ts";
import { planRun } from "../lib/core/run_args.ts";
import { renderDockerArgs } from "../lib/core/render/docker.ts";
import { renderRunArgs } from "../lib/core/render/podman.ts";
import type { EngineKind } from "../lib/core/engine_kind.ts";
import { decideRun, type Found } from "../lib/core/decide.ts";
import { identifyEngine } from "../lib/edge/engine_kind.ts";
import { EngineError } from "../lib/core/errors.ts";
import { exampleInput } from "./fixtures.ts";
import { lookup } from "./decide_fixtures.ts";

const ROOTFUL: EngineKind = { kind: "podman", rootless: false };
const ROOTLESS: EngineKind = { kind: "podman", rootless: true };
const HOST_USER = { ...DEFAULT_SETTINGS, containerUser: "host" };

/** [name, argv, engine, host uid, user: host, the options podman adds or changes]. */
const ROWS: [string, string[], EngineKind, number, boolean, string[]][] = [
  ["rootful: docker's argv, the image fully qualified", ["zppz/app:1"], ROOTFUL, 1000, false, []],
  ["rootless: keep-id onto docker-user", ["zppz/app:1"], ROOTLESS, 1001, false, [
    "--userns=keep-id:uid=1000,gid=1000",
  ]],
  [
    "rootless --root: root already maps to you",
    ["--root", "zppz/app:1"],
    ROOTLESS,
    1001,
    false,
    [],
  ],
  ["rootless, the user's --user decides", ["--user", "0", "zppz/app:1"], ROOTLESS, 1001, false, []],
  [
    "rootless, the user's --userns decides",
    ["--userns", "host", "zppz/app:1"],
    ROOTLESS,
    1001,
    false,
    [],
  ],
  ["rootless user: host: keep-id onto your uid", ["zppz/app:1"], ROOTLESS, 1001, true, [
    "--userns=keep-id:uid=1001,gid=1001",
  ]],
];
for (const [name, argv, engine, uid, hostUser, added] of ROWS) {
  Deno.test(`renderRunArgs() podman: ${name}`, () => {
    const input = exampleInput(
      [...argv, "true"],
      { uid, gid: uid },
      { engine, ...(hostUser ? { settings: HOST_USER } : {}) },
    );
    const { spec } = planRun(input);
    const docker = renderDockerArgs(spec);
    const podman = renderRunArgs(spec, engine);
    // Expected: docker's argv, the keep-id option after --user, podman's tmpfs, qualified image.
    const expected = docker.flatMap((arg, i) => {
      if (arg === "zppz/app:1") return ["docker.io/zppz/app:1"];
      if (docker[i - 1] === "--tmpfs") return ["/home/docker-user:mode=0755,U,exec"];
      if (docker[i - 1] === "--user" && spec.user !== undefined) return [arg, ...added];
      return [arg];
    });
    assert.deepEqual(podman, expected);
    if (hostUser) {
      assert.ok(docker.includes(`/home/docker-user:uid=${uid},gid=${uid},mode=0755,exec`));
    }
  });
}

Deno.test("renderRunArgs() docker: exactly renderDockerArgs()", () => {
  const { spec } = planRun(exampleInput(["zppz/app:1", "true"]));
  assert.deepEqual(
    renderRunArgs(spec, { kind: "docker", rootless: false }),
    renderDockerArgs(spec),
  );
});

const REMOTE_AT = (registry: string): Found => ({
  image: { registry, repository: "app", tag: "2" },
  source: "remote",
  candidates: 2,
  rows: [{ tag: "2", local: false, remote: true }, { tag: "1", local: true, remote: true }],
  registry: "ok",
});

function run(registry: string, engineKind: EngineKind, insecure: string[] = []) {
  const config = insecure.map((
    host,
  ): [string[], unknown] => [["registries", host, "insecure"], true]);
  const action = decideRun(lookup(["--explain", `${registry}/app`, "true"], { config }), {
    version: "0.1.0",
    engine: "/usr/bin/podman",
    engineKind,
    found: REMOTE_AT(registry),
    nonce: "9f3a",
    notebookToken: "t0ken",
  });
  if (action.kind !== "run") throw new Error(action.kind);
  return action;
}

Deno.test("decideRun() podman: a loopback registry's newer tag is pulled by its full name, --tls-verify=false", () => {
  const action = run("127.0.0.1:5000", ROOTLESS);
  assert.equal(action.pull, "127.0.0.1:5000/app:2");
  assert.deepEqual(action.pullOptions, ["--tls-verify=false"]);
  assert.equal(action.fallback?.image, "127.0.0.1:5000/app:1");
  assert.equal(action.plan.args.at(-2), "127.0.0.1:5000/app:2");
  assert.match(action.stderr, /explain: engine: \/usr\/bin\/podman \(podman, rootless\)\n/);
});

Deno.test("decideRun() podman: a configured insecure registry gets --tls-verify=false, others not", () => {
  assert.deepEqual(run("reg.example:5000", ROOTFUL, ["reg.example:5000"]).pullOptions, [
    "--tls-verify=false",
  ]);
  assert.deepEqual(run("reg.example:5000", ROOTFUL).pullOptions, []);
  assert.deepEqual(run("127.0.0.1:5000", { kind: "docker", rootless: false }).pullOptions, []);
});

/** A temp PATH with fake CLIs: name → [what `version`/`--version` prints, its exit code]. */
async function withFakes(
  fakes: Record<string, [string, number]>,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-fakes-" });
  try {
    for (const [name, [text, code]] of Object.entries(fakes)) {
      await Deno.writeTextFile(`${dir}/${name}`, `#!/bin/sh\necho '${text}'\nexit ${code}\n`, {
        mode: 0o755,
      });
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const host = (PATH: string, uid = 1001) => ({ env: { PATH }, os: "linux", uid });

Deno.test({
  name: "identifyEngine(): the kind is what the CLI says; auto prefers a docker that answers",
  ignore: Deno.build.os === "windows",
  fn: () =>
    withFakes({
      docker: ["podman version 4.3.1", 0], // podman-docker's shim
      podman: ["podman version 4.3.1", 0],
    }, async (dir) => {
      const shim = await identifyEngine({ program: "docker" }, host(dir), true);
      assert.deepEqual(shim, { program: `${dir}/docker`, kind: ROOTLESS });
      const auto = await identifyEngine({ program: "auto" }, host(dir, 0), true);
      assert.deepEqual(auto, { program: `${dir}/docker`, kind: ROOTFUL });
      // --dry-run: the program as named.
      assert.deepEqual(await identifyEngine({ program: "auto" }, host(dir), false), {
        program: "docker",
        kind: ROOTLESS,
      });
    }),
});

Deno.test({
  name: "identifyEngine(): auto takes podman when docker does not answer or is missing",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withFakes({
      docker: ["Client: Docker Engine\nCannot connect to the Docker daemon", 1],
      podman: ["podman version 4.3.1", 0],
    }, async (dir) => {
      const auto = await identifyEngine({ program: "auto" }, host(dir), true);
      assert.deepEqual(auto, { program: `${dir}/podman`, kind: ROOTLESS });
    });
    await withFakes({
      docker: ["Client: Docker Engine\nCannot connect to the Docker daemon", 1],
      podman: ["podman version 4.3.1", 0],
    }, async (dir) => {
      // DOCKER_HOST names a docker engine: docker, whose own error tells what is wrong.
      const named = await identifyEngine(
        { program: "auto" },
        { ...host(dir), env: { PATH: dir, DOCKER_HOST: "unix:///nowhere.sock" } },
        true,
      );
      assert.deepEqual(named, {
        program: `${dir}/docker`,
        kind: { kind: "docker", rootless: false },
      });
    });
    await withFakes({
      docker: ["Client: Docker Engine\nCannot connect to the Docker daemon", 1],
      podman: ["podman version 4.3.1", 0],
    }, async (dir) => {
      // So does a docker context other than default (DOCKER_CONTEXT or config.json).
      const context = { name: "dead", from: "DOCKER_CONTEXT" as const };
      const named = await identifyEngine({ program: "auto", context }, host(dir), true);
      assert.deepEqual(named, {
        program: `${dir}/docker`,
        context,
        kind: { kind: "docker", rootless: false },
      });
    });
    await withFakes({ podman: ["podman version 4.3.1", 0] }, async (dir) => {
      const auto = await identifyEngine({ program: "auto" }, host(dir), true);
      assert.deepEqual(auto, { program: `${dir}/podman`, kind: ROOTLESS });
    });
    await withFakes({ docker: ["Docker version 28.2.2, build e6534b4", 1] }, async (dir) => {
      const auto = await identifyEngine({ program: "auto" }, host(dir), true);
      assert.deepEqual(auto, {
        program: `${dir}/docker`,
        kind: { kind: "docker", rootless: false },
      });
    });
    await withFakes({}, async (dir) => {
      await assert.rejects(
        identifyEngine({ program: "auto" }, host(dir), true),
        (e) => e instanceof EngineError && /neither docker nor podman/.test(e.message),
      );
    });
  },
});
