import assert from "node:assert/strict";
import { parseRunRequest } from "../lib/core/cli.ts";
import {
  type ContainerRow,
  decideContainers,
  formatPs,
  ofImage,
  parsePs,
  planCleanup,
} from "../lib/core/containers.ts";
import { decideRequest, decideRun } from "../lib/core/decide.ts";
import { UsageError } from "../lib/core/errors.ts";
import { ABOUT, GIVEN, IMAGE, lookup } from "./decide_fixtures.ts";

const DOCKER_LINE = JSON.stringify({
  Command: "\"sh -c 'sleep 300'\"",
  CreatedAt: "2026-12-02 08:00:00 +0000 UTC",
  ID: "ab12",
  Image: "zppz/app:1",
  Labels:
    "run-docker.version=0.1.0,run-docker.mode=dev,run-docker.host=laptop,run-docker.pid=42,run-docker.detached=false,other=a,b",
  Names: "zepu-app-20261202-080000-9f3a",
  State: "running",
  Status: "Up 2 minutes",
});

/** podman 4's `ps --format json`: an array, labels an object, the command an array. */
const PODMAN = JSON.stringify([{
  Command: ["sh", "-c", "sleep 300"],
  Created: 1796198400,
  Id: "cd34",
  Image: "localhost/zppz/app:1",
  Labels: { "run-docker.version": "0.1.0", "run-docker.mode": "prod", "run-docker.pid": "7" },
  Names: ["zepu-app-2"],
  State: "exited",
  Status: "Exited (0) 3 seconds ago",
}]);

const ROW: ContainerRow = {
  id: "ab12",
  name: "zepu-app-20261202-080000-9f3a",
  image: "zppz/app:1",
  mode: "dev",
  state: "running",
  status: "Up 2 minutes",
  started: "2026-12-02 08:00:00 +0000 UTC",
  command: "sh -c 'sleep 300'",
  host: "laptop",
  pid: 42,
  detached: false,
};

Deno.test("parsePs() reads docker's JSON lines and podman's array alike", () => {
  assert.deepEqual(parsePs(`${DOCKER_LINE}\n`), [ROW]);
  assert.deepEqual(parsePs(PODMAN), [{
    id: "cd34",
    name: "zepu-app-2",
    image: "localhost/zppz/app:1",
    mode: "prod",
    state: "exited",
    status: "Exited (0) 3 seconds ago",
    started: "2026-12-02T08:00:00.000Z",
    command: "sh -c 'sleep 300'",
    pid: 7,
    detached: false,
  }]);
  assert.deepEqual(parsePs("\n"), []);
  assert.throws(() => parsePs("Error: no"), SyntaxError);
});

Deno.test("formatPs() prints a table with a header, or JSON", () => {
  assert.equal(
    formatPs([ROW, { ...ROW, name: "b", mode: "prod", command: "true" }], false),
    "NAME                           IMAGE       MODE  STATUS        STARTED                        COMMAND\n" +
      "zepu-app-20261202-080000-9f3a  zppz/app:1  dev   Up 2 minutes  2026-12-02 08:00:00 +0000 UTC  sh -c 'sleep 300'\n" +
      "b                              zppz/app:1  prod  Up 2 minutes  2026-12-02 08:00:00 +0000 UTC  true\n",
  );
  assert.equal(formatPs([], false), "no containers started by run-docker\n");
  assert.deepEqual(JSON.parse(formatPs([ROW], true)), [ROW]);
  assert.equal(formatPs([{ ...ROW, command: "a\u001b[2Jb" }], false).includes("\u001b"), false);
});

Deno.test("planCleanup() removes stopped ones and leftovers of this host only", () => {
  const rows: ContainerRow[] = [
    { ...ROW, name: "exited", state: "exited" },
    { ...ROW, name: "created", state: "created" },
    { ...ROW, name: "leftover" },
    { ...ROW, name: "alive", pid: 43 },
    { ...ROW, name: "detached", detached: true },
    { ...ROW, name: "elsewhere", host: "server" },
    { ...ROW, name: "unlabelled", host: undefined, pid: undefined },
  ];
  const plan = planCleanup(rows, { host: "laptop", alive: new Set([43]) });
  assert.deepEqual(plan.remove.map((r) => r.name), ["exited", "created"]);
  assert.deepEqual(plan.leftovers.map((r) => r.name), ["leftover"]);
  assert.deepEqual(plan.kept.map(({ row, why }) => [row.name, why]), [
    ["alive", "run-docker 43 still runs"],
    ["detached", "detached"],
    ["elsewhere", "started on host server"],
    ["unlabelled", "no run-docker pid label"],
  ]);
});

Deno.test("ofImage() narrows to one repository, or one tag", () => {
  const digest = `sha256:${"0".repeat(64)}`;
  const rows = ["zppz/app:1", "docker.io/zppz/app:2", "zppz/apps:1", `zppz/app@${digest}`, "0a1b"]
    .map((image) => ({ ...ROW, image }));
  assert.deepEqual(ofImage(rows, "zppz/app").map((r) => r.image), [
    "zppz/app:1",
    "docker.io/zppz/app:2",
    `zppz/app@${digest}`,
  ]);
  assert.deepEqual(ofImage(rows, "zppz/app:2").map((r) => r.image), ["docker.io/zppz/app:2"]);
  assert.equal(ofImage(rows).length, 5);
});

Deno.test("decideContainers() takes --ps [--json] [IMAGE] and --cleanup [--yes] [IMAGE]", () => {
  const step = (...argv: string[]) => decideContainers(parseRunRequest(argv));
  assert.deepEqual(step("--ps"), { kind: "ps", json: false });
  assert.deepEqual(step("--ps", "--json", "app"), { kind: "ps", json: true, image: "app" });
  assert.deepEqual(step("--cleanup", "--yes"), { kind: "cleanup", yes: true });
  assert.deepEqual(decideRequest(parseRunRequest(["--cleanup"]), ABOUT), {
    kind: "cleanup",
    yes: false,
  });
  for (
    const [argv, message] of [
      [["--ps", "--cleanup"], "--ps and --cleanup do not go together"],
      [["--yes", "img"], "--yes goes with --cleanup"],
      [["--cleanup", "--json"], "--json goes with --ps, not --cleanup"],
      [["--ps", "img", "sh"], "--ps takes at most IMAGE, not a command"],
    ]
  ) {
    assert.throws(() => step(...argv), (e) => e instanceof UsageError && e.message === message);
  }
});

Deno.test("decideRun() labels a run with the host, run-docker's pid and detached; --dry-run not", () => {
  const facts = {
    version: "0.1.0",
    engine: "docker",
    found: GIVEN,
    nonce: "9f3a",
    notebookToken: "t",
    pid: 4242,
  };
  const labels = (argv: string[]) => {
    const action = decideRun(lookup(argv), facts);
    assert.equal(action.kind, "run");
    return action.kind === "run" ? action.plan.spec.labels : [];
  };
  assert.deepEqual(labels([IMAGE]), [
    ["run-docker.version", "0.1.0"],
    ["run-docker.mode", "prod"],
    ["run-docker.host", "laptop"],
    ["run-docker.pid", "4242"],
    ["run-docker.detached", "false"],
  ]);
  assert.deepEqual(labels(["-d", IMAGE]).at(-1), ["run-docker.detached", "true"]);
  const dry = decideRun(lookup(["--dry-run", IMAGE]), facts);
  assert.ok(dry.kind === "print" && !dry.stdout.includes("run-docker.pid"));
  assert.ok(dry.kind === "print" && dry.stdout.includes("run-docker.mode=prod"));
});
