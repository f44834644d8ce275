/**
 * Table tests of the three decision steps (lib/decide.ts): what run-docker does for a command
 * line, given the configuration, the host facts and the image lookup, as data.
 */

import assert from "node:assert/strict";
import { Job } from "kubernetes-models/batch/v1/Job";
import { parseRunRequest } from "../lib/cli.ts";
import { type Assignment, mergeConfig } from "../lib/config/schema.ts";
import {
  type Action,
  decideLookup,
  decideRequest,
  decideRun,
  type Found,
  type Lookup,
  portInUse,
} from "../lib/decide.ts";
import { UsageError } from "../lib/errors.ts";
import type { HostFacts } from "../lib/facts.ts";
import { helpText } from "../lib/help.ts";
import { type HostPathState, planLayout } from "../lib/layout.ts";
import { quoteCommand } from "../lib/shell_quote.ts";
import { exampleHost } from "./fixtures.ts";

const ABOUT = { version: "0.1.0", target: "x86_64-unknown-linux-gnu", deno: "2.9.6" };
const IMAGE = "zppz/app:20210502-002343";
const HOME = "/home/zepu";
const DATA = `${HOME}/work/data`;
const LOG = `${HOME}/work/log`;
const SRC = `${HOME}/work/src/app`;
const NAME = "zepu-20210502-022343-9f3a";

/** A usage error with exactly this message. */
const usage = (message: string) => (e: unknown) => e instanceof UsageError && e.message === message;

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
    "one of compose, kubernetes (or k8s), e.g. run-docker --emit compose IMAGE",
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
    "--json goes with --list-tags, --resolve or --dry-run",
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

interface Given {
  /** Configuration assignments, as a file would make them. */
  config?: [string[], unknown][];
  host?: Partial<HostFacts>;
  states?: [string, HostPathState][];
  files?: string[];
}

function lookupOf(argv: string[], given: Given = {}) {
  const first = decideRequest(parseRunRequest(argv), ABOUT);
  if (first.kind !== "plan") throw new Error("not a plan");
  const layer: Assignment[] = (given.config ?? []).map(([path, value]) => ({
    path,
    value,
    where: "c.yaml:1",
  }));
  const { config, provenance } = mergeConfig([layer]);
  const host = exampleHost({ existingDirs: new Set(), ...given.host });
  return decideLookup({
    ...first,
    loaded: { config, provenance, files: given.files ?? [] },
    host,
    layout: planLayout(first.request, host),
    pathStates: new Map(given.states ?? []),
  });
}

function lookup(argv: string[], given: Given = {}): Lookup {
  const step = lookupOf(argv, given);
  if (step.kind !== "lookup") throw new Error(`not a lookup: ${step.kind}`);
  return step;
}

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

// ---- step 3: with the image found

const GIVEN: Found = {
  image: { registry: "docker.io", repository: "zppz/app", tag: "20210502-002343" },
  source: "given",
  candidates: 0,
  registry: "not asked",
};
const REMOTE: Found = {
  image: { registry: "docker.io", repository: "zppz/app", tag: "2" },
  source: "remote",
  candidates: 3,
  rows: [
    { tag: "2", local: false, remote: true },
    { tag: "1", local: true, remote: true },
  ],
  registry: "ok",
};

function decide(argv: string[], found: Found = GIVEN, given: Given = {}): Action {
  return decideRun(lookup(argv, given), {
    version: "0.1.0",
    engine: "docker",
    found,
    nonce: "9f3a",
    notebookToken: "t0ken",
    hostUserFiles: { passwd: "/tmp/run-docker-1000/passwd", group: "/tmp/run-docker-1000/group" },
  });
}

const PROD_ENV = [
  "HOME=/home/docker-user",
  "USER=docker-user",
  "HOSTUSER=1000:1000",
  "IMAGE_NAME=app",
  "IMAGE_VERSION=TAG",
  "TZ=Europe/Berlin",
  "HOST_UNAME=Linux laptop 6.1.0 x86_64",
  "HOST_WHOAMI=zepu",
  "HOST_IP=192.0.2.10",
  "DATADIR=/home/docker-user/data",
  "LOGDIR=/home/docker-user/log",
];

/** The docker argv of a prod run of `zppz/app:TAG` (argv_golden_test.ts pins many more). */
function prodArgs(tag: string, pullNever: boolean, tail: string[]): string[] {
  return [
    "run",
    "--rm",
    "--init",
    "--name",
    NAME,
    "--interactive",
    "--user",
    "docker-user",
    "--workdir",
    "/home/docker-user",
    "--memory",
    "12g",
    "--shm-size",
    "4g",
    ...(pullNever ? ["--pull", "never"] : []),
    "--label",
    "run-docker.version=0.1.0",
    "--label",
    "run-docker.mode=prod",
    "--mount",
    `type=bind,source=${DATA},target=/home/docker-user/data`,
    "--mount",
    `type=bind,source=${LOG},target=/home/docker-user/log`,
    ...PROD_ENV.flatMap((e) => ["--env", e.replace("TAG", tag)]),
    ...tail,
  ];
}

const PRINT_ROWS: [string, string[], Found, Given, string, string][] = [
  [
    "--list-tags",
    ["--list-tags", "zppz/app"],
    REMOTE,
    {},
    "2  remote\n1  both\n",
    "",
  ],
  [
    "--list-tags --json",
    ["--list-tags", "--json", "zppz/app"],
    REMOTE,
    {},
    '{"repository":"zppz/app","registry":"ok","tags":[{"tag":"2","local":false,"remote":true},' +
    '{"tag":"1","local":true,"remote":true}]}\n',
    "",
  ],
  ["--resolve", ["--resolve", "zppz/app"], REMOTE, {}, "zppz/app:2\n", ""],
  [
    "--resolve --json",
    ["--resolve", "--json", "--tag-order", "semver", "zppz/app"],
    REMOTE,
    {},
    '{"reference":"zppz/app:2","source":"remote","candidates":3,"policy":{"order":"semver"},' +
    '"registry":"ok"}\n',
    "",
  ],
  [
    "--dry-run: pull first, make the missing directories first",
    ["--dry-run", "zppz/app", "true"],
    REMOTE,
    { host: { existingDirs: new Set([LOG]) } },
    `mkdir -p -- ${DATA} && docker pull zppz/app:2 && docker run --rm --init --name ${NAME} ` +
    "--interactive --user docker-user --workdir /home/docker-user --memory 12g --shm-size 4g " +
    "--pull never --label run-docker.version=0.1.0 --label run-docker.mode=prod " +
    `--mount type=bind,source=${DATA},target=/home/docker-user/data ` +
    `--mount type=bind,source=${LOG},target=/home/docker-user/log ` +
    "--env HOME=/home/docker-user --env USER=docker-user --env HOSTUSER=1000:1000 " +
    "--env IMAGE_NAME=app --env IMAGE_VERSION=2 --env TZ=Europe/Berlin " +
    "--env 'HOST_UNAME=Linux laptop 6.1.0 x86_64' --env HOST_WHOAMI=zepu " +
    "--env HOST_IP=192.0.2.10 --env DATADIR=/home/docker-user/data " +
    "--env LOGDIR=/home/docker-user/log zppz/app:2 true\n",
    "",
  ],
  [
    "--dry-run --explain: the reasons on stderr",
    ["--dry-run", "--explain", "zppz/app", "true"],
    REMOTE,
    { host: { existingDirs: new Set([LOG, DATA]) }, files: ["c.yaml"] },
    `docker pull zppz/app:2 && ${
      quoteCommand(["docker", ...prodArgs("2", true, ["zppz/app:2", "true"])])
    }\n`,
    [
      "config: c.yaml",
      `mode: prod (${SRC} does not exist)`,
      "tag: 2 (newest of 3 by natural order; remote)",
      "added --rm (always, unless detached)",
      "added --init (default)",
      `added --name ${NAME} (unique per run)`,
      "added --user docker-user (default)",
      "added --workdir /home/docker-user (prod mode)",
      "added --memory 12g (default)",
      "added --shm-size 4g (default)",
    ].map((line) => `run-docker: explain: ${line}\n`).join(""),
  ],
];
for (const [name, argv, found, given, stdout, stderr] of PRINT_ROWS) {
  Deno.test(`decideRun() prints: ${name}`, () => {
    const action = decide(argv, found, given);
    assert.equal(action.kind, "print");
    if (action.kind !== "print") return;
    const dryRun = argv.includes("--dry-run");
    assert.deepEqual(action, { kind: "print", stdout, ...(dryRun ? { stderr } : {}) });
  });
}

Deno.test("decideRun() --dry-run --json: the plan, pass-by-name entries marked, no values", () => {
  const action = decide(["--dry-run", "--json", "-e", "SECRET", "-e", "A=1", IMAGE, "true"]);
  assert.equal(action.kind, "print");
  const bind = (role: string, source: string) => ({
    kind: "bind",
    role,
    source,
    target: `/home/docker-user/${role}`,
    readOnly: false,
  });
  assert.deepEqual(JSON.parse(action.kind === "print" ? action.stdout : ""), {
    engine: "docker",
    argv: [
      "docker",
      ...prodArgs("20210502-002343", false, ["-e", "SECRET", "-e", "A=1", IMAGE, "true"]),
    ],
    image: { reference: IMAGE },
    mode: "prod",
    name: NAME,
    user: "docker-user",
    workdir: "/home/docker-user",
    command: ["true"],
    mounts: [bind("data", DATA), bind("log", LOG)],
    environment: [
      ...PROD_ENV.map((e) => e.replace("TAG", "20210502-002343")).map((e) => {
        const [name, ...value] = e.split("=");
        return { name, value: value.join("=") };
      }),
      { name: "SECRET", fromHost: true },
      { name: "A", value: "1" },
    ],
    limits: { memory: "12g", shmSize: "4g" },
    ports: [],
    labels: { "run-docker.version": "0.1.0", "run-docker.mode": "prod" },
  });
});

Deno.test("decideRun() runs: pull, make directories, watchdog, in that plan", () => {
  const action = decide(["zppz/app", "true"], REMOTE);
  assert.equal(action.kind, "run");
  if (action.kind !== "run") return;
  const { plan, ...rest } = action;
  assert.deepEqual(rest, {
    kind: "run",
    stderr: "",
    writeUserFiles: undefined,
    checkPort: undefined,
    pull: "zppz/app:2",
    makeDirs: [DATA, LOG],
    notice: undefined,
    watchdog: true,
    image: "zppz/app:2",
    local: false,
    detach: false,
  });
  assert.deepEqual(plan.args, prodArgs("2", true, ["zppz/app:2", "true"]));
});

Deno.test("decideRun() runs a notebook: the port to check, the URL, the token by name", () => {
  const action = decide(["--notebook-port", "8899", IMAGE, "notebook"], GIVEN, {
    config: [[["user"], "host"]],
    host: { uid: 1001, gid: 1001 },
  });
  assert.equal(action.kind, "run");
  if (action.kind !== "run") return;
  assert.deepEqual(action.checkPort, { hostname: "127.0.0.1", port: 8899 });
  assert.equal(action.notice, "run-docker: notebook at http://127.0.0.1:8899/lab?token=t0ken\n");
  assert.deepEqual(action.plan.engineEnv, { JUPYTER_TOKEN: "t0ken" });
  assert.ok(!action.plan.args.some((a) => a.includes("t0ken")));
  assert.deepEqual(action.writeUserFiles, { containerHome: "/home/docker-user" });
  assert.ok(
    action.plan.args.includes(
      "type=bind,source=/tmp/run-docker-1000/passwd,target=/etc/passwd,readonly",
    ),
  );
  assert.deepEqual(
    portInUse(action.checkPort!).message,
    "port 8899 is already in use on 127.0.0.1",
  );
});

Deno.test("decideRun() leaves detached and restarting containers to the engine", () => {
  for (const argv of [["-d", IMAGE], ["--restart", "always", IMAGE]]) {
    const action = decide(argv);
    assert.equal(action.kind === "run" && action.watchdog, false, argv.join(" "));
  }
  assert.equal(decide(["--restart", "no", IMAGE]).kind === "run", true);
});

Deno.test("decideRun() --emit compose: the service and the directories to make, nothing else", () => {
  const action = decide(["--emit", "compose", "-e", "TOKEN", "zppz/app", "true"], REMOTE, {
    config: [[["user"], "host"]],
    host: { uid: 1001, gid: 1001, existingDirs: new Set([SRC]) },
  });
  assert.equal(action.kind, "emit");
  if (action.kind !== "emit") return;
  assert.deepEqual(action.comments, [
    "made by run-docker --emit compose for zppz/app:2",
    `create the data and log directories first: mkdir -p -- ${DATA} ${LOG}`,
  ]);
  const service = (action.document as { services: Record<string, Record<string, unknown>> })
    .services.app;
  assert.equal(service.image, "zppz/app:2");
  assert.equal(service.user, "1001:1001");
  assert.equal(service.working_dir, "/home/docker-user/src");
  // This host's passwd files are not where the file runs: only src, data and log.
  assert.deepEqual((service.volumes as { source: string }[]).map((v) => v.source), [
    SRC,
    DATA,
    LOG,
  ]);
  assert.equal((service.environment as string[]).at(-1), "TOKEN");
});

Deno.test("decideRun() --emit kubernetes: a valid Job with the configured claims", () => {
  const action = decide(["--emit", "kubernetes", IMAGE, "python", "-V"], GIVEN, {
    config: [[["kubernetes", "data_claim"], "team-data"]],
  });
  assert.equal(action.kind, "emit");
  if (action.kind !== "emit") return;
  assert.deepEqual(action.comments, [
    `made by run-docker --emit kubernetes for ${IMAGE}`,
    "log: an emptyDir, gone with the Pod; set kubernetes.log_claim to a PersistentVolumeClaim to keep it",
    "user: docker-user is a name; a Pod takes numeric ids, so the image's own user runs",
  ]);
  const job = new Job(action.document as ConstructorParameters<typeof Job>[0]);
  job.validate();
  assert.deepEqual(job.spec?.template.spec?.volumes?.slice(1), [
    { name: "data", persistentVolumeClaim: { claimName: "team-data" } },
    { name: "log", emptyDir: {} },
  ]);
});

Deno.test("decideRun() --emit kubernetes refuses dev mode", () => {
  assert.throws(
    () => decide(["--emit", "k8s", IMAGE], GIVEN, { host: { existingDirs: new Set([SRC]) } }),
    usage("--emit kubernetes makes a Job for the prod image; this run is in dev mode"),
  );
});
