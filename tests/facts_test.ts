/**
 * One source for each fact: every place that reads a size, a boolean, a tag, a tag order or
 * Docker Hub's names reads it by the one definition, so they all accept the same texts.
 */

import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { envAssignments } from "../lib/core/config/layers.ts";
import { DEFAULT_CONFIG, validateConfig } from "../lib/core/config/schema.ts";
import { parseConfigText } from "../lib/core/config/yaml.ts";
import { DEFAULT_SETTINGS } from "../lib/core/facts.ts";
import { parseBool } from "../lib/core/grammar.ts";
import { DOCKER_HUB, DOCKER_HUB_API, isTag, parseReference } from "../lib/core/reference.ts";
import { apiHost } from "../lib/core/registry/hosts.ts";
import { containerConfig } from "../lib/core/render/container_config.ts";
import { validateRunRequest } from "../lib/core/request.ts";
import { planRun } from "../lib/core/run_args.ts";
import { loadTagPolicy, TAG_ORDERS, type TagPolicy } from "../lib/core/tags.ts";
import { exampleInput } from "./fixtures.ts";

const IMAGE = "zppz/app:1";
const accepts = (run: () => unknown): boolean => {
  try {
    run();
    return true;
  } catch {
    return false;
  }
};
const asyncAccepts = async (run: () => Promise<unknown>): Promise<boolean> => {
  try {
    await run();
    return true;
  } catch {
    return false;
  }
};
const configAccepts = (yaml: string) =>
  accepts(() => validateConfig(parseConfigText(yaml, "c.yaml"), "c.yaml"));

Deno.test("DEFAULT_SETTINGS are DEFAULT_CONFIG's values", async () => {
  const pairs: [unknown, unknown][] = [
    [DEFAULT_SETTINGS.containerUser, DEFAULT_CONFIG.user],
    [DEFAULT_SETTINGS.containerHome, DEFAULT_CONFIG.container_home],
    [DEFAULT_SETTINGS.memory, DEFAULT_CONFIG.memory],
    [DEFAULT_SETTINGS.shmSize, DEFAULT_CONFIG.shm_size],
    [DEFAULT_SETTINGS.notebookPort, DEFAULT_CONFIG.notebook_port],
    [DEFAULT_SETTINGS.notebookBind, DEFAULT_CONFIG.notebook_bind],
    [DEFAULT_SETTINGS.init, DEFAULT_CONFIG.init],
    [DEFAULT_SETTINGS.timeZone, undefined], // `host`: the host's zone
  ];
  for (const [setting, config] of pairs) assert.equal(setting, config);
  // A changed default reaches the settings: they are made from the configuration, not copied.
  const saved = DEFAULT_CONFIG.memory;
  try {
    DEFAULT_CONFIG.memory = "3g";
    const facts = await import(`../lib/core/facts.ts?changed=${Date.now()}`);
    assert.equal(facts.DEFAULT_SETTINGS.memory, "3g");
  } finally {
    DEFAULT_CONFIG.memory = saved;
  }
});

const SIZES = ["12g", "512m", "1.5g", "1 GiB", "100", "2kb", "12x", "g", "-1g", "1.g", "1e3"];
for (const size of SIZES) {
  Deno.test(`a size reads the same everywhere: ${JSON.stringify(size)}`, () => {
    const option = accepts(() => validateRunRequest(parseRunRequest(["--memory", size, IMAGE])));
    const shm = accepts(() => validateRunRequest(parseRunRequest([`--shm-size=${size}`, IMAGE])));
    const file = configAccepts(`memory: ${JSON.stringify(size)}\n`);
    const rule = configAccepts(`images:\n  "*":\n    memory: ${JSON.stringify(size)}\n`);
    const env = accepts(() => envAssignments({ RUN_DOCKER_SHM_SIZE: size }));
    assert.deepEqual([shm, file, rule, env], [option, option, option, option]);
  });
}

const BOOLEANS: [string, boolean | undefined][] = [
  ["1", true],
  ["t", true],
  ["TRUE", true],
  ["True", true],
  ["0", false],
  ["F", false],
  ["false", false],
  ["yes", undefined],
  ["on", undefined],
  ["tRuE", undefined],
  ["", undefined],
];
for (const [word, value] of BOOLEANS) {
  Deno.test(`a boolean reads the same everywhere: ${JSON.stringify(word)}`, () => {
    assert.equal(parseBool(word), value);
    const option = accepts(() => validateRunRequest(parseRunRequest([`--init=${word}`, IMAGE])));
    const own = accepts(() => parseRunRequest([`--dry-run=${word}`, IMAGE]));
    const variable = accepts(() => envAssignments({ RUN_DOCKER_INIT: word || "x" }));
    assert.deepEqual([option, own, variable], Array(3).fill(value !== undefined));
    if (value === undefined) return;
    // What the container gets: docker's --init=WORD, and Compose/Kubernetes' view of the same run.
    const { spec } = planRun(exampleInput([`--init=${word}`, "-i=" + word, IMAGE]));
    const config = containerConfig(spec);
    assert.equal(config.init, value);
    assert.equal(config.interactive, value);
  });
}

const TAGS = ["1", "v1.2.3-rc1", "a_b", "_x", ".x", "-x", "x".repeat(128), "x".repeat(129)];
for (const tag of TAGS) {
  Deno.test(`a tag reads the same in a reference and a tag list: ${tag.slice(0, 12)}`, () => {
    assert.equal(accepts(() => parseReference(`app:${tag}`)), isTag(tag));
  });
}

for (const order of [...TAG_ORDERS, "random", "Semver", "toString"]) {
  Deno.test(`a tag order reads the same everywhere: ${JSON.stringify(order)}`, async () => {
    const known = (TAG_ORDERS as readonly string[]).includes(order);
    const option = accepts(() =>
      validateRunRequest(parseRunRequest([`--tag-order=${order}`, IMAGE]))
    );
    const file = configAccepts(`images:\n  "*":\n    tag_order: ${JSON.stringify(order)}\n`);
    const policy = await asyncAccepts(() => loadTagPolicy({ order: order as TagPolicy["order"] }));
    assert.deepEqual([option, file, policy], [known, known, known]);
  });
}

Deno.test("Docker Hub's names lead to one registry and one API host", () => {
  for (const name of ["ubuntu", "docker.io/library/ubuntu", "index.docker.io/library/ubuntu"]) {
    const { registry } = parseReference(name);
    assert.equal(registry, DOCKER_HUB);
    assert.equal(apiHost(registry), DOCKER_HUB_API);
  }
  assert.equal(apiHost("index.docker.io"), DOCKER_HUB_API);
  assert.equal(apiHost("ghcr.io"), "ghcr.io");
});
