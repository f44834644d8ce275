import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/cli.ts";
import { ConfigError } from "../lib/config/errors.ts";
import { envAssignments, formatConfig, optionAssignments } from "../lib/config/layers.ts";
import { type Assignment, mergeConfig, validateConfig } from "../lib/config/schema.ts";
import { expandPath, settingsFor } from "../lib/config/settings.ts";
import { parseConfigText } from "../lib/config/yaml.ts";

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
  ["a bad regex", 'images:\n  "a":\n    tag_filter: "("\n', /images\.a\.tag_filter: bad regex/],
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
    /user: expected docker-user, root, host, a name or uid\[:gid\]/,
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
  ["a custom YAML tag", "memory: !custom 8g\n", /YAML tags like !custom are not supported/],
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
    RUN_DOCKER_DOCKER: "/usr/bin/podman",
    RUN_DOCKER_INIT: "false",
    RUN_DOCKER_NOTEBOOK_PORT: "9999",
    RUN_DOCKER_UNRELATED: "ignored",
  });
  const { config, provenance } = mergeConfig([assignments]);
  assert.equal(config.workdir, "/srv/work");
  assert.equal(config.engine, "/usr/bin/podman");
  assert.equal(config.init, false);
  assert.equal(config.notebook_port, 9999);
  assert.equal(provenance.get("engine"), "env RUN_DOCKER_DOCKER");
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

Deno.test("formatConfig() comments every value with its source and reads back as the same YAML", () => {
  const { config, provenance } = mergeConfig([
    layer("memory: 8g\nenv:\n  A: 'x: y'\nports: ['8080:80']\n"),
  ]);
  const text = formatConfig(config, provenance, ["f.yaml"]);
  assert.match(text, /^memory: "8g" {2}# f\.yaml:1$/m);
  assert.match(text, /^shm_size: "4g" {2}# default$/m);
  assert.match(text, /^ {2}A: "x: y" {2}# f\.yaml:3$/m);
  const reparsed =
    mergeConfig([validateConfig(parseConfigText(text.replace(/^#.*$/gm, ""), "out"), "out")])
      .config;
  assert.equal(reparsed.memory, "8g");
  assert.deepEqual(reparsed.env, { A: "x: y" });
  assert.deepEqual(reparsed.ports, ["8080:80"]);
});

Deno.test("loadConfig() refuses keys a cloned repository must not set, and a relative workdir", async () => {
  const { loadConfig } = await import("../lib/config/load.ts");
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
    const request = parseRunRequest(["e2e/app:1"]);
    const env = { HOME: home, XDG_CONFIG_HOME: `${home}/none` };
    for (
      const key of [
        "engine: /bin/evil",
        "docker_args: [--privileged]",
        "volumes: ['/:/host']",
        "workdir: /tmp",
      ]
    ) {
      await Deno.writeTextFile(`${home}/work/src/app/run-docker.yaml`, `env:\n  A: b\n${key}\n`);
      await assert.rejects(
        loadConfig(request, { home, env }, () => `${home}/work/src/app`),
        new RegExp(`run-docker\\.yaml:3: ${key.split(":")[0]} cannot be set in a project file`),
      );
    }
    await Deno.writeTextFile(`${home}/work/src/app/run-docker.yaml`, "env:\n  A: b\n");
    const loaded = await loadConfig(request, { home, env }, () => `${home}/work/src/app`);
    assert.deepEqual(loaded.config.env, { A: "b" });
    await assert.rejects(
      loadConfig(
        request,
        { home, env: { ...env, RUN_DOCKER_WORKDIR: "$HOME/w" } },
        () => undefined,
      ),
      /workdir must be an absolute path/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("unknownVariables() warns about misspelled RUN_DOCKER_* variables", async () => {
  const { unknownVariables } = await import("../lib/config/layers.ts");
  assert.deepEqual(
    unknownVariables({ RUN_DOCKER_MEMROY: "1g", RUN_DOCKER_MEMORY: "1g", HOME: "/h" }),
    [
      "unknown variable RUN_DOCKER_MEMROY is ignored (did you mean RUN_DOCKER_MEMORY?)",
    ],
  );
});
