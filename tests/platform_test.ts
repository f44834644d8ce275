/**
 * macOS and Windows (issue 14): the environment, docker's client files, the system configuration
 * and trust, pinned on any host: the platform is data here (`os`, an environment as that OS spells
 * it, its paths), never the OS the test runs on. What a run does per platform:
 * `platform_run_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { identifyEngine } from "../lib/edge/engine_kind.ts";
import { gatherHostFacts, readEnvironment } from "../lib/edge/host.ts";
import { expandPath } from "../lib/core/expand_path.ts";
import { locateEndpoint } from "../lib/edge/engine.ts";
import { resolveImage } from "../lib/edge/image.ts";
import { parseReference } from "../lib/core/reference.ts";
import { NATURAL_POLICY } from "../lib/core/tags.ts";
import { PASSWORD, pushTags, registryAvailable, startRegistry, USER } from "./registry_fixture.ts";
import { loadAll, memoryFiles } from "./config_fixture.ts";
import { certsDirs } from "../lib/core/platform_paths.ts";
import { compileCommand } from "../scripts/compile.ts";
import { withDir } from "./temp_dir.ts";

const DOCKER = { program: "docker" };

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

Deno.test("Windows without HOME: the docker context is read from USERPROFILE's .docker, or DOCKER_CONFIG's", () =>
  withDir(async (home) => {
    const hex = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("colima"))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const dir = `${home}/.docker/contexts/meta/${hex}`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${home}/.docker/config.json`, '{"currentContext":"colima"}');
    await Deno.writeTextFile(
      `${dir}/meta.json`,
      '{"Endpoints":{"docker":{"Host":"npipe:////./pipe/docker_colima"}}}',
    );
    const environment = readEnvironment("windows", { UserProfile: home, Path: "C:\\bin" });
    const facts = gatherHostFacts([], environment, "windows");
    const engine = await locateEndpoint(DOCKER, facts.env, facts.home, facts.os);
    assert.deepEqual(engine.context, { name: "colima", from: "config.json" });
    assert.equal(engine.endpoint, "npipe:////./pipe/docker_colima");
    // DOCKER_CONFIG moves the folder: an empty one names no context.
    const moved = readEnvironment("windows", { USERPROFILE: home, DOCKER_CONFIG: `${home}/none` });
    const elsewhere = gatherHostFacts([], moved, "windows");
    const none = await locateEndpoint(DOCKER, elsewhere.env, elsewhere.home, "windows");
    assert.equal(none.context, undefined);
  }));

Deno.test({
  name: "Windows without HOME: a private registry's password and CA come from USERPROFILE\\.docker",
  ignore: !registryAvailable() && Deno.env.get("CI") !== "true",
  fn: () =>
    withDir(async (home) => {
      const registry = await startRegistry({ auth: "htpasswd", tls: true });
      try {
        await pushTags(registry, "team/app", ["20260101-000000", "20260102-000000"]);
        const certs = `${home}/.docker/certs.d/${registry.host}`;
        await Deno.mkdir(certs, { recursive: true });
        await Deno.writeTextFile(`${certs}/ca.crt`, registry.caPem!);
        const auth = btoa(`${USER}:${PASSWORD}`);
        await Deno.writeTextFile(
          `${home}/.docker/config.json`,
          JSON.stringify({ auths: { [registry.host]: { auth } } }),
        );
        const environment = readEnvironment("windows", { USERPROFILE: home });
        const facts = gatherHostFacts([], environment, "windows");
        const warnings: string[] = [];
        // What app.ts hands in: the environment, the home and the OS of host facts.
        const found = await resolveImage(parseReference(`${registry.host}/team/app`), {
          engine: { program: `${home}/no-docker` },
          policy: NATURAL_POLICY,
          local: false,
          env: facts.env,
          home: facts.home,
          os: facts.os,
          warn: (m) => warnings.push(m),
          lookupOnly: true,
        });
        assert.equal(found.registry, "ok");
        assert.equal(found.image.tag, "20260102-000000");
      } finally {
        await registry.stop();
      }
    }),
});

Deno.test("Windows: the system config is %ProgramData%\\run-docker\\config.yaml, never a folder of the current drive", async () => {
  const home = "C:\\Users\\zepu";
  const system = "C:/ProgramData/run-docker/config.yaml";
  const files = memoryFiles({
    [system]: "memory: 3g\n",
    "/etc/run-docker/config.yaml": "engine: C:\\evil.exe\n",
  });
  const environment = readEnvironment("windows", { ProgramData: "C:\\ProgramData" });
  const loaded = await loadAll(["app"], { home, env: environment, os: "windows", files });
  assert.equal(loaded.config.memory, "3g");
  assert.equal(loaded.config.engine, undefined);
  assert.ok(!files.asked.includes("/etc/run-docker/config.yaml"), files.asked.join(", "));
  // No absolute %ProgramData%: no system file at all.
  for (const programData of [undefined, "ProgramData", "\\ProgramData"]) {
    const bare = memoryFiles({ "/etc/run-docker/config.yaml": "engine: C:\\evil.exe\n" });
    const env = readEnvironment("windows", programData ? { PROGRAMDATA: programData } : {});
    const none = await loadAll(["app"], { home, env, os: "windows", files: bare });
    assert.equal(none.config.engine, undefined);
    assert.deepEqual(none.files, []);
  }
  // Linux and macOS keep /etc.
  const posix = memoryFiles({ "/etc/run-docker/config.yaml": "memory: 5g\n" });
  const mac = await loadAll(["app"], { home: "/Users/z", env: {}, os: "darwin", files: posix });
  assert.equal(mac.config.memory, "5g");
});

Deno.test("Windows: registry CA folders are docker's own %ProgramData%\\docker\\certs.d and the home's", () => {
  const env = readEnvironment("windows", { ProgramData: "C:\\ProgramData" });
  assert.deepEqual(certsDirs("reg.example:5000", { os: "windows", home: "C:\\Users\\z", env }), [
    "C:/ProgramData/docker/certs.d/reg.example:5000",
    "C:/Users/z/.docker/certs.d/reg.example:5000",
  ]);
  assert.deepEqual(certsDirs("reg", { os: "windows", home: "C:\\Users\\z", env: {} }), [
    "C:/Users/z/.docker/certs.d/reg",
  ]);
  assert.deepEqual(certsDirs("reg", { os: "darwin", home: "/Users/z", env: {} }), [
    "/etc/docker/certs.d/reg",
    "/Users/z/.docker/certs.d/reg",
  ]);
});

Deno.test("The binary and the launcher trust the system's CA store too (a company root), on every OS", () => {
  assert.equal(
    compileCommand("x86_64-apple-darwin", "out").env.DENO_TLS_CA_STORE,
    "mozilla,system",
  );
});

Deno.test({
  name: "The launcher trusts a CA only the system store has, where plain deno does not",
  ignore: Deno.env.get("RUN_DOCKER_E2E") === "skip" ||
    (!registryAvailable() && Deno.env.get("CI") !== "true"),
  fn: () =>
    withDir(async (home) => {
      const dist = new URL("../dist/", import.meta.url).pathname;
      assert.ok(Deno.statSync(`${dist}run-docker.sh`).isFile, "run deno task bundle first");
      const registry = await startRegistry({ tls: true });
      try {
        await pushTags(registry, "app", ["1", "2"]);
        // Linux's system store honours SSL_CERT_FILE: the company root, as far as this host goes.
        await Deno.writeTextFile(`${home}/root.pem`, registry.caPem!);
        const env = { SSL_CERT_FILE: `${home}/root.pem`, HOME: home };
        const resolve = async (program: string, args: string[]) => {
          const out = await new Deno.Command(program, {
            args: [...args, "--resolve", `${registry.host}/app`],
            env,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder();
          return {
            code: out.code,
            stdout: text.decode(out.stdout),
            stderr: text.decode(out.stderr),
          };
        };
        assert.deepEqual(await resolve(`${dist}run-docker.sh`, []), {
          code: 0,
          stdout: `${registry.host}/app:2\n`,
          stderr: "",
        });
        const plain = await resolve(Deno.execPath(), ["run", "-A", `${dist}run-docker.js`]);
        assert.equal(plain.code, 125);
        assert.match(plain.stderr, /certificate not trusted \(UnknownIssuer\)/);
      } finally {
        await registry.stop();
      }
    }),
});
