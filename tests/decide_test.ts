/**
 * Table tests of the first two decision steps (lib/core/decide.ts): the command line alone, then with
 * the configuration and the host.
 */

import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { decideRequest, type Lookup } from "../lib/core/decide.ts";
import { UsageError } from "../lib/core/errors.ts";
import { helpText } from "../lib/core/help.ts";
import type { HostPathState } from "../lib/core/layout.ts";
import { ABOUT, DATA, type Given, IMAGE, lookup, lookupOf } from "./decide_fixtures.ts";

// ---- step 1: the command line alone

Deno.test("decideRequest() answers --help and --version with their text", () => {
  assert.deepEqual(decideRequest(parseRunRequest(["--help"]), ABOUT), {
    kind: "print",
    stdout: helpText("0.1.0"),
  });
  assert.deepEqual(decideRequest(parseRunRequest(["--version", "img"]), ABOUT), {
    kind: "print",
    stdout: "run-docker 0.1.0 (x86_64-unknown-linux-gnu, deno 2.9.6)\n",
  });
  assert.deepEqual(decideRequest(parseRunRequest(["--print-config"]), ABOUT), {
    kind: "print-config",
  });
});

const EMIT_ROWS: [string, string[], string | undefined][] = [
  ["no --emit", [IMAGE], undefined],
  ["compose", ["--emit", "compose", IMAGE], "compose"],
  ["kubernetes", ["--emit=kubernetes", IMAGE], "kubernetes"],
  ["k8s is kubernetes", ["--emit", "k8s", IMAGE], "kubernetes"],
  ["with --local and --explain", ["--local", "--explain", "--emit", "compose", IMAGE], "compose"],
  ["with -d=false", ["-d=false", "--emit", "compose", IMAGE], "compose"],
];
for (const [name, argv, emit] of EMIT_ROWS) {
  Deno.test(`decideRequest() plans: ${name}`, () => {
    const step = decideRequest(parseRunRequest(argv), ABOUT);
    assert.equal(step.kind, "plan");
    assert.equal(step.kind === "plan" && step.emit, emit);
  });
}

const REFUSED: [string, string[], string, string][] = [
  [
    "an unknown format",
    ["--emit", "helm", IMAGE],
    'invalid --emit value "helm"',
    "one of compose, kubernetes, k8s",
  ],
  [
    "with --dry-run",
    ["--dry-run", "--emit", "compose", IMAGE],
    "--emit and --dry-run do not go together",
    "--emit prints a file and runs nothing; leave out --dry-run",
  ],
  [
    "with --list-tags",
    ["--list-tags", "--emit", "k8s", "img"],
    "--emit and --list-tags do not go together",
    "--emit prints a file and runs nothing; leave out --list-tags",
  ],
  [
    "with --resolve",
    ["--emit", "compose", "--resolve", "img"],
    "--emit and --resolve do not go together",
    "--emit prints a file and runs nothing; leave out --resolve",
  ],
  [
    "with -d",
    ["-dit", "--emit", "compose", IMAGE],
    "--emit and -d/--detach do not go together",
    "--emit prints a file and runs nothing; leave out -d/--detach",
  ],
  [
    "--json with --emit",
    ["--json", "--emit", "compose", IMAGE],
    "--json goes with --list-tags, --resolve, --dry-run or --print-config",
    "run-docker --resolve --json IMAGE",
  ],
];
for (const [name, argv, message, hint] of REFUSED) {
  Deno.test(`decideRequest() refuses --emit ${name}`, () => {
    assert.throws(
      () => decideRequest(parseRunRequest(argv), ABOUT),
      (e: unknown) => e instanceof UsageError && e.message === message && e.hint === hint,
    );
  });
}

Deno.test("decideRequest() lets --json go with --dry-run", () => {
  const step = decideRequest(parseRunRequest(["--dry-run", "--json", IMAGE]), ABOUT);
  assert.equal(step.kind === "plan" && step.request.own.json, true);
});

// ---- step 2: with the configuration and the host

const LOOKUP_ROWS: [string, string[], Given, Pick<Lookup, "findEngine" | "resolve" | "policy">][] =
  [
    ["a run", [IMAGE], {}, {
      findEngine: true,
      resolve: { local: false, listAll: false, lookupOnly: false },
      policy: {},
    }],
    ["--dry-run --local", ["--dry-run", "--local", "zppz/app"], {}, {
      findEngine: false,
      resolve: { local: true, listAll: false, lookupOnly: false },
      policy: {},
    }],
    ["--emit: nothing runs here", ["--emit", "compose", "zppz/app"], {}, {
      findEngine: false,
      resolve: { local: false, listAll: false, lookupOnly: true },
      policy: {},
    }],
    ["--list-tags", ["--list-tags", "zppz/app"], {}, {
      findEngine: true,
      resolve: { local: false, listAll: true, lookupOnly: true },
      policy: {},
    }],
    [
      "the command line's tag policy over the rules'",
      ["--tag-order", "semver", "--resolve", "zppz/app"],
      {
        config: [[["images", "zppz/*", "tag_order"], "numerical"], [
          ["images", "zppz/*", "tag_filter"],
          "^v",
        ]],
      },
      {
        findEngine: true,
        resolve: { local: false, listAll: false, lookupOnly: true },
        policy: { order: "semver", filter: "^v" },
      },
    ],
  ];
for (const [name, argv, given, expected] of LOOKUP_ROWS) {
  Deno.test(`decideLookup() says how to look up: ${name}`, () => {
    const step = lookup(argv, given);
    assert.deepEqual(
      { findEngine: step.findEngine, resolve: step.resolve, policy: step.policy },
      expected,
    );
    assert.equal(step.name, "zppz/app");
  });
}

Deno.test("decideLookup() prints the configuration with what the image rules make", () => {
  const step = lookupOf(["--print-config", IMAGE], {
    config: [[["images", "zppz/*", "memory"], "20g"]],
    files: ["c.yaml"],
  });
  assert.equal(step.kind, "print");
  const text = step.kind === "print" ? step.stdout : "";
  assert.ok(text.startsWith("# run-docker effective configuration; files read: c.yaml\n"));
  assert.ok(text.includes("\nkubernetes: {}  # default\n"));
  assert.ok(
    text.endsWith(
      '# for zppz/app, images rules "zppz/*" make:\n#   memory: 20g  (c.yaml:1)\n',
    ),
    text,
  );
});

const BAD_HOST: [string, string[], Given, string][] = [
  [
    "a file where the data directory goes",
    [IMAGE],
    { states: [[DATA, { kind: "not-directory", at: DATA }]] },
    `data directory "${DATA}" is a file, not a directory`,
  ],
  [
    "a --hostsrcdir that is not there",
    ["--hostsrcdir", "/nowhere", IMAGE],
    {},
    '--hostsrcdir "/nowhere" is not a directory',
  ],
];
for (const [name, argv, given, message] of BAD_HOST) {
  Deno.test(`decideLookup() stops before docker: ${name}`, () => {
    assert.throws(() => lookupOf(argv, given), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.ok(e.message.startsWith(message), e.message);
      return true;
    });
  });
}

Deno.test("decideLookup() leaves the mount sources to the file's host with --emit", () => {
  const states: [string, HostPathState][] = [[DATA, { kind: "not-directory", at: DATA }]];
  assert.equal(lookup(["--emit", "compose", IMAGE], { states }).kind, "lookup");
  assert.equal(lookup(["--resolve", IMAGE], { states }).kind, "lookup");
});
