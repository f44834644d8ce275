/**
 * Table tests of what run-docker prints (lib/format/): `--explain`, the `--dry-run` line,
 * `--resolve`, the image-rules tail of `--print-config IMAGE`, and `--emit`'s YAML.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { DEFAULT_SETTINGS } from "../lib/core/facts.ts";
import { formatDryRun } from "../lib/core/format/dry_run.ts";
import { formatEmitted } from "../lib/core/format/emit.ts";
import { formatExplain, type TagChoiceFacts } from "../lib/core/format/explain.ts";
import { formatImageRules } from "../lib/core/format/image_rules.ts";
import { formatResolve } from "../lib/core/format/resolve.ts";

const APP = { registry: "docker.io", repository: "zppz/app" };

const EXPLAIN: [string, string[], TagChoiceFacts, string[], string[]][] = [
  [
    "a given tag, no files",
    ["mode: prod (/w/src/app does not exist)", "added --rm (always, unless detached)"],
    { image: { ...APP, tag: "1" }, source: "given", candidates: 0 },
    [],
    [
      "mode: prod (/w/src/app does not exist)",
      "tag: zppz/app:1 (given)",
      "added --rm (always, unless detached)",
    ],
  ],
  [
    "a chosen tag by its order, files first",
    ["mode: dev (--hostsrcdir)"],
    { image: { ...APP, tag: "1.2.0" }, source: "both", candidates: 7, order: "semver" },
    ["/etc/run-docker/config.yaml", "~/.config/run-docker/config.yaml"],
    [
      "config: /etc/run-docker/config.yaml, ~/.config/run-docker/config.yaml",
      "mode: dev (--hostsrcdir)",
      "tag: 1.2.0 (newest of 7 by semver order; both)",
    ],
  ],
  [
    "a digest",
    ["mode: prod"],
    { image: { ...APP, digest: `sha256:${"a".repeat(64)}` }, source: "given", candidates: 0 },
    [],
    ["mode: prod", `tag: zppz/app@sha256:${"a".repeat(64)} (given)`],
  ],
];
for (const [name, lines, tag, files, expected] of EXPLAIN) {
  Deno.test(`formatExplain(): ${name}`, () => {
    assert.equal(
      formatExplain(lines, tag, files),
      expected.map((line) => `run-docker: explain: ${line}\n`).join(""),
    );
  });
}

const DRY_RUN: [string, Parameters<typeof formatDryRun>[0], string][] = [
  [
    "the run alone",
    { program: "docker", args: ["run", "img"], missingDirs: [] },
    "docker run img\n",
  ],
  [
    "directories to make, a pull, quoting",
    {
      program: "/opt/my docker",
      args: ["run", "--env", "A=it's", "img:2"],
      pull: ["img:2"],
      missingDirs: ["/w/data", "/w/my log"],
    },
    "mkdir -p -- /w/data '/w/my log' && '/opt/my docker' pull img:2 && " +
    "'/opt/my docker' run --env 'A=it'\\''s' img:2\n",
  ],
];
for (const [name, facts, expected] of DRY_RUN) {
  Deno.test(`formatDryRun(): ${name}`, () => assert.equal(formatDryRun(facts), expected));
}

Deno.test("formatResolve(): the reference, or one JSON object", () => {
  const facts = {
    reference: "zppz/app:2",
    source: "remote",
    candidates: 3,
    policy: { order: "semver" as const },
    registry: "ok",
  };
  assert.equal(formatResolve(facts, false), "zppz/app:2\n");
  assert.equal(
    formatResolve({ ...facts, extra: 1 } as typeof facts, true),
    '{"reference":"zppz/app:2","source":"remote","candidates":3,"policy":{"order":"semver"},"registry":"ok"}\n',
  );
});

Deno.test("formatImageRules(): what the matching rules make, only what they set", () => {
  const settings = {
    ...DEFAULT_SETTINGS,
    memory: "20g",
    gpus: "all",
    command: ["python", "-m", "app"],
    env: { BASE: "1", ADDED: "2" },
    provenance: new Map([["memory", "c.yaml:4"]]),
  };
  assert.equal(
    formatImageRules("zppz/app", ["zppz/*", "*/app"], settings, { order: "semver", filter: "^v" }, {
      BASE: "1",
    }),
    [
      '# for zppz/app, images rules "zppz/*", "*/app" make:',
      "#   memory: 20g  (c.yaml:4)",
      "#   gpus: all  (default)",
      '#   command: ["python","-m","app"]',
      "#   tag_order: semver",
      '#   tag_filter: "^v"',
      "#   env: ADDED",
    ].join("\n") + "\n",
  );
  assert.equal(formatImageRules("zppz/app", [], settings, {}, {}), "");
});

Deno.test("formatEmitted(): a comment cannot end its line (YAML 1.1 breaks: NEL, LS, PS)", () => {
  // An image's user or a path lands in a note; PyYAML and go-yaml end a comment at U+0085,
  // U+2028 and U+2029 too, so an unescaped one would add keys of its own to the document.
  for (const injected of ["\u2028", "\u2029", "\u0085", "\r"]) {
    const text = formatEmitted({ a: 1 }, [
      `user: x${injected}privileged: true${injected}# is a name`,
    ]);
    assert.deepEqual(parse(text, { version: "1.1" }), { a: 1 });
    assert.equal(text.split(/[\r\n\u0085\u2028\u2029]/).length, 3, JSON.stringify(text));
  }
});

Deno.test("formatEmitted(): comments on top, YAML 1.1 strings stay strings, no anchors", () => {
  const labels = { "run-docker.mode": "prod" };
  const document = {
    metadata: { labels },
    template: { labels },
    args: ["yes", "on", "0755", "1:20", "$$HOME", "x".repeat(120)],
  };
  const text = formatEmitted(document, ["one", "two\nlines"]);
  assert.equal(
    text,
    "# one\n# two lines\n" +
      "metadata:\n  labels:\n    run-docker.mode: prod\n" +
      "template:\n  labels:\n    run-docker.mode: prod\n" +
      `args:\n  - "yes"\n  - "on"\n  - "0755"\n  - "1:20"\n  - $$HOME\n  - ${"x".repeat(120)}\n`,
  );
  // What PyYAML (docker-compose) and go-yaml (kubectl) read: YAML 1.1.
  assert.deepEqual(parse(text, { version: "1.1" }), document);
});
