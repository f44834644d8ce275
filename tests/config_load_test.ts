import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { ConfigError } from "../lib/core/config/errors.ts";
import { loadBaseConfig, loadConfig } from "../lib/edge/config/load.ts";
import { MAX_CONFIG_BYTES } from "../lib/core/config/values.ts";
import { expandPath } from "../lib/core/expand_path.ts";
import { planLayout, workRootOf } from "../lib/core/layout.ts";
import { validateRunRequest } from "../lib/core/request.ts";
import { memoryFiles } from "./config_fixture.ts";

const HOME = "/home/z";
const USER_FILE = `${HOME}/.config/run-docker/config.yaml`;

Deno.test("loadBaseConfig() reads the system and user files through the file access it is given", async () => {
  const files = memoryFiles({
    "/etc/run-docker/config.yaml": "memory: 3g\nenv:\n  A: sys\n",
    [USER_FILE]: "shm_size: 1g\n",
  });
  const base = await loadBaseConfig({ home: HOME, env: {}, files });
  assert.deepEqual(files.asked, ["/etc/run-docker/config.yaml", USER_FILE]);
  assert.deepEqual(base.files, ["/etc/run-docker/config.yaml", USER_FILE]);
  assert.equal(base.workRoot, "/home/z/work");
  const loaded = await loadConfig(parseRunRequest(["app:1"]), base);
  assert.equal(loaded.config.memory, "3g");
  assert.equal(loaded.config.shm_size, "1g");
  assert.deepEqual(loaded.config.env, { A: "sys" });
  assert.equal(loaded.provenance.get("memory"), "/etc/run-docker/config.yaml:1");
  assert.equal(loaded.provenance.get("shm_size"), "~/.config/run-docker/config.yaml:1");
});

Deno.test("loadConfig() reads a project file only for the source tree it is given, after the work root is known", async () => {
  const files = memoryFiles({
    [USER_FILE]: "workdir: ${SCRATCH}/w\n",
    "/scratch/w/src/app/run-docker.yaml": "memory: 2g\n",
  });
  const base = await loadBaseConfig({ home: HOME, env: { SCRATCH: "/scratch" }, files });
  assert.equal(base.workRoot, "/scratch/w");
  const request = parseRunRequest(["zppz/app:1"]);
  const { srcDir } = planLayout(validateRunRequest(request), {
    home: HOME,
    os: "linux",
    cwd: "/",
    workRoot: base.workRoot,
  });
  assert.equal(srcDir, "/scratch/w/src/app");
  const prod = await loadConfig(request, base);
  assert.equal(prod.config.memory, "12g");
  assert.deepEqual(prod.files, [USER_FILE]);
  const dev = await loadConfig(request, base, srcDir);
  assert.equal(dev.config.memory, "2g");
  assert.deepEqual(dev.files, [USER_FILE, "/scratch/w/src/app/run-docker.yaml"]);
  assert.equal(dev.workRoot, "/scratch/w");
});

const unreadable: [string, Parameters<typeof memoryFiles>[0], RegExp][] = [
  [
    "a directory",
    { "/etc/run-docker/config.yaml": { dir: true } },
    /^\/etc\/run-docker\/config\.yaml: is a directory$/,
  ],
  [
    "a file over the cap",
    { [USER_FILE]: "#".repeat(MAX_CONFIG_BYTES + 1) },
    /^~\/\.config\/run-docker\/config\.yaml: file larger than 1048576 bytes$/,
  ],
];
for (const [name, table, message] of unreadable) {
  Deno.test(`loadBaseConfig() refuses ${name} in one line with a hint`, async () => {
    await assert.rejects(
      loadBaseConfig({ home: HOME, env: {}, files: memoryFiles(table) }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(e.message, message);
        assert.ok(e.hint.length > 0);
        return true;
      },
    );
  });
}

Deno.test("loadBaseConfig() names a file it may not read", async () => {
  const files = {
    stat: () => Promise.resolve({ isFile: true, isDirectory: false, size: 10 }),
    lstat: () => Promise.resolve({ isFile: true, isDirectory: false, isSymlink: false, size: 10 }),
    readText: () => Promise.reject(new Error("permission denied")),
  };
  await assert.rejects(
    loadBaseConfig({ home: HOME, env: {}, files }),
    /^ConfigError: cannot read \/etc\/run-docker\/config\.yaml: permission denied$/,
  );
});

const expansions: [string, string, Record<string, string> | undefined, string, string][] = [
  ["~ alone", "~", {}, "linux", "/home/z"],
  ["~/ joined and normalized", "~/a/../b", {}, "linux", "/home/z/b"],
  ["${VAR} with an environment", "${S}/w", { S: "/scratch" }, "linux", "/scratch/w"],
  ["${VAR} left alone without one", "${S}/w", undefined, "linux", "${S}/w"],
  ["~\\ on Windows", "~\\w", {}, "windows", "/home/z/w"],
  ["~\\ is a name elsewhere", "~\\w", {}, "linux", "~\\w"],
  ["~user is not expanded", "~root/x", {}, "linux", "~root/x"],
  ["relative stays relative", "data", {}, "linux", "data"],
];
for (const [name, path, env, os, expected] of expansions) {
  Deno.test(`expandPath() expands ${name}`, () => {
    assert.equal(expandPath(path, HOME, env, os), expected);
  });
}

Deno.test("expandPath() names an unset variable; a name on Object.prototype is not set", () => {
  for (const name of ["NOPE", "constructor"]) {
    assert.throws(
      () => expandPath(`\${${name}}/w`, HOME, {}),
      (e: unknown) => e instanceof ConfigError && e.message.includes(`\${${name}}`),
    );
  }
});

Deno.test("planLayout() and the configuration share one work root default and one ~ rule", () => {
  assert.equal(workRootOf(undefined, HOME), "/home/z/work");
  const request = validateRunRequest(
    parseRunRequest(["--hostdatadir", "~/d/../data", "--hostlogdir=~", "zppz/app"]),
  );
  const layout = planLayout(request, { home: HOME, os: "linux", cwd: "/tmp" });
  assert.equal(layout.workRoot, workRootOf(undefined, HOME));
  assert.equal(layout.dataDir, expandPath("~/d/../data", HOME));
  assert.equal(layout.logDir, HOME);
});

Deno.test("envAssignments() makes RUN_DOCKER_INSECURE_REGISTRIES typed registries entries", async () => {
  const { envAssignments } = await import("../lib/core/config/layers.ts");
  const { mergeConfig } = await import("../lib/core/config/schema.ts");
  const env = { RUN_DOCKER_INSECURE_REGISTRIES: " reg.lan:5000, ,build.lan" };
  assert.deepEqual(envAssignments(env), [
    {
      path: ["registries", "reg.lan:5000", "insecure"],
      value: true,
      where: "env RUN_DOCKER_INSECURE_REGISTRIES",
    },
    {
      path: ["registries", "build.lan", "insecure"],
      value: true,
      where: "env RUN_DOCKER_INSECURE_REGISTRIES",
    },
  ]);
  const user = (await loadBaseConfig({
    home: HOME,
    env: {},
    files: memoryFiles({ [USER_FILE]: "registries:\n  reg.lan:5000:\n    timeout_seconds: 5\n" }),
  })).user;
  const { config, provenance } = mergeConfig([user, envAssignments(env)]);
  assert.deepEqual(config.registries, {
    "reg.lan:5000": { timeout_seconds: 5, insecure: true },
    "build.lan": { insecure: true },
  });
  assert.equal(
    provenance.get('registries."reg.lan:5000".insecure'),
    "env RUN_DOCKER_INSECURE_REGISTRIES",
  );
});

Deno.test("envAssignments() names the variable and the problem, from the value's own words", async () => {
  const { envAssignments } = await import("../lib/core/config/layers.ts");
  for (
    const [name, value, message] of [
      ["RUN_DOCKER_MEMORY", "12x", 'RUN_DOCKER_MEMORY: bad size "12x" (expected e.g. 12g, 512m)'],
      [
        "RUN_DOCKER_NOTEBOOK_BIND",
        "a:b:c:zz",
        'RUN_DOCKER_NOTEBOOK_BIND: expected an IP address such as 127.0.0.1 or 0.0.0.0, got "a:b:c:zz"',
      ],
      [
        "RUN_DOCKER_NOTEBOOK_PORT",
        "0",
        'RUN_DOCKER_NOTEBOOK_PORT: expected a port from 1 to 65535, got "0"',
      ],
    ]
  ) {
    assert.throws(
      () => envAssignments({ [name]: value }),
      (e: unknown) => e instanceof ConfigError && e.message === message,
    );
  }
});
