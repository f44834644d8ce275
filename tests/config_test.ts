import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { ConfigError } from "../lib/core/config/errors.ts";
import { envAssignments, formatConfig, optionAssignments } from "../lib/core/config/layers.ts";
import { type Assignment, mergeConfig, validateConfig } from "../lib/core/config/schema.ts";
import { settingsFor } from "../lib/core/config/settings.ts";
import { expandPath } from "../lib/core/expand_path.ts";
import { parseConfigText } from "../lib/core/config/yaml.ts";
import { loadAll, memoryFiles } from "./config_fixture.ts";

const layer = (yaml: string, file = "f.yaml") => validateConfig(parseConfigText(yaml, file), file);

Deno.test("mergeConfig(): every layer beats the one below it, for scalars, maps and lists", () => {
  const system = layer(
    "memory: 4g\nenv:\n  A: sys\n  B: sys\nvolumes: [/s:/s]\n",
    "/etc/run-docker/config.yaml",
  );
  const user = layer(
    "memory: 6g\nenv:\n  B: user\nvolumes: [/u:/u]\n",
    "~/.config/run-docker/config.yaml",
  );
  const project = layer("memory: 8g\nenv:\n  C: proj\nvolumes: [/p:/p]\n", "run-docker.yaml");
  const env = envAssignments({ RUN_DOCKER_MEMORY: "10g" });
  const options = optionAssignments(parseRunRequest(["-m", "12g", "img"]));
  const { config, provenance } = mergeConfig([system, user, project, env, options]);
  assert.equal(config.memory, "12g");
  assert.equal(provenance.get("memory"), "option --memory");
  assert.deepEqual(config.env, { A: "sys", B: "user", C: "proj" });
  assert.equal(provenance.get("env.B"), "~/.config/run-docker/config.yaml:3");
  assert.deepEqual(config.volumes, ["/s:/s", "/u:/u", "/p:/p"]);
  assert.equal(provenance.get("volumes[2]"), "run-docker.yaml:4");
  // Each layer alone over the defaults.
  assert.equal(mergeConfig([system]).config.memory, "4g");
  assert.equal(mergeConfig([system, user]).config.memory, "6g");
  assert.equal(mergeConfig([system, user, project]).config.memory, "8g");
  assert.equal(mergeConfig([system, user, project, env]).config.memory, "10g");
  assert.equal(mergeConfig([]).provenance.get("memory"), "default");
});

Deno.test("mergeConfig(): registries and images merge by key and field", () => {
  const a = layer(
    'registries:\n  r.example:\n    insecure: true\nimages:\n  "zppz/*":\n    tag_order: semver\n',
  );
  const b = layer(
    'registries:\n  r.example:\n    timeout_seconds: 5\nimages:\n  "zppz/*":\n    memory: 2g\n',
  );
  const { config } = mergeConfig([a, b]);
  assert.deepEqual(config.registries, { "r.example": { insecure: true, timeout_seconds: 5 } });
  assert.deepEqual(config.images, { "zppz/*": { tag_order: "semver", memory: "2g" } });
});

Deno.test("settingsFor() applies matching image rules in order", () => {
  const { config, provenance } = mergeConfig([
    layer(
      'memory: 8g\nimages:\n  "zppz/*":\n    memory: 2g\n    tag_filter: "^v"\n    env:\n      X: "1"\n  "zppz/app":\n    command: python -m app\n    gpus: all\n',
    ),
  ]);
  const { settings, policy, globs } = settingsFor(config, provenance, "zppz/app");
  assert.deepEqual(globs, ["zppz/*", "zppz/app"]);
  assert.equal(settings.memory, "2g");
  assert.equal(settings.gpus, "all");
  assert.deepEqual(settings.command, ["python", "-m", "app"]);
  assert.deepEqual(settings.env, { X: "1" });
  assert.deepEqual(policy, { filter: "^v" });
  assert.equal(settingsFor(config, provenance, "other/app").settings.memory, "8g");
  assert.equal(
    settingsFor(config, provenance, "zppz/a/b").globs.length,
    0,
    "* stays within a path component",
  );
});

const errors: [string, string, RegExp][] = [
  [
    "a misspelled key, with did-you-mean",
    "memory: 8g\nshm_szie: 1g\n",
    /^f\.yaml:2:1: unknown key "shm_szie" \(did you mean "shm_size"\?\)$/,
  ],
  ["an unknown key with no near match", "zzzzzzzz: 1\n", /^f\.yaml:1:1: unknown key "zzzzzzzz"$/],
  [
    "a misspelled nested key",
    'images:\n  "zppz/*":\n    tag_ordr: semver\n',
    /^f\.yaml:3:5: unknown key "tag_ordr" in images\."zppz\/\*" \(did you mean "tag_order"\?\)$/,
  ],
  ["a bad size", "memory: 12gb!\n", /^f\.yaml:1:\d+: memory: bad size "12gb!"/],
  [
    "a bad nested size",
    'images:\n  "a/*":\n    memory: lots\n',
    /^f\.yaml:3:\d+: images\."a\/\*"\.memory: bad size "lots"/,
  ],
  [
    "a bad tag order",
    'images:\n  "zppz/*":\n    tag_order: newest\n',
    /images\."zppz\/\*"\.tag_order: expected one of natural, semver/,
  ],
  [
    "a bad regex",
    'images:\n  "a":\n    tag_filter: "("\n',
    /^f\.yaml:3:17: images\.a\.tag_filter: invalid tag filter "\("/,
  ],
  ["a bad glob", 'images:\n  "a/[b":\n    memory: 1g\n', /^f\.yaml:2:3: images: bad glob "a\/\[b"/],
  [
    "a port out of range",
    "notebook_port: 70000\n",
    /notebook_port: expected a port from 1 to 65535, got "70000"/,
  ],
  ["a string where a boolean goes", "init: yes please\n", /init: expected true or false/],
  ["a list where a value goes", "memory: [1, 2]\n", /memory: expected a single value, not a list/],
  ["a map where a list goes", "volumes:\n  a: b\n", /volumes: expected a list of strings/],
  [
    "a relative container home",
    "container_home: home\n",
    /container_home: expected an absolute container path/,
  ],
  [
    "a bad user",
    "user: 'not a user'\n",
    /user: expected auto, docker-user, root, host, a name or uid\[:gid\]/,
  ],
  ["a bad timezone", "timezone: Mars/Olympus Mons\n", /timezone: expected host or an IANA zone/],
  ["a bad env name", "env:\n  1BAD: x\n", /env: invalid variable name "1BAD"/],
  ["a top level that is not a map", "- a\n- b\n", /^f\.yaml:1:1: the file must be a map/],
  ["workdir as a boolean", "workdir: true\n", /workdir: expected a string, got true/],
  ["an empty notebook_bind", "notebook_bind: ''\n", /notebook_bind: expected an IP address/],
  ["gpus as a map", "gpus: {a: 1}\n", /gpus: expected a single value, not a map/],
  ["engine as a list", "engine: [docker]\n", /engine: expected a single value, not a list/],
  ["docker_args as a map", "docker_args: {a: b}\n", /docker_args: expected a list of strings/],
  ["ports as a scalar", "ports: 8080\n", /ports: expected a list of strings/],
  ["a nested list in volumes", "volumes: [[a]]\n", /volumes: expected a single value, not a list/],
  [
    "registries.insecure not a boolean",
    "registries:\n  r.example:\n    insecure: sometimes\n",
    /registries\."r\.example"\.insecure: expected true or false/,
  ],
  [
    "registries.timeout_seconds negative",
    "registries:\n  r.example:\n    timeout_seconds: -1\n",
    /timeout_seconds: expected a number of seconds from 1 to 3600/,
  ],
  [
    "registries.mirror a list",
    "registries:\n  r.example:\n    mirror: [a]\n",
    /mirror: expected a single value, not a list/,
  ],
  [
    "an unknown registry field",
    "registries:\n  r.example:\n    insecur: true\n",
    /unknown key "insecur" in registries\."r\.example" \(did you mean "insecure"\?\)/,
  ],
  [
    "images.command a map",
    'images:\n  "a":\n    command: {x: y}\n',
    /images\.a\.command: expected a single value, not a map/,
  ],
  [
    "images.env a list",
    'images:\n  "a":\n    env: [X]\n',
    /images\.a\.env: expected a map of NAME: value/,
  ],
  [
    "images.gpus a boolean",
    'images:\n  "a":\n    gpus: true\n',
    /images\.a\.gpus: expected a string, got true/,
  ],
  ["images not a map", "images: [a]\n", /images: expected a map/],
  [
    "a notebook_bind that is not an address",
    "notebook_bind: not an address\n",
    /notebook_bind: expected an IP address/,
  ],
  [
    "a timeout over an hour",
    "registries:\n  r.example:\n    timeout_seconds: 1e7\n",
    /from 1 to 3600/,
  ],
  ["a built-in object name as a key", "toString: x\n", /unknown key "toString"/],
  [
    "a one-line command with quotes",
    'images:\n  "a":\n    command: bash -c "echo hi"\n',
    /write the command as a list/,
  ],
  ["a custom YAML tag", "memory: !custom 8g\n", /YAML tags \(!custom\) are not supported/],
];
for (const [name, yaml, message] of errors) {
  Deno.test(`validateConfig() rejects ${name}`, () => {
    assert.throws(() => layer(yaml), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, message);
      assert.ok(e.hint.length > 0);
      return true;
    });
  });
}

Deno.test("validateConfig() never echoes env values", () => {
  assert.throws(() => layer("env:\n  TOKEN:\n    nested: s3cr3t\n"), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.ok(!e.message.includes("s3cr3t"), e.message);
    return true;
  });
});

const malformed: [string, string, RegExp][] = [
  ["tabs", "memory: 8g\n\tshm_size: 1g\n", /^f\.yaml:2:1: /],
  ["duplicate keys", "memory: 8g\nmemory: 9g\n", /^f\.yaml:2:1: duplicate key "memory"/],
  ["anchors and aliases", "memory: &m 8g\nshm_size: *m\n", /anchors and aliases are not supported/],
  ["a merge key", "base: &b {memory: 1g}\n<<: *b\n", /^f\.yaml:\d+:\d+: /],
  ["an unterminated quote", 'memory: "8g\n', /^f\.yaml:\d+:\d+: /],
  ["a bad indentation", "env:\n  A: 1\n B: 2\n", /^f\.yaml:\d+:\d+: /],
  ["binary junk", "memory: 8g\n\u0000\u0001\u0002\u00ff", /^f\.yaml:2:1: not a text file/],
  ["a huge file", "# x\n".repeat(300_000), /^f\.yaml: file larger than 1048576 bytes/],
  ["a complex key", "? [a, b]\n: c\n", /a key must be a plain string/],
];
for (const [name, yaml, message] of malformed) {
  Deno.test(`parseConfigText() gives one clear error for ${name}`, () => {
    assert.throws(() => layer(yaml), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `not a ConfigError: ${e}`);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    });
  });
}

Deno.test("parseConfigText() keeps numbers as written", () => {
  const { config } = mergeConfig([
    layer("env:\n  PY: 3.10\n  ZIP: 02134\n  ID: 123456789012345678901234\n  HEX: 0x1F\n"),
  ]);
  assert.deepEqual(config.env, {
    PY: "3.10",
    ZIP: "02134",
    ID: "123456789012345678901234",
    HEX: "0x1F",
  });
});

Deno.test("parseConfigText() takes an empty file as no settings", () => {
  assert.deepEqual(layer(""), []);
  assert.deepEqual(layer("# only a comment\n"), []);
});

Deno.test("envAssignments() reads RUN_DOCKER_<KEY> and checks values", () => {
  const assignments: Assignment[] = envAssignments({
    RUN_DOCKER_WORKDIR: "/srv/work",
    RUN_DOCKER_ENGINE: "/usr/bin/podman",
    RUN_DOCKER_INIT: "false",
    RUN_DOCKER_NOTEBOOK_PORT: "9999",
    RUN_DOCKER_UNRELATED: "ignored",
  });
  const { config, provenance } = mergeConfig([assignments]);
  assert.equal(config.workdir, "/srv/work");
  assert.equal(config.engine, "/usr/bin/podman");
  assert.equal(config.init, false);
  assert.equal(config.notebook_port, 9999);
  assert.equal(provenance.get("engine"), "env RUN_DOCKER_ENGINE");
  assert.throws(
    () => envAssignments({ RUN_DOCKER_MEMORY: "12gb!" }),
    /^ConfigError: RUN_DOCKER_MEMORY: bad size/,
  );
  assert.throws(
    () => envAssignments({ RUN_DOCKER_INIT: "maybe" }),
    /RUN_DOCKER_INIT: expected true or false/,
  );
});

Deno.test("expandPath() expands ~ and ${VAR}", () => {
  assert.equal(expandPath("~/work", "/home/z", {}), "/home/z/work");
  assert.equal(expandPath("${SCRATCH}/w", "/home/z", { SCRATCH: "/scratch" }), "/scratch/w");
  assert.throws(
    () => expandPath("${NOPE}/w", "/h", {}),
    /\$\{NOPE\} in "\$\{NOPE\}\/w" is not set/,
  );
});

Deno.test("formatConfig() comments every value with its source and reads back as YAML", () => {
  const { config, provenance } = mergeConfig([
    layer("memory: 8g\nenv:\n  A: 'x: y'\nports: ['8080:80']\n"),
  ]);
  const text = formatConfig(config, provenance, ["f.yaml"]);
  assert.match(text, /^memory: "8g" {2}# f\.yaml:1$/m);
  assert.match(text, /^shm_size: "4g" {2}# default$/m);
  assert.match(text, /^ {2}A: <set> {2}# f\.yaml:3$/m);
  const reparsed =
    mergeConfig([validateConfig(parseConfigText(text.replace(/^#.*$/gm, ""), "out"), "out")])
      .config;
  assert.equal(reparsed.memory, "8g");
  assert.deepEqual(reparsed.env, { A: "<set>" });
  assert.deepEqual(reparsed.ports, ["8080:80"]);
});

/** Loads the configuration with `yaml` as the project file of ~/work/src/app (and `user` as the user file). */
function loadWithProject(yaml: string, user?: string) {
  const home = "/home/z";
  const files: Record<string, string> = { [`${home}/work/src/app/run-docker.yaml`]: yaml };
  const env: Record<string, string> = { HOME: home, XDG_CONFIG_HOME: `${home}/none` };
  if (user !== undefined) {
    files[`${home}/user.yaml`] = user;
    env.RUN_DOCKER_CONFIG = `${home}/user.yaml`;
  }
  return loadAll(["e2e/app:1"], { home, env, files: memoryFiles(files) }, `${home}/work/src/app`);
}

const refusedInProject: [string, string, RegExp][] = [
  [
    "engine",
    "env:\n  A: b\nengine: /bin/evil\n",
    /:3:1: engine cannot be set in a project file: it travels with the repository, and it names a program/,
  ],
  [
    "docker_args",
    "docker_args: [--privileged]\n",
    /:1:1: docker_args cannot be set in a project file: .*--privileged/,
  ],
  [
    "volumes",
    "volumes: ['/:/host']\n",
    /:1:1: volumes cannot be set in a project file: .*mount any host path/,
  ],
  ["workdir", "workdir: /tmp\n", /:1:1: workdir cannot be set in a project file/],
  [
    "registries",
    "registries:\n  r.example:\n    insecure: true\n",
    /:1:1: registries cannot be set in a project file: .*TLS/,
  ],
  [
    "user",
    "memory: 2g\nuser: root\n",
    /:2:1: user cannot be set in a project file: .*who the container runs as/,
  ],
  ["gpus", "gpus: all\n", /:1:1: gpus cannot be set in a project file: .*devices/],
  [
    "notebook_bind",
    "notebook_bind: 0.0.0.0\n",
    /:1:1: notebook_bind cannot be set in a project file: .*every network interface/,
  ],
  ["notebook_port", "notebook_port: 9999\n", /:1:1: notebook_port cannot be set in a project file/],
  [
    "container_home",
    "container_home: /root\n",
    /:1:1: container_home cannot be set in a project file/,
  ],
  [
    "timezone",
    "timezone: UTC\n",
    /:1:1: timezone cannot be set in a project file: a project file may set only env \(literal values\), ports \(on a loopback address\)/,
  ],
  [
    "init",
    "init: false\n",
    /:1:1: init cannot be set in a project file: a project file may set only/,
  ],
  [
    "an env pass-through (null)",
    "env:\n  A: b\n  SSH_AUTH_SOCK: null\n",
    /:3:3: env\.SSH_AUTH_SOCK: a project file cannot pass host environment values \(null copies your host's SSH_AUTH_SOCK into the container\)$/,
  ],
  [
    "the notebook shortcut as an image rule's command",
    "images:\n  '*':\n    command: [notebook, --IdentityProvider.token=known]\n",
    /:3:5: images\."\*"\.command: a project file cannot start the notebook/,
  ],
  [
    "the notebook's token",
    "images:\n  '*':\n    env:\n      JUPYTER_TOKEN: known\n",
    /:4:7: images\."\*"\.env\.JUPYTER_TOKEN: a project file cannot set the notebook.s token/,
  ],
  [
    "an env pass-through (empty)",
    "env:\n  AWS_SECRET_ACCESS_KEY:\n",
    /:2:3: env\.AWS_SECRET_ACCESS_KEY: a project file cannot pass host environment values/,
  ],
  [
    "a port on every interface",
    "ports: ['0.0.0.0:5477:5477']\n",
    /:1:9: ports: "0\.0\.0\.0:5477:5477" is not bound to a loopback address/,
  ],
  [
    "a port with no address",
    "ports:\n  - 127.0.0.1:1:1\n  - '5477'\n",
    /:3:5: ports: "5477" is not bound to a loopback address/,
  ],
  ["a host:container port", "ports: ['8080:80']\n", /ports: "8080:80" is not bound/],
  [
    "a port on all IPv6 interfaces",
    "ports: ['[::]:8080:80']\n",
    /ports: "\[::\]:8080:80" is not bound/,
  ],
  [
    "a port on a private address",
    "ports: ['10.0.0.1:8080:80']\n",
    /ports: "10\.0\.0\.1:8080:80" is not bound/,
  ],
  ["a port on a look-alike address", "ports: ['127.0.0.1.nip.io:8080:80']\n", /is not bound/],
  [
    "gpus in an image rule",
    'images:\n  "*":\n    memory: 1g\n    gpus: all\n',
    /:4:5: images\."\*"\.gpus cannot be set in a project file: .*devices/,
  ],
  [
    "an env pass-through in an image rule",
    'images:\n  "e2e/*":\n    env:\n      HOSTSECRET: ~\n',
    /:4:7: images\."e2e\/\*"\.env\.HOSTSECRET: a project file cannot pass host environment values/,
  ],
];
for (const [name, yaml, message] of refusedInProject) {
  Deno.test(`loadConfig() refuses in a project file ${name}, naming file:line:col, key and why`, async () => {
    await assert.rejects(loadWithProject(yaml), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /^~\/work\/src\/app\/run-docker\.yaml:\d+:\d+: /);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n") && e.hint.length > 0);
      return true;
    });
  });
}

Deno.test("loadConfig() takes from a project file what cannot reach the host", async () => {
  const loaded = await loadWithProject(
    "env:\n  A: b\n  EMPTY: ''\nports:\n  - 127.0.0.1:8080:80\n  - 127.1.2.3::81/udp\n" +
      "  - '[::1]:8443:443'\nmemory: 2g\nshm_size: 1g\nimages:\n  \"e2e/*\":\n" +
      "    tag_order: semver\n    tag_filter: '^v(?<version>.*)$'\n    tag_range: '^1'\n" +
      "    command: [python, -m, app]\n    memory: 3g\n    env:\n      B: c\n",
  );
  assert.deepEqual(loaded.config.env, { A: "b", EMPTY: "" });
  assert.deepEqual(loaded.config.ports, [
    "127.0.0.1:8080:80",
    "127.1.2.3::81/udp",
    "[::1]:8443:443",
  ]);
  assert.equal(loaded.config.memory, "2g");
  assert.equal(loaded.config.shm_size, "1g");
  const { settings, policy } = settingsFor(loaded.config, loaded.provenance, "e2e/app");
  assert.deepEqual(policy, { order: "semver", filter: "^v(?<version>.*)$", range: "^1" });
  assert.deepEqual(settings.command, ["python", "-m", "app"]);
  assert.equal(settings.memory, "3g");
  assert.deepEqual(settings.env, { A: "b", EMPTY: "", B: "c" });
});

Deno.test("loadConfig() lets your own file set what a project file may not", async () => {
  const loaded = await loadWithProject(
    "memory: 2g\n",
    "user: root\ngpus: all\nnotebook_bind: 0.0.0.0\nenv:\n  AWS_PROFILE: null\nports: ['8080:80']\n",
  );
  assert.equal(loaded.config.user, "root");
  assert.equal(loaded.config.gpus, "all");
  assert.deepEqual(loaded.config.env, { AWS_PROFILE: null });
  assert.deepEqual(loaded.config.ports, ["8080:80"]);
  assert.equal(loaded.config.memory, "2g");
});

Deno.test("loadConfig() refuses a tag_filter RE2 cannot run, at its line and column", async () => {
  await assert.rejects(
    loadWithProject("memory: 2g\n", 'images:\n  "a/*":\n    tag_filter: "^(v)\\\\1$"\n'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(
        e.message,
        /user\.yaml:3:17: images\."a\/\*"\.tag_filter: invalid tag filter "\^\(v\)\\\\1\$": invalid escape sequence/,
      );
      return true;
    },
  );
});

Deno.test("loadConfig() refuses a relative workdir", async () => {
  await assert.rejects(
    loadAll(["e2e/app:1"], {
      home: "/nonexistent",
      env: { XDG_CONFIG_HOME: "/nonexistent", RUN_DOCKER_WORKDIR: "$HOME/w" },
      files: memoryFiles({}),
    }),
    /workdir must be an absolute path/,
  );
});

Deno.test("run-docker refuses a project file that passes a host secret, and runs nothing", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/work/src/app`, { recursive: true });
    await Deno.writeTextFile(`${root}/work/src/app/run-docker.yaml`, "env:\n  HOSTSECRET: null\n");
    await Deno.writeTextFile(`${root}/user.yaml`, "");
    const env = Deno.env.toObject();
    for (const name of Object.keys(env)) if (name.startsWith("RUN_DOCKER_")) delete env[name];
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "-A",
        new URL("../main.ts", import.meta.url).pathname,
        "--dry-run",
        "e2e/app:1",
        "true",
      ],
      env: {
        ...env,
        RUN_DOCKER_WORKDIR: `${root}/work`,
        RUN_DOCKER_CONFIG: `${root}/user.yaml`,
        HOSTSECRET: "planted-7f3a",
      },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr).split("\n");
    assert.equal(new TextDecoder().decode(output.stdout), "");
    assert.equal(
      stderr[0],
      `run-docker: error: ${root}/work/src/app/run-docker.yaml:2:3: env.HOSTSECRET: a project file cannot pass host environment values (null copies your host's HOSTSECRET into the container)`,
    );
    assert.match(stderr[1], /^hint: /);
    assert.equal(output.code, 125);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("unknownVariables() warns about misspelled RUN_DOCKER_* variables", async () => {
  const { unknownVariables } = await import("../lib/core/config/layers.ts");
  assert.deepEqual(
    unknownVariables({ RUN_DOCKER_MEMROY: "1g", RUN_DOCKER_MEMORY: "1g", HOME: "/h" }),
    [
      "unknown variable RUN_DOCKER_MEMROY is ignored (did you mean RUN_DOCKER_MEMORY?)",
    ],
  );
});
