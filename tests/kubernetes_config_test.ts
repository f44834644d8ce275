/**
 * The `kubernetes` configuration keys (`data_claim`, `log_claim`): where they may be set, how
 * they are checked and shown.
 */

import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { ConfigError } from "../lib/core/config/errors.ts";
import { formatConfig } from "../lib/core/config/layers.ts";
import { loadBaseConfig, loadConfig } from "../lib/edge/config/load.ts";
import { ENV_KEYS, mergeConfig, validateConfig } from "../lib/core/config/schema.ts";
import { parseConfigText } from "../lib/core/config/yaml.ts";

const layer = (yaml: string) => validateConfig(parseConfigText(yaml, "f.yaml"), "f.yaml");

Deno.test("validateConfig() takes kubernetes.data_claim and log_claim; --print-config shows them", () => {
  const { config, provenance } = mergeConfig([
    layer("kubernetes:\n  data_claim: team-data\n"),
    layer("kubernetes:\n  log_claim: logs.v1\n"),
  ]);
  assert.deepEqual(config.kubernetes, { data_claim: "team-data", log_claim: "logs.v1" });
  const text = formatConfig(config, provenance, ["f.yaml"]);
  assert.ok(
    text.endsWith(
      "kubernetes:\n  data_claim: team-data  # f.yaml:2\n  log_claim: logs.v1  # f.yaml:2\n",
    ),
    text,
  );
  assert.ok(mergeConfig([]).config.kubernetes !== undefined);
  assert.ok(
    formatConfig(mergeConfig([]).config, new Map(), []).endsWith("kubernetes: {}  # default\n"),
  );
});

const REFUSED: [string, string, string, string][] = [
  [
    "a misspelled key",
    "kubernetes:\n  data_clam: x\n",
    'f.yaml:2:3: unknown key "data_clam" in kubernetes (did you mean "data_claim"?)',
    "known keys under kubernetes: data_claim, log_claim",
  ],
  [
    "a claim name Kubernetes would refuse",
    "kubernetes:\n  log_claim: Team_Logs\n",
    'f.yaml:2:14: kubernetes.log_claim: "Team_Logs" is not a PersistentVolumeClaim name',
    "a claim name is lowercase letters, digits, - and ., e.g. team-data",
  ],
  [
    "a list",
    "kubernetes: [a]\n",
    "f.yaml:1:13: kubernetes: expected a map",
    "see the keys in README.md",
  ],
];
for (const [name, yaml, message, hint] of REFUSED) {
  Deno.test(`validateConfig() refuses in kubernetes ${name}`, () => {
    assert.throws(
      () => layer(yaml),
      (e: unknown) => e instanceof ConfigError && e.message === message && e.hint === hint,
    );
  });
}

Deno.test("kubernetes is not a RUN_DOCKER_<KEY> variable (it is a map)", () => {
  assert.ok(!ENV_KEYS.includes("kubernetes"));
});

Deno.test("loadConfig() refuses kubernetes claims in a project file, takes them from yours", async () => {
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
    await Deno.writeTextFile(`${home}/user.yaml`, "kubernetes:\n  data_claim: mine\n");
    const env = { HOME: home, RUN_DOCKER_CONFIG: `${home}/user.yaml` };
    const load = async (project: boolean) =>
      loadConfig(
        parseRunRequest(["e2e/app:1"]),
        await loadBaseConfig({ home, env }),
        project ? `${home}/work/src/app` : undefined,
      );
    assert.deepEqual((await load(false)).config.kubernetes, { data_claim: "mine" });
    await Deno.writeTextFile(
      `${home}/work/src/app/run-docker.yaml`,
      "kubernetes:\n  data_claim: theirs\n",
    );
    await assert.rejects(load(true), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(
        e.message,
        /^~\/work\/src\/app\/run-docker\.yaml:1:1: kubernetes cannot be set in a project file: /,
      );
      return true;
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
