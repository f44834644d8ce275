/**
 * The docker argv that run-docker makes, pinned for a table of requests.
 *
 * `tests/golden/argv.json` was recorded from the options builder before the
 * run model was redesigned; whatever builds the argv must give the same tokens
 * in the same order. Record again only for a change meant to alter the argv:
 * `RUN_DOCKER_RECORD_GOLDEN=1 deno test --allow-all tests/argv_golden_test.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, type HostFacts, type Settings } from "../lib/core/facts.ts";
import { planRun, type RunArgsInput } from "../lib/core/run_args.ts";
import { exampleInput } from "./fixtures.ts";

const SRC = "/home/zepu/work/src/app";
const IMAGE = "zppz/app:20210502-002343";
const PASSWD = {
  passwd: "/home/zepu/.cache/run-docker/passwd",
  group: "/home/zepu/.cache/run-docker/group",
};

/** One request: run-docker's argv, host fact overrides, settings overrides, builder extras. */
interface Row {
  readonly argv: string[];
  readonly host?: Partial<HostFacts>;
  readonly settings?: Partial<Settings>;
  readonly extra?: Partial<RunArgsInput>;
}

const dev: Partial<HostFacts> = { existingDirs: new Set([SRC]) };
const tty: Partial<HostFacts> = { stdinIsTty: true, stdoutIsTty: true };

const ROWS: Record<string, Row> = {
  "prod, no command": { argv: [IMAGE] },
  "prod with a command": { argv: [IMAGE, "python", "-V"] },
  "dev mode": { argv: [IMAGE], host: dev },
  "dev mode with pytest": { argv: [IMAGE, "pytest", "-x", "tests"], host: dev },
  "dev mode on a terminal": { argv: [IMAGE, "bash"], host: { ...dev, ...tty } },
  "stdin a terminal, stdout a pipe": { argv: [IMAGE], host: { stdinIsTty: true } },
  "notebook with a token": {
    argv: [IMAGE, "notebook"],
    host: dev,
    extra: { notebookToken: "0123456789abcdef0123456789abcdef0123456789abcdef" },
  },
  "notebook on another port, user token": {
    argv: ["--notebook-port", "9999", "-e", "JUPYTER_TOKEN=abc", IMAGE, "notebook", "--debug"],
  },
  "notebook as root": { argv: ["--root", IMAGE, "notebook"], extra: { notebookToken: "ff" } },
  "notebook on an IPv6 bind": {
    argv: [IMAGE, "notebook"],
    settings: { notebookBind: "::1" },
    extra: { notebookToken: "aa" },
  },
  "--root": { argv: ["--root", IMAGE, "id"] },
  "--root in dev mode": { argv: ["--root", IMAGE], host: dev },
  "user: host, uid 1001": {
    argv: [IMAGE, "id"],
    host: { ...dev, uid: 1001, gid: 1001 },
    settings: { containerUser: "host" },
    extra: { hostUserFiles: PASSWD },
  },
  "user: host, uid 1000": {
    argv: [IMAGE],
    settings: { containerUser: "host" },
    extra: { hostUserFiles: PASSWD },
  },
  "uid 1001 in dev mode, user: docker-user": {
    argv: [IMAGE],
    host: { ...dev, uid: 1001, gid: 1001 },
    settings: { containerUser: "docker-user" },
  },
  "uid 1001 in dev mode, user: auto (the default): runs as 1001": {
    argv: [IMAGE],
    host: { ...dev, uid: 1001, gid: 1001 },
    extra: { hostUserFiles: PASSWD },
  },
  "uid 1001, user: auto, the image's user is uid 1001": {
    argv: [IMAGE],
    host: { ...dev, uid: 1001, gid: 1001 },
    extra: { imageUser: { name: "app", uid: 1001, gid: 1001 } },
  },
  "host root, user: auto: the image user": { argv: [IMAGE], host: { ...dev, uid: 0, gid: 0 } },
  "uid 1001 on a remote engine, user: auto: the image user": {
    argv: [IMAGE],
    host: { uid: 1001, gid: 1001 },
    extra: { userPlace: "remote" },
  },
  "user: a uid": { argv: [IMAGE], settings: { containerUser: "2000:2000" } },
  "user: a name": { argv: [IMAGE], settings: { containerUser: "app" } },
  "-d": { argv: ["-d", IMAGE, "sleep", "1"] },
  "--detach=true": { argv: ["--detach=true", IMAGE] },
  "--restart always": { argv: ["--restart", "always", IMAGE] },
  "--restart no": { argv: ["--restart=no", IMAGE] },
  "-e forms": { argv: ["-e", "A=1", "--env", "B", "--env=C=x y", "-eD=2", IMAGE, "env"] },
  "-e overrides a convention": { argv: ["-e", "TZ=UTC", "--env=HOME=/x", IMAGE] },
  "-p and -v": { argv: ["-p", "127.0.0.1:8000:8000", "-v", "/tmp:/t:ro", IMAGE] },
  "--mount passed through": { argv: ["--mount", "type=tmpfs,target=/scratch", IMAGE] },
  "--name given": { argv: ["--name", "mine", IMAGE] },
  "--name= given twice": { argv: ["--name=aa", "--name=bb", IMAGE] },
  "--user, --workdir, --memory, --shm-size given": {
    argv: ["--user", "0", "--workdir", "/w", "--memory", "1g", "--shm-size=64m", IMAGE],
  },
  "--init given, --rm given": { argv: ["--init", "--rm", IMAGE] },
  "-it grouped": { argv: ["-it", IMAGE, "sh"], host: tty },
  "--tty given": { argv: ["--tty", IMAGE], host: tty },
  "-i given": { argv: ["-i", IMAGE] },
  "--pull given": { argv: ["--pull", "always", IMAGE] },
  "--local": { argv: ["--local", IMAGE] },
  "pulled first": { argv: [IMAGE], extra: { pullNever: true } },
  "--gpus given": { argv: ["--gpus", "all", IMAGE] },
  "gpus from settings": { argv: [IMAGE], settings: { gpus: "device=0" } },
  "settings: volumes, ports, docker_args, env": {
    argv: [IMAGE],
    settings: {
      volumes: ["/srv/cache:/cache"],
      ports: ["127.0.0.1:5000:5000"],
      dockerArgs: ["--cap-drop", "ALL"],
      env: { LITERAL: "v", PASSED: null, TZ: "Asia/Tokyo" },
    },
  },
  "settings env left to -e": {
    argv: ["-e", "LITERAL=mine", IMAGE],
    settings: { env: { LITERAL: "v" } },
  },
  "settings: init false, memory, shm, time zone": {
    argv: [IMAGE],
    settings: { init: false, memory: "2g", shmSize: "1g", timeZone: "UTC" },
  },
  "settings command": { argv: [IMAGE], settings: { command: ["python", "-m", "app"] } },
  "settings command notebook": {
    argv: [IMAGE],
    settings: { command: ["notebook"] },
    extra: { notebookToken: "bb" },
  },
  "command line beats settings command": {
    argv: [IMAGE, "true"],
    settings: { command: ["python"] },
  },
  "other container home": { argv: [IMAGE], host: dev, settings: { containerHome: "/app" } },
  "--hostsrcdir": { argv: ["--hostsrcdir", "/src/a b", IMAGE] },
  "--hostdatadir and --hostlogdir with commas and quotes": {
    argv: ["--hostdatadir", '/d/a,"b', "--hostlogdir", "/l/$x é", IMAGE],
  },
  "RUN_DOCKER_WORKDIR": { argv: [IMAGE], host: { env: { RUN_DOCKER_WORKDIR: "/srv/work" } } },
  "macOS host": {
    argv: [IMAGE],
    host: { os: "darwin", home: "/Users/zepu", cwd: "/Users/zepu", hostIp: undefined },
  },
  "Windows host": {
    argv: [IMAGE],
    host: {
      os: "windows",
      home: "C:\\Users\\zepu",
      cwd: "C:\\Users\\zepu",
      uid: undefined,
      gid: undefined,
    },
  },
  "reference with a registry port and a digest": {
    argv: ["localhost:5000/team/app@sha256:" + "a".repeat(64), "true"],
  },
  "Docker Hub official image": { argv: ["python:3.12", "python"] },
  "unknown docker options kept as tokens": {
    argv: ["--cap-add=SYS_PTRACE", "--network", "host", "--add-host", "a:127.0.0.1", IMAGE],
  },
  "double dash before the image": { argv: ["--", IMAGE, "--", "x"] },
};

function build(row: Row): string[] {
  const base = exampleInput(row.argv, row.host);
  const input: RunArgsInput = {
    ...base,
    settings: { ...DEFAULT_SETTINGS, ...row.settings },
    ...row.extra,
  };
  return planRun(input).args;
}

const GOLDEN = new URL("./golden/argv.json", import.meta.url);

if (Deno.env.get("RUN_DOCKER_RECORD_GOLDEN") === "1") {
  const recorded = Object.fromEntries(
    Object.entries(ROWS).map(([name, row]) => [name, build(row)]),
  );
  Deno.writeTextFileSync(GOLDEN, JSON.stringify(recorded, null, 2) + "\n");
}

const golden: Record<string, string[]> = JSON.parse(Deno.readTextFileSync(GOLDEN));

Deno.test("the golden table has a recorded argv for each of its 30 or more requests", () => {
  assert.ok(Object.keys(ROWS).length >= 30);
  assert.deepEqual(Object.keys(golden).sort(), Object.keys(ROWS).sort());
});

for (const [name, row] of Object.entries(ROWS)) {
  Deno.test(`docker argv unchanged: ${name}`, () => {
    assert.deepEqual(build(row), golden[name]);
  });
}
