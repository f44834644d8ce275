/**
 * What the engine's host changes about a run (lib/core/engine_host.ts through decideRun): SELinux
 * relabelling of run-docker's own three bind mounts (the docker argv, the refusals), and a remote
 * engine (one warning, no local folders, no local port check).
 */

import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import { mergeConfig } from "../lib/core/config/schema.ts";
import { decideLookup, decideRequest, decideRun, type Lookup } from "../lib/core/decide.ts";
import { planLayout } from "../lib/core/layout.ts";
import { exampleHost } from "./fixtures.ts";
import { UsageError } from "../lib/core/errors.ts";
import { ABOUT, DATA, GIVEN, HOME, IMAGE, LOG, lookup, NAME, SRC } from "./decide_fixtures.ts";
import type { Given } from "./decide_fixtures.ts";

/** The last step with the engine's SELinux answer (`undefined`: not asked). */
function run(argv: string[], given: Given, selinux: boolean | undefined, remote?: string) {
  let step: Lookup = lookup(argv, given);
  if (remote !== undefined) step = { ...step, remoteEngine: remote };
  return decideRun(step, {
    version: "0.1.0",
    engine: "docker",
    found: GIVEN,
    nonce: "9f3a",
    notebookToken: "t0ken",
    hostUserFiles: { passwd: "/tmp/rd/passwd", group: "/tmp/rd/group" },
    selinux,
  });
}

/** The docker argv's mount options of a run, as `--option value` strings. */
function mounts(action: ReturnType<typeof run>): string[] {
  assert.equal(action.kind, "run");
  if (action.kind !== "run") return [];
  const args = action.plan.args;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (["--mount", "--volume", "--tmpfs"].includes(args[i])) out.push(`${args[i]} ${args[i + 1]}`);
  }
  return out;
}

const DEV = { host: { existingDirs: new Set([SRC]) } };
const bindOf = (source: string, role: string) =>
  `--mount type=bind,source=${source},target=/home/docker-user/${role}`;
const relabelled = (source: string, role: string) =>
  `--volume ${source}:/home/docker-user/${role}:z`;

const ROWS: [string, string[], Given, boolean | undefined, string[]][] = [
  [
    "auto, the engine reports SELinux: src, data and log get -v …:z",
    [IMAGE, "true"],
    DEV,
    true,
    [relabelled(SRC, "src"), relabelled(DATA, "data"), relabelled(LOG, "log")],
  ],
  [
    "auto, the engine does not: --mount as always",
    [IMAGE, "true"],
    DEV,
    false,
    [bindOf(SRC, "src"), bindOf(DATA, "data"), bindOf(LOG, "log")],
  ],
  [
    "selinux: true, the engine not asked: relabelled",
    [IMAGE, "true"],
    { config: [[["selinux"], true]] },
    undefined,
    [relabelled(DATA, "data"), relabelled(LOG, "log")],
  ],
  [
    "selinux: false: never relabelled",
    [IMAGE, "true"],
    { config: [[["selinux"], false]] },
    true,
    [bindOf(DATA, "data"), bindOf(LOG, "log")],
  ],
  [
    "user: host: the passwd and group files and the tmpfs home keep their form",
    [IMAGE, "true"],
    { config: [[["user"], "host"]], host: { uid: 1001, gid: 1001 } },
    true,
    [
      relabelled(DATA, "data"),
      relabelled(LOG, "log"),
      "--tmpfs /home/docker-user:uid=1001,gid=1001,mode=0755,exec",
      "--mount type=bind,source=/tmp/rd/passwd,target=/etc/passwd,readonly",
      "--mount type=bind,source=/tmp/rd/group,target=/etc/group,readonly",
    ],
  ],
  [
    "a data directory with a comma and a space: -v carries it as is",
    ["--hostdatadir", "/scratch/a,b c", "--hostlogdir", "no", IMAGE, "true"],
    {},
    true,
    ["--volume /scratch/a,b c:/home/docker-user/data:z"],
  ],
];

for (const [name, argv, given, selinux, expected] of ROWS) {
  Deno.test(`decideRun() SELinux: ${name}`, () => {
    assert.deepEqual(mounts(run(argv, given, selinux)), expected);
  });
}

Deno.test("decideRun() SELinux: --explain says what was relabelled and why", () => {
  const action = run(["--explain", IMAGE, "true"], DEV, true);
  assert.ok(action.kind === "run");
  assert.match(
    action.stderr,
    /relabelled src, data, log with SELinux's shared label \(:z\): the engine reports SELinux \(selinux: auto\)\n/,
  );
  const set = run(["--explain", IMAGE, "true"], { config: [[["selinux"], true]] }, undefined);
  assert.ok(set.kind === "run");
  assert.match(set.stderr, /relabelled data, log .*: selinux: true \(c\.yaml:1\)\n/);
});

Deno.test("decideRun() SELinux: --dry-run shows the -v form; --emit never relabels", () => {
  const dry = run(["--dry-run", IMAGE, "true"], { config: [[["selinux"], true]] }, undefined);
  assert.ok(dry.kind === "print");
  assert.ok(dry.stdout.includes(`--volume ${DATA}:/home/docker-user/data:z `), dry.stdout);
  const step = lookup([IMAGE, "true"], { config: [[["selinux"], true]] });
  const emitted = decideRun({ ...step, emit: "compose" }, {
    version: "0.1.0",
    engine: "docker",
    found: GIVEN,
    nonce: "9f3a",
    notebookToken: "t0ken",
    selinux: true,
  });
  assert.ok(emitted.kind === "emit");
  assert.ok(!JSON.stringify(emitted.document).includes(":z"));
});

Deno.test("decideLookup() asks the engine about SELinux only for auto and a run here", () => {
  assert.equal(lookup([IMAGE, "true"]).askSelinux, true);
  assert.equal(lookup(["--dry-run", IMAGE, "true"]).askSelinux, false);
  assert.equal(lookup(["--list-tags", IMAGE]).askSelinux, false);
  assert.equal(lookup([IMAGE, "true"], { config: [[["selinux"], true]] }).askSelinux, false);
  assert.equal(lookup([IMAGE, "true"], { config: [[["selinux"], false]] }).askSelinux, false);
  // Nothing to relabel: prod mode without data and log.
  const bare = ["--hostdatadir", "no", "--hostlogdir", "no", IMAGE, "true"];
  assert.equal(lookup(bare).askSelinux, false);
  assert.equal(lookup(bare, DEV).askSelinux, true);
});

const REFUSALS: [string, string[], string, string][] = [
  [
    "the home as data",
    ["--hostdatadir", HOME],
    `will not relabel the data directory "${HOME}" for SELinux: it is or holds "${HOME}" (your home or work root)`,
    "relabelling a home breaks logins; mount another with --hostdatadir DIR, or set selinux: false",
  ],
  [
    "a folder holding the home, as log (trailing slash)",
    ["--hostlogdir", "/home/"],
    'will not relabel the log directory "/home" for SELinux: it is or holds "/home/zepu" (your home or work root)',
    "relabelling a home breaks logins; mount another with --hostlogdir DIR, or set selinux: false",
  ],
  [
    "the work root as the source tree",
    ["--hostsrcdir", `${HOME}/work`],
    `will not relabel the src directory "${HOME}/work" for SELinux: it is or holds "${HOME}/work" (your home or work root)`,
    "relabelling a home breaks logins; mount another with --hostsrcdir DIR, or set selinux: false",
  ],
  [
    "the root",
    ["--hostdatadir", "/"],
    'will not relabel the data directory "/" for SELinux: it is or holds "/home/zepu" (your home or work root)',
    "relabelling a home breaks logins; mount another with --hostdatadir DIR, or set selinux: false",
  ],
  [
    "a path with ':'",
    ["--hostdatadir", "/scratch/a:b"],
    `cannot relabel the data directory "/scratch/a:b" for SELinux: docker's -v form, the only one that relabels, cannot carry ':' in a path`,
    "rename it, mount another with --hostdatadir DIR, or set selinux: false",
  ],
];

for (const [name, options, message, hint] of REFUSALS) {
  Deno.test(`decideRun() SELinux refuses to relabel ${name}`, () => {
    const given = { host: { existingDirs: new Set([`${HOME}/work`]) } };
    assert.throws(
      () => run([...options, IMAGE, "true"], given, true),
      (e) => e instanceof UsageError && e.message === message && e.hint === hint,
    );
    // Without SELinux the same mounts are fine.
    assert.equal(run([...options, IMAGE, "true"], given, false).kind, "run");
  });
}

const WHERE = 'at ssh://me@build-1 (docker context "build")';

Deno.test("decideRun() on a remote engine: one warning, no folders made, no port checked", () => {
  const action = run([IMAGE, "notebook"], DEV, undefined, WHERE);
  assert.ok(action.kind === "run");
  assert.deepEqual(action.makeDirs, []);
  assert.equal(action.checkPort, undefined);
  assert.equal(
    action.warning,
    `the engine ${WHERE} is on another host: mounts refer to paths on the engine's host, ` +
      `which must have the same paths (${SRC}, ${DATA}, ${LOG}); dev mode is decided by this ` +
      "host's tree, and run-docker creates no folder and checks no port here",
  );
  // Dev mode from this host's tree, as ever.
  assert.equal(action.plan.mode, "dev");
  assert.ok(action.plan.args.includes("--name") && action.plan.args.includes(NAME));
  const local = run([IMAGE, "notebook"], DEV, undefined);
  assert.ok(local.kind === "run");
  assert.equal(local.warning, undefined);
  assert.deepEqual(local.makeDirs, [DATA, LOG]);
  assert.deepEqual(local.checkPort, { hostname: "127.0.0.1", port: 8888 });
});

Deno.test("decideLookup() on a remote engine does not look at this host's data folder", () => {
  const states: Given["states"] = [[DATA, { kind: "not-directory", at: DATA }]];
  assert.throws(() => lookup([IMAGE, "true"], { states }), /is a file, not a directory/);
  const first = decideRequest(parseRunRequest([IMAGE, "true"]), ABOUT);
  assert.ok(first.kind === "plan");
  const host = exampleHost();
  const { config, provenance } = mergeConfig([]);
  const remote = decideLookup({
    ...first,
    loaded: { config, provenance, files: [] },
    host,
    layout: planLayout(first.request, host),
    pathStates: new Map(states),
    remoteEngine: WHERE,
  });
  assert.equal(remote.kind, "lookup");
});
