import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, type HostFacts } from "../lib/facts.ts";
import { bindMount, buildRunArgs, containerName, planRun } from "../lib/run_args.ts";
import { exampleInput } from "./fixtures.ts";

const SRC = "/home/zepu/work/src/docker-project-template-py";
const COMMON_ENV = [
  "--env",
  "HOSTUSER=1000:1000",
  "--env",
  "IMAGE_NAME=docker-project-template-py",
  "--env",
  "IMAGE_VERSION=20210502-002343",
  "--env",
  "TZ=Europe/Berlin",
  "--env",
  "HOST_UNAME=Linux laptop 6.1.0 x86_64",
  "--env",
  "HOST_WHOAMI=zepu",
  "--env",
  "HOST_IP=192.0.2.10",
  "--env",
  "DATADIR=/home/docker-user/data",
  "--env",
  "LOGDIR=/home/docker-user/log",
];
const MOUNTS = [
  "--mount",
  "type=bind,source=/home/zepu/work/data,target=/home/docker-user/data",
  "--mount",
  "type=bind,source=/home/zepu/work/log,target=/home/docker-user/log",
];

Deno.test("buildRunArgs() builds the whole prod-mode argv", () => {
  assert.deepEqual(
    buildRunArgs(exampleInput(["zppz/docker-project-template-py:20210502-002343", "python", "-V"])),
    [
      "run",
      "--rm",
      "--init",
      "--name",
      "zepu-20210502-022343-9f3a",
      "--interactive",
      "--user",
      "docker-user",
      "--workdir",
      "/home/docker-user",
      "--memory",
      "12g",
      "--shm-size",
      "4g",
      "--label",
      "run-docker.version=0.1.0",
      "--label",
      "run-docker.mode=prod",
      ...MOUNTS,
      "--env",
      "HOME=/home/docker-user",
      "--env",
      "USER=docker-user",
      ...COMMON_ENV,
      "zppz/docker-project-template-py:20210502-002343",
      "python",
      "-V",
    ],
  );
});

Deno.test("buildRunArgs() mounts the source in dev mode", () => {
  const args = buildRunArgs(
    exampleInput(["zppz/docker-project-template-py:20210502-002343"], {
      existingDirs: new Set([SRC]),
    }),
  );
  assert.deepEqual(args.slice(args.indexOf("--workdir"), args.indexOf("--workdir") + 2), [
    "--workdir",
    "/home/docker-user/src",
  ]);
  assert.ok(args.includes("run-docker.mode=dev"));
  assert.ok(args.includes(`type=bind,source=${SRC},target=/home/docker-user/src`));
  assert.equal(args.at(-2), "PYTHONPATH=/home/docker-user/src/src");
});

Deno.test("buildRunArgs() stays in prod mode when only a longer-named tree exists", () => {
  const args = buildRunArgs(
    exampleInput(["zppz/docker-project-template-py-zepu:1"], { existingDirs: new Set([SRC]) }),
  );
  assert.ok(args.includes("run-docker.mode=prod"));
  assert.ok(!args.some((a) => a.startsWith("PYTHONPATH=")));
});

type Rule = [
  name: string,
  argv: string[],
  host: Partial<HostFacts>,
  check: (args: string[]) => void,
];
const count = (args: string[], word: string) => args.filter((a) => a === word).length;
const valueOf = (args: string[], option: string) => args[args.indexOf(option) + 1];
const has = (word: string) => (args: string[]) =>
  assert.ok(args.includes(word), `${word} missing in ${args}`);
const lacks = (word: string) => (args: string[]) =>
  assert.ok(!args.includes(word), `${word} present in ${args}`);

const rules: Rule[] = [
  [
    "adds --interactive when stdin is not a TTY",
    ["i:1"],
    { stdinIsTty: false },
    has("--interactive"),
  ],
  ["adds --interactive when stdin is a TTY", ["i:1"], { stdinIsTty: true }, has("--interactive")],
  [
    "adds --tty only when stdin and stdout are TTYs",
    ["i:1"],
    { stdinIsTty: true, stdoutIsTty: true },
    has("--tty"),
  ],
  [
    "leaves out --tty when stdout is captured",
    ["i:1"],
    { stdinIsTty: true, stdoutIsTty: false },
    lacks("--tty"),
  ],
  [
    "leaves out --tty when stdin is a pipe",
    ["i:1"],
    { stdinIsTty: false, stdoutIsTty: true },
    lacks("--tty"),
  ],
  [
    "adds neither -i nor -t with --detach",
    ["-d", "i:1"],
    { stdinIsTty: true, stdoutIsTty: true },
    (a) => {
      lacks("--interactive")(a);
      lacks("--tty")(a);
      lacks("--rm")(a);
    },
  ],
  ["keeps -i/-t behavior with --detach=false", ["--detach=false", "i:1"], {
    stdinIsTty: true,
    stdoutIsTty: true,
  }, (a) => {
    has("--tty")(a);
    has("--rm")(a);
  }],
  ["leaves out --rm with --restart", ["--restart", "always", "i:1"], {}, lacks("--rm")],
  ["leaves --rm to the user's --rm=false", ["--rm=false", "i:1"], {}, (a) => {
    lacks("--rm")(a);
    has("--rm=false")(a);
  }],
  ["lets -m win over the default memory", ["-m", "5g", "i:1"], {}, (a) => {
    lacks("--memory")(a);
    assert.equal(count(a, "-m"), 1);
    assert.equal(valueOf(a, "-m"), "5g");
  }],
  ["lets --memory=5g win", ["--memory=5g", "i:1"], {}, (a) => {
    lacks("--memory")(a);
    assert.equal(count(a, "--memory=5g"), 1);
  }],
  ["lets --shm-size win", ["--shm-size", "1g", "i:1"], {}, (a) => {
    assert.equal(count(a, "--shm-size"), 1);
    assert.equal(valueOf(a, "--shm-size"), "1g");
  }],
  ["lets -u win", ["-u", "0", "i:1"], {}, (a) => {
    lacks("--user")(a);
    assert.equal(valueOf(a, "-u"), "0");
  }],
  ["lets -w win", ["-w", "/x", "i:1"], {}, (a) => {
    lacks("--workdir")(a);
    assert.equal(valueOf(a, "-w"), "/x");
  }],
  ["lets --name win", ["--name", "mine", "i:1"], {}, (a) => {
    assert.equal(count(a, "--name"), 1);
    assert.equal(valueOf(a, "--name"), "mine");
  }],
  ["lets --init=false win", ["--init=false", "i:1"], {}, lacks("--init")],
  ["lets -it win over the TTY rules", ["-it", "i:1"], { stdinIsTty: false }, (a) => {
    lacks("--interactive")(a);
    lacks("--tty")(a);
    assert.equal(count(a, "-it"), 1);
  }],
  ["lets -t win in a group", ["-t", "i:1"], { stdinIsTty: true, stdoutIsTty: true }, (a) => {
    lacks("--tty")(a);
    has("--interactive")(a);
  }],
  ["lets the user's -e win over a convention", ["-e", "TZ=UTC", "i:1"], {}, (a) => {
    assert.ok(!a.includes("TZ=Europe/Berlin"));
    has("TZ=UTC")(a);
  }],
  ["runs as root with --root", ["--root", "i:1"], {}, (a) => {
    assert.equal(valueOf(a, "--user"), "root");
    has("HOME=/root")(a);
    has("USER=root")(a);
  }],
  ["mounts no data dir with --hostdatadir no", ["--hostdatadir", "no", "i:1"], {}, (a) => {
    assert.ok(!a.some((x) => x.includes("target=/home/docker-user/data")));
    has("DATADIR=/tmp")(a);
  }],
  ["mounts no log dir with --hostlogdir no", ["--hostlogdir", "no", "i:1"], {}, (a) => {
    assert.ok(!a.some((x) => x.includes("target=/home/docker-user/log")));
    has("LOGDIR=/tmp")(a);
  }],
  ["mounts other data and log dirs", ["--hostdatadir", "/d d", "--hostlogdir", "rel", "i:1"], {
    cwd: "/c",
  }, (a) => {
    has("type=bind,source=/d d,target=/home/docker-user/data")(a);
    has("type=bind,source=/c/rel,target=/home/docker-user/log")(a);
  }],
  ["goes dev mode with --hostsrcdir", ["--hostsrcdir", "~/code/x", "i:1"], {}, (a) => {
    has("type=bind,source=/home/zepu/code/x,target=/home/docker-user/src")(a);
    has("run-docker.mode=dev")(a);
  }],
  ["uses RUN_DOCKER_WORKDIR", ["i:1"], { env: { RUN_DOCKER_WORKDIR: "/srv/w" } }, (a) => {
    has("type=bind,source=/srv/w/data,target=/home/docker-user/data")(a);
  }],
  ["CSV-quotes a mount path with a comma", ["i:1"], { home: "/h/a,b" }, (a) => {
    has('type=bind,"source=/h/a,b/work/data",target=/home/docker-user/data')(a);
  }],
  [
    "keeps a path with spaces, quotes, $ and unicode as one word",
    ["i:1"],
    { home: "/h/ä $x 'q'" },
    (a) => {
      has("type=bind,source=/h/ä $x 'q'/work/data,target=/home/docker-user/data")(a);
    },
  ],
  ["adds -p no:cacheprovider to pytest", ["i:1", "pytest", "-x"], {}, (a) => {
    assert.deepEqual(a.slice(-5), ["i:1", "pytest", "-p", "no:cacheprovider", "-x"]);
  }],
  ["adds -p no:cacheprovider to py.test", ["i:1", "py.test"], {}, (a) => {
    assert.deepEqual(a.slice(-3), ["py.test", "-p", "no:cacheprovider"]);
  }],
  [
    "adds --pull never with --local",
    ["--local", "i:1"],
    {},
    (a) => assert.equal(valueOf(a, "--pull"), "never"),
  ],
  [
    "passes docker options after the conventions, before the image",
    ["--cpus=2", "-eA=b c", "i:1", "x"],
    {},
    (a) => {
      assert.deepEqual(a.slice(-4), ["--cpus=2", "-eA=b c", "i:1", "x"]);
    },
  ],
  ["leaves out HOSTUSER on Windows", ["i:1"], {
    uid: undefined,
    gid: undefined,
    os: "windows",
    home: "C:\\Users\\z",
  }, (a) => {
    assert.ok(!a.some((x) => x.startsWith("HOSTUSER=")));
    has("type=bind,source=C:/Users/z/work/data,target=/home/docker-user/data")(a);
  }],
  [
    "uses the digest as IMAGE_VERSION when there is no tag",
    [`i@sha256:${"0".repeat(64)}`],
    {},
    (a) => {
      has(`IMAGE_VERSION=sha256:${"0".repeat(64)}`)(a);
    },
  ],
];

for (const [name, argv, host, check] of rules) {
  Deno.test(`buildRunArgs() ${name}`, () => check(buildRunArgs(exampleInput(argv, host))));
}

Deno.test("planRun() publishes the notebook on 127.0.0.1 with a token kept out of argv", () => {
  const plan = planRun(exampleInput(["i:1", "notebook"], {}, { notebookToken: "s3cr3t" }));
  assert.equal(plan.args[plan.args.indexOf("--publish") + 1], "127.0.0.1:8888:8888");
  assert.ok(!plan.args.some((a) => a.includes("s3cr3t")));
  assert.ok(plan.args.includes("JUPYTER_TOKEN"));
  assert.deepEqual(plan.engineEnv, { JUPYTER_TOKEN: "s3cr3t" });
  assert.equal(plan.notebookUrl, "http://127.0.0.1:8888/lab?token=s3cr3t");
  assert.deepEqual(plan.args.slice(plan.args.indexOf("i:1") + 1, plan.args.indexOf("i:1") + 4), [
    "jupyter",
    "lab",
    "--ip=0.0.0.0",
  ]);
});

Deno.test("planRun() leaves the notebook token to the user's -e JUPYTER_TOKEN", () => {
  const plan = planRun(
    exampleInput(["-e", "JUPYTER_TOKEN=mine", "i:1", "notebook"], {}, { notebookToken: "t" }),
  );
  assert.equal(plan.notebookUrl, "http://127.0.0.1:8888/lab?token=mine");
  assert.deepEqual(plan.engineEnv, {});
  assert.equal(plan.args.filter((a) => a.startsWith("JUPYTER_TOKEN")).length, 1);
});

Deno.test("buildRunArgs() runs user: host as the host uid with its passwd, group and a writable HOME", () => {
  const settings = { ...DEFAULT_SETTINGS, containerUser: "host" };
  const files = { passwd: "/tmp/run-docker-1001/passwd", group: "/tmp/run-docker-1001/group" };
  const args = buildRunArgs(
    exampleInput(["i:1"], { uid: 1001, gid: 1002 }, { settings, hostUserFiles: files }),
  );
  assert.equal(args[args.indexOf("--user") + 1], "1001:1002");
  assert.ok(
    args.includes("type=bind,source=/tmp/run-docker-1001/passwd,target=/etc/passwd,readonly"),
  );
  assert.ok(
    args.includes("type=bind,source=/tmp/run-docker-1001/group,target=/etc/group,readonly"),
  );
  assert.equal(
    args[args.indexOf("--tmpfs") + 1],
    "/home/docker-user:uid=1001,gid=1002,mode=0755,exec",
  );
  assert.ok(args.includes("USER=zepu"));
  const same = buildRunArgs(
    exampleInput(["i:1"], { uid: 1000, gid: 1000 }, { settings, hostUserFiles: files }),
  );
  assert.ok(!same.includes("--tmpfs"), "HOME is already the host user's");
});

Deno.test("buildRunArgs() applies configured env, volumes, ports, gpus, init and docker_args", () => {
  const settings = {
    ...DEFAULT_SETTINGS,
    env: { A: "1", FROM_HOST: null },
    volumes: ["/v:/v"],
    ports: ["8080:80"],
    gpus: "all",
    init: false,
    dockerArgs: ["--cpus", "2"],
    timeZone: "Asia/Tokyo",
  };
  const args = buildRunArgs(exampleInput(["-e", "A=cli", "i:1", "x"], {}, { settings }));
  assert.ok(!args.includes("--init"));
  assert.equal(args[args.indexOf("--gpus") + 1], "all");
  assert.equal(args[args.indexOf("--volume") + 1], "/v:/v");
  assert.equal(args[args.indexOf("--publish") + 1], "8080:80");
  assert.ok(args.includes("FROM_HOST"));
  assert.ok(!args.includes("A=1"), "the command line's -e wins");
  assert.ok(args.includes("TZ=Asia/Tokyo"));
  assert.deepEqual(args.slice(-6), ["--cpus", "2", "-e", "A=cli", "i:1", "x"]);
});

Deno.test("planRun() explains dev or prod, each default added, each left out", () => {
  const plan = planRun(
    exampleInput(["-m", "1g", "i:1"], {
      uid: 1001,
      existingDirs: new Set(["/home/zepu/work/src/i"]),
    }),
  );
  assert.equal(plan.explain[0], "mode: dev (/home/zepu/work/src/i exists)");
  assert.ok(plan.explain.includes("left out --memory: given on the command line"));
  assert.ok(plan.explain.includes("added --shm-size 4g (default)"));
  assert.ok(plan.explain.some((l) => l.includes("uid 1001 differs") && l.includes("user: host")));
});

Deno.test("buildRunArgs() keeps --rm with --restart no", () => {
  const args = buildRunArgs(exampleInput(["--restart", "no", "i:1"]));
  assert.ok(args.includes("--rm"));
});

Deno.test("planRun() uses --notebook-port for the notebook", () => {
  const plan = planRun(
    exampleInput(["--nb_port", "9999", "i:1", "notebook"], {}, { notebookToken: "t" }),
  );
  assert.equal(plan.args[plan.args.indexOf("--publish") + 1], "127.0.0.1:9999:9999");
  assert.ok(plan.args.includes("--port=9999"));
});

Deno.test("containerName() sanitizes to docker's name grammar", () => {
  const now = new Date("2021-05-02T00:23:43Z");
  const grammar = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
  for (const user of ["zepu", "-x", "ü", "", "a b/c", "..."]) {
    assert.match(containerName({ user, now, utcOffsetMinutes: 0 }, "0a1b"), grammar);
  }
  assert.equal(
    containerName({ user: "zepu", now, utcOffsetMinutes: -240 }, "0a1b"),
    "zepu-20210501-202343-0a1b",
  );
});

Deno.test("bindMount() quotes only the fields that need it", () => {
  assert.equal(bindMount("/a b", "/t"), "type=bind,source=/a b,target=/t");
  assert.equal(bindMount("/a\nb", "/t"), 'type=bind,"source=/a\nb",target=/t');
});
