/**
 * Configuration tooling (issue 12, point 6): `--config-schema` (a JSON Schema of config.yaml
 * from the key table, checked with ajv against README's examples), `--print-config` with the
 * variable warnings of a run, `workdir` and `engine` at their defaults, and `--json`, and one
 * engine variable (`RUN_DOCKER_ENGINE`; `RUN_DOCKER_DOCKER` a deprecated alias).
 */

import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { configJson } from "../lib/core/config/config_json.ts";
import { configSchema } from "../lib/core/config/json_schema.ts";
import { envAssignments, formatConfig, variableWarnings } from "../lib/core/config/layers.ts";
import { KEY_KINDS, mergeConfig, validateConfig } from "../lib/core/config/schema.ts";
import { parseConfigText } from "../lib/core/config/yaml.ts";

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** run-docker itself (from source), with a clean RUN_DOCKER_* environment and a temp HOME. */
async function runDocker(args: string[], env: Record<string, string>) {
  const home = await Deno.makeTempDir({ prefix: "run-docker-tooling-" });
  try {
    const base: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    };
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
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** README's YAML examples of configuration files (`# …config.yaml` or `run-docker.yaml`). */
function readmeConfigs(): string[] {
  return [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1])
    .filter((text) => /config\.yaml|run-docker\.yaml/.test(text.split("\n")[0]));
}

Deno.test("--config-schema is a draft-07 schema that accepts README's configs and refuses misspellings", async () => {
  const out = await runDocker(["--config-schema"], {});
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, "");
  const schema: { $schema: string; properties: object } = JSON.parse(out.stdout);
  assert.deepEqual(JSON.parse(out.stdout), configSchema());
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  assert.deepEqual(Object.keys(schema.properties), Object.keys(KEY_KINDS));
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  const valid = ajv.compile(schema);
  const examples = readmeConfigs();
  assert.ok(examples.length >= 1, "README has a configuration example");
  for (const text of examples) {
    // run-docker accepts it too: the schema and the validator agree on README's examples.
    validateConfig(parseConfigText(text, "example.yaml"), "example.yaml");
    assert.ok(valid(parse(text)), `${text}\n${JSON.stringify(valid.errors)}`);
  }
  const refused: [string, unknown][] = [
    ["a misspelled key", { shm_szie: "4g" }],
    ["a misspelled key in an images rule", { images: { "zppz/*": { tag_ordr: "semver" } } }],
    ["a misspelled registry field", { registries: { "r:5000": { insecur: true } } }],
    ["a misspelled kubernetes field", { kubernetes: { data_clam: "x" } }],
    ["a wrong type", { init: "yes" }],
    ["a tag order that is none", { images: { "a/*": { tag_order: "newest" } } }],
    ["a port out of range", { notebook_port: 70000 }],
    ["a list that is a string", { volumes: "/a:/b" }],
    ["a relative container_home", { container_home: "home" }],
    ["selinux as a word", { selinux: "sometimes" }],
    ["a size docker refuses", { memory: "4x" }],
    ["a size docker refuses in an images rule", { images: { "a/*": { memory: "lots" } } }],
    ["a registry other than none", { images: { "a/*": { registry: "docker.io" } } }],
  ];
  for (const [what, config] of refused) assert.equal(valid(config), false, what);
});

Deno.test("README shows the yaml-language-server line for the schema", () => {
  assert.match(README, /# yaml-language-server: \$schema=\S+/);
  assert.match(README, /run-docker --config-schema > /);
});

Deno.test("--print-config warns about misspelled variables, shows workdir and engine, and takes --json", async () => {
  const env = { RUN_DOCKER_MEMROY: "8g", RUN_DOCKER_SHM_SIZE: "2g" };
  const text = await runDocker(["--print-config"], env);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stderr,
    "run-docker: warning: unknown variable RUN_DOCKER_MEMROY is ignored (did you mean RUN_DOCKER_MEMORY?)\n",
  );
  assert.match(text.stdout, /^workdir: "~\/work" {2}# default$/m);
  assert.match(text.stdout, /^engine: auto {2}# default$/m);
  assert.match(text.stdout, /^shm_size: "2g" {2}# env RUN_DOCKER_SHM_SIZE$/m);

  const json = await runDocker(["--print-config", "--json"], { ...env, RUN_DOCKER_SECRET_ENV: "" });
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stderr, /unknown variable RUN_DOCKER_MEMROY/);
  const shown = JSON.parse(json.stdout);
  assert.deepEqual(shown.files, []);
  assert.deepEqual(Object.keys(shown.config), Object.keys(KEY_KINDS));
  assert.equal(shown.config.workdir, "~/work");
  assert.equal(shown.config.engine, "auto");
  assert.equal(shown.config.shm_size, "2g");
  assert.equal(shown.sources.shm_size, "env RUN_DOCKER_SHM_SIZE");
  assert.equal(shown.sources.engine, "default");

  const withImage = await runDocker(["--print-config", "--json", "--local", "zppz/app"], {});
  assert.equal(withImage.code, 0, withImage.stderr);
  assert.deepEqual(JSON.parse(withImage.stdout).image, {
    name: "zppz/app",
    rules: [],
    memory: "12g",
    gpus: "auto",
    policy: {},
  });
});

Deno.test("--print-config --json never shows an env value", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/config.yaml`;
    await Deno.writeTextFile(
      file,
      "env:\n  TOKEN: hunter2-secret\n  AWS_PROFILE: null\nimages:\n  'a/*':\n    env:\n      K: hunter3-secret\n",
    );
    const out = await runDocker(["--print-config", "--json"], { RUN_DOCKER_CONFIG: file });
    assert.equal(out.code, 0, out.stderr);
    assert.ok(!out.stdout.includes("hunter"), out.stdout);
    const shown = JSON.parse(out.stdout);
    assert.deepEqual(shown.config.env, { TOKEN: "<set>", AWS_PROFILE: "<passed from the host>" });
    assert.deepEqual(shown.config.images["a/*"].env, { K: "<set>" });
    assert.equal(shown.sources["env.TOKEN"], `${file}:2`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--print-config (text and --json) shows no control character as it is", async () => {
  // A project file's command with a bidi override (U+202E) or U+2028 would show reordered.
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/config.yaml`;
    const command = ["sh", "-c", "echo \u202eabc\u2028\u007f\u0085"];
    await Deno.writeTextFile(file, `images:\n  'a/*':\n    command: ${JSON.stringify(command)}\n`);
    for (const args of [["--json"], ["--json", "--local", "a/b"], [], ["--local", "a/b"]]) {
      const out = await runDocker(["--print-config", ...args], { RUN_DOCKER_CONFIG: file });
      assert.equal(out.code, 0, out.stderr);
      const hidden = out.stdout.replaceAll("\n", "").match(/[\p{C}\p{Zl}\p{Zp}]/u);
      assert.equal(hidden, null, `${args.join(" ")}: ${JSON.stringify(hidden)}`);
      if (args[0] === "--json") {
        assert.deepEqual(JSON.parse(out.stdout).config.images["a/*"].command, command);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RUN_DOCKER_ENGINE names the engine; RUN_DOCKER_DOCKER still works, with a warning", () => {
  const engine = (env: Record<string, string>) => {
    const { config, provenance } = mergeConfig([envAssignments(env)]);
    return [config.engine, provenance.get("engine")];
  };
  assert.deepEqual(engine({ RUN_DOCKER_ENGINE: "podman" }), ["podman", "env RUN_DOCKER_ENGINE"]);
  assert.deepEqual(engine({ RUN_DOCKER_DOCKER: "/x/docker" }), [
    "/x/docker",
    "env RUN_DOCKER_DOCKER",
  ]);
  assert.deepEqual(engine({ RUN_DOCKER_DOCKER: "/x/docker", RUN_DOCKER_ENGINE: "podman" }), [
    "podman",
    "env RUN_DOCKER_ENGINE",
  ]);
  assert.deepEqual(variableWarnings({ RUN_DOCKER_ENGINE: "podman" }), []);
  assert.deepEqual(variableWarnings({ RUN_DOCKER_DOCKER: "/x/docker" }), [
    "RUN_DOCKER_DOCKER is deprecated: set RUN_DOCKER_ENGINE (the engine key) instead",
  ]);
  assert.deepEqual(variableWarnings({ RUN_DOCKER_DOCKER: "a", RUN_DOCKER_ENGINE: "b" }), [
    "RUN_DOCKER_DOCKER is ignored: RUN_DOCKER_ENGINE is set (and RUN_DOCKER_DOCKER is deprecated)",
  ]);
  // README documents the one that is not deprecated, and names the alias as deprecated.
  const environment = README.slice(README.indexOf("## Environment"));
  assert.match(environment, /\| `RUN_DOCKER_ENGINE` +\|/);
  assert.doesNotMatch(environment.split("\n## ")[0], /\| `RUN_DOCKER_DOCKER`/);
  assert.match(README, /`RUN_DOCKER_DOCKER`[^.\n]*deprecated/);
});

Deno.test("formatConfig() shows workdir and engine at their defaults", () => {
  const { config, provenance } = mergeConfig([]);
  const text = formatConfig(config, provenance, []);
  assert.match(text, /^workdir: "~\/work" {2}# default$/m);
  assert.match(text, /^engine: auto {2}# default$/m);
});

Deno.test("configJson(): a map or list set in a file is not 'default'; its entries say where", () => {
  const file = "config.yaml";
  const text = 'env: {A: x}\nvolumes: ["/a:/b"]\nimages:\n  "nu-*": {registry: none}\n';
  const { config, provenance } = mergeConfig([validateConfig(parseConfigText(text, file), file)]);
  const { sources } = configJson(config, provenance, [file]);
  for (const key of ["env", "volumes", "images"]) {
    assert.equal(sources[key], undefined, `${key}: ${sources[key]}`);
  }
  assert.equal(sources["env.A"], `${file}:1`);
  assert.equal(sources["volumes[0]"], `${file}:2`);
  assert.equal(sources['images."nu-*".registry'], `${file}:4`);
  assert.equal(sources.registries, "default");
});
