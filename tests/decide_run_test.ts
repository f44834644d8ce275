/**
 * Table tests of the last decision step (lib/core/decide_run.ts): with the image found, what to print,
 * emit or run.
 */

import assert from "node:assert/strict";
import { Job } from "kubernetes-models/batch/v1/Job";
import { portInUse } from "../lib/core/decide.ts";
import { UsageError } from "../lib/core/errors.ts";
import { quoteCommand } from "../lib/core/shell_quote.ts";
import {
  DATA,
  decide,
  GIVEN,
  IMAGE,
  LOG,
  NAME,
  PROD_ENV,
  prodArgs,
  REMOTE,
  SRC,
} from "./decide_fixtures.ts";
import type { Found } from "../lib/core/decide.ts";
import type { Given } from "./decide_fixtures.ts";

/** A usage error with exactly this message. */
const usage = (message: string) => (e: unknown) => e instanceof UsageError && e.message === message;

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
      "tag: 2 (newest of 3 by auto order; remote)",
      "added --rm (always, unless detached)",
      "added --init (default)",
      `added --name ${NAME} (unique per run)`,
      "added --user docker-user (user: auto: the image user (docker-user, uid 1000 by convention): your uid is 1000 too)",
      "added --workdir /home/docker-user (prod mode)",
      "added --memory 12g (default)",
      "added --shm-size 4g (default)",
      "gpus: auto: no --gpus (nvidia-smi is not on PATH)",
      "engine: docker (docker)",
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
  const { plan, fallback, ...rest } = action;
  assert.deepEqual(rest, {
    kind: "run",
    stderr: "",
    writeUserFiles: undefined,
    checkPort: undefined,
    pull: "zppz/app:2",
    pullOptions: [],
    pullQuiet: false,
    makeDirs: [DATA, LOG],
    notice: undefined,
    watchdog: "remove",
    killOnFailure: true,
    cidfile: undefined,
    image: "zppz/app:2",
    local: false,
    detach: false,
    pinned: false,
    memory: "12g",
    gpus: undefined,
  });
  assert.deepEqual(plan.args, prodArgs("2", true, ["zppz/app:2", "true"]));
  // The pull fails: the newest local tag runs, as if the lookup had chosen it.
  assert.equal(fallback?.registry, "docker.io");
  assert.equal(fallback?.image, "zppz/app:1");
  assert.deepEqual(fallback?.plan.args, prodArgs("1", false, ["zppz/app:1", "true"]));
});

Deno.test("decideRun() quiets the pull with docker's -q/--quiet, the last one winning", () => {
  const quiet = (...argv: string[]) => {
    const action = decide([...argv, "zppz/app", "true"], REMOTE);
    return action.kind === "run" && action.pullQuiet;
  };
  assert.equal(quiet("-q"), true);
  assert.equal(quiet("--quiet=true"), true);
  assert.equal(quiet("-q", "--quiet=false"), false);
  assert.equal(quiet(), false);
});

Deno.test("decideRun() has no fallback when no tag is local or the tag was given", () => {
  const remoteOnly = { ...REMOTE, rows: [{ tag: "2", local: false, remote: true }] };
  for (const found of [remoteOnly, GIVEN]) {
    const action = decide(["zppz/app", "true"], found);
    assert.equal(action.kind === "run" && action.fallback, undefined);
  }
});

Deno.test("decideRun() --dry-run notebook: the line sets a fresh token itself, none is printed", () => {
  const action = decide(["--dry-run", IMAGE, "notebook"], GIVEN, {
    host: { existingDirs: new Set([DATA, LOG]) },
  });
  assert.equal(action.kind, "print");
  if (action.kind !== "print") return;
  const prefix = `JUPYTER_TOKEN="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \\n')" && ` +
    "export JUPYTER_TOKEN && docker run ";
  assert.ok(action.stdout.startsWith(prefix), action.stdout);
  assert.match(action.stdout, / --publish 127\.0\.0\.1:8888:8888 --env JUPYTER_TOKEN /);
  assert.equal(
    action.stderr,
    "run-docker: notebook at http://127.0.0.1:8888/lab?token=$JUPYTER_TOKEN " +
      "(the command sets JUPYTER_TOKEN to a fresh random token)\n",
  );
  assert.ok(!`${action.stdout}${action.stderr}`.includes("t0ken"));
});

Deno.test("decideRun() --dry-run --json notebook: JUPYTER_TOKEN is passed by name, no value", () => {
  const action = decide(["--dry-run", "--json", IMAGE, "notebook"], GIVEN);
  assert.equal(action.kind, "print");
  if (action.kind !== "print") return;
  const plan = JSON.parse(action.stdout);
  assert.deepEqual(plan.environment.at(-1), { name: "JUPYTER_TOKEN", fromHost: true });
  assert.ok(plan.argv.includes("JUPYTER_TOKEN"));
  assert.equal(
    action.stderr,
    "run-docker: notebook at http://127.0.0.1:8888/lab?token=$JUPYTER_TOKEN " +
      "(set JUPYTER_TOKEN in the engine's environment)\n",
  );
  assert.ok(!`${action.stdout}${action.stderr}`.includes("t0ken"));
});

Deno.test("decideRun() notebook: a missing JupyterLab (exit 127) is named with a hint", () => {
  const action = decide([IMAGE, "notebook"], GIVEN);
  assert.equal(
    action.kind === "run" && action.notFound?.message,
    `${IMAGE} has no Jupyter Lab (jupyter-lab not found)`,
  );
  assert.match(action.kind === "run" ? action.notFound?.hint ?? "" : "", /pip install jupyterlab/);
  assert.equal(decide([IMAGE, "true"], GIVEN).kind === "run", true);
  assert.ok(!("notFound" in decide([IMAGE, "true"], GIVEN)));
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
  const rows: [string[], string | undefined, boolean][] = [
    [[IMAGE], "remove", true],
    [["-d", IMAGE], undefined, false],
    [["--restart", "always", IMAGE], "leave", false],
    [["--restart=on-failure:3", IMAGE], "leave", false],
    [["--restart", "no", IMAGE], "remove", true],
    [["--rm=false", IMAGE], "stop", true],
    [["--rm=0", "--rm", IMAGE], "remove", true],
    [["--rm", "--rm=false", IMAGE], "stop", true],
  ];
  for (const [argv, watchdog, killOnFailure] of rows) {
    const action = decide(argv);
    assert.equal(action.kind, "run");
    if (action.kind !== "run") continue;
    assert.deepEqual(
      [action.watchdog, action.killOnFailure],
      [watchdog, killOnFailure],
      argv.join(" "),
    );
  }
  const own = decide(["--cidfile", "/tmp/my.cid", IMAGE]);
  assert.equal(own.kind === "run" && own.cidfile, "/tmp/my.cid");
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
