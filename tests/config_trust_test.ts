/**
 * Configuration files a hostile repository or a careless operator could write: a project file
 * that links elsewhere, YAML tags and directives, several documents, unknown keys full of junk;
 * and what `--print-config` and the hints show (issue 8, "Trust").
 */

import assert from "node:assert/strict";
import { ConfigError } from "../lib/core/config/errors.ts";
import { formatConfig, unknownVariables } from "../lib/core/config/layers.ts";
import { mergeConfig, validateConfig } from "../lib/core/config/schema.ts";
import { parseConfigText } from "../lib/core/config/yaml.ts";
import { loadAll, memoryFiles } from "./config_fixture.ts";

const HOME = "/home/z";
const PROJECT_DIR = `${HOME}/work/src/app`;
const PROJECT = `${PROJECT_DIR}/run-docker.yaml`;
const USER_FILE = `${HOME}/user.yaml`;

const layer = (yaml: string, file = "f.yaml") => validateConfig(parseConfigText(yaml, file), file);

/** The ConfigError a promise rejects with (the test fails when it resolves or throws another). */
async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail("no error");
}

/** The ConfigError a function throws. */
function thrown(f: () => unknown): ConfigError {
  try {
    f();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail("no error");
}

/** Loads with `table` as the files, `user.yaml` as the user file, in dev mode for ~/work/src/app. */
function load(table: Parameters<typeof memoryFiles>[0]) {
  return loadAll(["e2e/app:1"], {
    home: HOME,
    env: { RUN_DOCKER_CONFIG: USER_FILE },
    files: memoryFiles({ [USER_FILE]: "", ...table }),
  }, PROJECT_DIR);
}

/** run-docker itself, as a user runs it, with a clean RUN_DOCKER_* environment. */
async function runDocker(args: string[], env: Record<string, string>) {
  const base = Deno.env.toObject();
  for (const name of Object.keys(base)) if (name.startsWith("RUN_DOCKER_")) delete base[name];
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", new URL("../main.ts", import.meta.url).pathname, ...args],
    env: { ...base, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test("run-docker refuses a project file that is a symbolic link, and shows nothing of its target", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/work/src/myproj`, { recursive: true });
    await Deno.writeTextFile(`${root}/shadow`, "root:*:20228:0:99999:7::\n");
    await Deno.symlink(`${root}/shadow`, `${root}/work/src/myproj/run-docker.yaml`);
    await Deno.writeTextFile(`${root}/user.yaml`, "");
    const out = await runDocker(["--dry-run", "--local", "myproj"], {
      RUN_DOCKER_WORKDIR: `${root}/work`,
      RUN_DOCKER_CONFIG: `${root}/user.yaml`,
    });
    assert.equal(out.stdout, "");
    assert.equal(
      out.stderr,
      `run-docker: error: ${root}/work/src/myproj/run-docker.yaml: is a symbolic link; a project ` +
        "file must be a regular file in the source tree\n" +
        "hint: replace run-docker.yaml with a copy of the file it points to, if you trust it\n",
    );
    assert.equal(out.code, 125);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("run-docker does not echo an unknown key of a project file, only its place", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/work/src/myproj`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/work/src/myproj/run-docker.yaml`,
      "memory: 2g\nroot:*:20228:0:99999:7::\n",
    );
    await Deno.writeTextFile(`${root}/user.yaml`, "");
    const out = await runDocker(["--dry-run", "--local", "myproj"], {
      RUN_DOCKER_WORKDIR: `${root}/work`,
      RUN_DOCKER_CONFIG: `${root}/user.yaml`,
    });
    assert.equal(
      out.stderr,
      `run-docker: error: ${root}/work/src/myproj/run-docker.yaml:2:1: unknown key\n` +
        "hint: a project file may set only env, ports, memory, shm_size and images\n",
    );
    assert.equal(out.code, 125);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadConfig() reads a user file through a symbolic link (dotfiles), but not a project file", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/real.yaml`, "memory: 3g\n");
    await Deno.symlink(`${root}/real.yaml`, `${root}/user.yaml`);
    await Deno.mkdir(`${root}/src/app`, { recursive: true });
    await Deno.symlink(`${root}/real.yaml`, `${root}/src/app/run-docker.yaml`);
    const host = { home: "/nonexistent", env: { RUN_DOCKER_CONFIG: `${root}/user.yaml` } };
    assert.equal((await loadAll(["e2e/app:1"], host)).config.memory, "3g");
    const error = await configError(loadAll(["e2e/app:1"], host, `${root}/src/app`));
    assert.equal(
      error.message,
      `${root}/src/app/run-docker.yaml: is a symbolic link; a project file must be a regular file in the source tree`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadConfig() asks the injected file access about the project file itself, not what it links to", async () => {
  const error = await configError(
    load({ [PROJECT]: { link: "/etc/shadow" }, "/etc/shadow": "root:*:20228:0:99999:7::\n" }),
  );
  assert.equal(
    error.message,
    "~/work/src/app/run-docker.yaml: is a symbolic link; a project file must be a regular file in the source tree",
  );
  const user = await load({
    [USER_FILE]: { link: `${HOME}/dotfiles/rd.yaml` },
    [`${HOME}/dotfiles/rd.yaml`]: "memory: 3g\n",
  });
  assert.equal(user.config.memory, "3g");
});

Deno.test("validateConfig() shows an unknown key's text cut to 40 characters and printable", () => {
  // In YAML's double quotes: \u0085 (NEL), \e (ESC, as in a terminal escape), \u202e (bidi).
  const error = thrown(() => layer(`"${"k".repeat(100)}\\u0085\\e[2J": 1\n`));
  assert.equal(error.message, `f.yaml:1:1: unknown key "${"k".repeat(39)}…"`);
  const nested = thrown(() => layer(`registries:\n  "r\\u202e.example":\n    "x\\u0085\\ey": 1\n`));
  assert.equal(nested.message, 'f.yaml:3:5: unknown key "xy" in registries."r.example"');
});

const projectUnknown: [string, string, string, string][] = [
  [
    "a misspelled key",
    "memroy: 2g\n",
    '~/work/src/app/run-docker.yaml:1:1: unknown key (did you mean "memory"?)',
    "a project file may set only env, ports, memory, shm_size and images",
  ],
  [
    "a key near one only your own file may set",
    "usr: root\n",
    "~/work/src/app/run-docker.yaml:1:1: unknown key",
    "a project file may set only env, ports, memory, shm_size and images",
  ],
  [
    "a misspelled image field",
    'images:\n  "e2e/*":\n    tag_ordr: semver\n',
    '~/work/src/app/run-docker.yaml:3:5: unknown key in images."e2e/*" (did you mean "tag_order"?)',
    "under images, a project file may set only tag_order, tag_filter, tag_range, command, memory, env and registry",
  ],
];
for (const [name, yaml, message, hint] of projectUnknown) {
  Deno.test(`loadConfig() names ${name} in a project file by its place, with a did-you-mean over what a project file may set`, async () => {
    const error = await configError(load({ [PROJECT]: yaml }));
    assert.equal(error.message, message);
    assert.equal(error.hint, hint);
  });
}

const tagged: [string, string, string][] = [
  [
    "a standard tag on a scalar",
    "memory: !!str 3g\n",
    "f.yaml:1:15: YAML tags (!!str) are not supported",
  ],
  [
    "a standard tag on a map",
    "env: !!map {A: 1}\n",
    "f.yaml:1:12: YAML tags (!!map) are not supported",
  ],
  [
    "a standard tag on a list",
    "ports: !!seq ['127.0.0.1:1:1']\n",
    "f.yaml:1:14: YAML tags (!!seq) are not supported",
  ],
  ["a tag on a key", "? !!str memory\n: 3g\n", "f.yaml:1:9: YAML tags (!!str) are not supported"],
  ["a non-specific tag", "memory: ! 3g\n", "f.yaml:1:11: YAML tags (!) are not supported"],
  [
    "a tag on the whole file",
    "--- !!map\nmemory: 3g\n",
    "f.yaml:2:1: YAML tags (!!map) are not supported",
  ],
  [
    "a %TAG directive",
    "%TAG !e! tag:example.com,2000:\n---\nmemory: 3g\n",
    "f.yaml:1:1: YAML directives (%TAG, %YAML) are not supported",
  ],
  [
    "a %YAML directive",
    "%YAML 1.2\n---\nmemory: 3g\n",
    "f.yaml:1:1: YAML directives (%TAG, %YAML) are not supported",
  ],
];
for (const [name, yaml, message] of tagged) {
  Deno.test(`parseConfigText() refuses ${name}`, () => {
    // In YAML's double quotes: \u0085 (NEL), \e (ESC, as in a terminal escape), \u202e (bidi).
    const error = thrown(() => layer(yaml));
    assert.equal(error.message, message);
    assert.ok(error.hint.length > 0);
  });
}

const documents: [string, string, string][] = [
  [
    "two documents",
    "memory: 2g\n---\nshm_size: 1g\n",
    "f.yaml:2:1: a config file holds one YAML document",
  ],
  [
    "an ended document and another",
    "memory: 2g\n...\n---\nshm_size: 1g\n",
    "f.yaml:3:1: a config file holds one YAML document",
  ],
];
for (const [name, yaml, message] of documents) {
  Deno.test(`parseConfigText() refuses ${name} in its own words`, () => {
    // In YAML's double quotes: \u0085 (NEL), \e (ESC, as in a terminal escape), \u202e (bidi).
    const error = thrown(() => layer(yaml));
    assert.equal(error.message, message);
    assert.equal(
      error.hint,
      "keep one document: remove the --- line and what follows, or merge it",
    );
  });
}

Deno.test("parseConfigText() takes one document that starts with ---", () => {
  assert.deepEqual(layer("---\nmemory: 2g\n"), [{
    path: ["memory"],
    value: "2g",
    where: "f.yaml:2",
  }]);
});

Deno.test("formatConfig() shows each env entry's name and source, never its value", () => {
  const { config, provenance } = mergeConfig([
    layer(
      "memory: 8g\nenv:\n  SECRET: hunter2\n  AWS_PROFILE: null\n" +
        'images:\n  "a/*":\n    env:\n      TOKEN: s3cr3t\n      PASS:\n',
    ),
  ]);
  const text = formatConfig(config, provenance, ["f.yaml"]);
  assert.ok(!text.includes("hunter2") && !text.includes("s3cr3t"), text);
  assert.match(
    text,
    /^env:\n {2}SECRET: <set> {2}# f\.yaml:3\n {2}AWS_PROFILE: <passed from the host> {2}# f\.yaml:4\n/m,
  );
  assert.match(
    text,
    /^ {4}env:\n {6}TOKEN: <set> {2}# f\.yaml:8\n {6}PASS: <passed from the host> {2}# f\.yaml:9\n/m,
  );
});

Deno.test("readConfigFile() hints at what to do with the file it found: project, user or system", async () => {
  const project = await configError(load({ [PROJECT]: { dir: true } }));
  assert.equal(project.message, "~/work/src/app/run-docker.yaml: is a directory");
  assert.equal(
    project.hint,
    "run-docker.yaml in the source tree must be a YAML file: remove or rename it",
  );
  const user = await configError(load({ [USER_FILE]: { dir: true } }));
  assert.equal(user.hint, "remove it, or point RUN_DOCKER_CONFIG at a YAML file");
  const system = await configError(load({ "/etc/run-docker/config.yaml": { dir: true } }));
  assert.equal(system.hint, "replace it with a YAML file, or remove it");
});

Deno.test("unknownVariables() never suggests a test-suite variable, nor warns about one", () => {
  assert.deepEqual(
    unknownVariables({
      RUN_DOCKER_ENV: "x",
      RUN_DOCKER_E2E: "skip",
      RUN_DOCKER_TEST_ENGINE: "private",
      RUN_DOCKER_TEST_ENGIN: "x",
      RUN_DOCKER_ENGNE: "x",
    }),
    [
      "unknown variable RUN_DOCKER_ENV is ignored",
      "unknown variable RUN_DOCKER_TEST_ENGIN is ignored",
      "unknown variable RUN_DOCKER_ENGNE is ignored (did you mean RUN_DOCKER_ENGINE?)",
    ],
  );
});
