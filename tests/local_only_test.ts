/**
 * Images rule `registry: none` (issue 11, point 10): the key's values, where it may be set, and
 * what the lookup is told. The lookup itself: tests/image_test.ts; end to end:
 * tests/e2e_tag_rules_test.ts.
 */

import assert from "node:assert/strict";
import { ConfigError } from "../lib/core/config/errors.ts";
import { mergeConfig, validateConfig } from "../lib/core/config/schema.ts";
import { settingsFor } from "../lib/core/config/settings.ts";
import { checkProjectFile } from "../lib/core/config/project.ts";
import { parseConfigText } from "../lib/core/config/yaml.ts";

const RULES = `images:
  "myteam/*":
    registry: none
  "myteam/web":
    memory: 2g
  "other/*":
    memory: 1g
`;

const merged = (yaml: string, file = "f.yaml") =>
  mergeConfig([validateConfig(parseConfigText(yaml, file), file)]);

Deno.test("settingsFor(): registry: none makes matching images local only, naming the glob", () => {
  const { config, provenance } = merged(RULES);
  assert.equal(settingsFor(config, provenance, "myteam/web").localOnly, "myteam/*");
  assert.equal(settingsFor(config, provenance, "myteam/api").localOnly, "myteam/*");
  assert.equal(settingsFor(config, provenance, "other/app").localOnly, undefined);
  assert.equal(settingsFor(config, provenance, "myteam").localOnly, undefined);
});

Deno.test("validateConfig(): registry takes only none", () => {
  assert.throws(
    () => merged('images:\n  "a/*":\n    registry: docker.io\n'),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message ===
        'f.yaml:3:15: images."a/*".registry: expected none (no registry lookup for these images), got "docker.io"',
  );
});

Deno.test("checkProjectFile(): a project file may set registry: none (it only saves network)", () => {
  const file = "run-docker.yaml";
  checkProjectFile(parseConfigText(RULES, file), file);
  assert.equal(merged(RULES, file).config.images["myteam/*"].registry, "none");
});
