import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, type HostFacts } from "../lib/core/facts.ts";
import { bindMount, buildRunArgs, containerName, planRun } from "../lib/core/run_args.ts";
import {
  DATA,
  expected,
  HEAD,
  headOf,
  LIMITS,
  LOG,
  mounts,
  NAME,
  type Parts,
} from "./argv_fixture.ts";
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
      "zepu-docker-project-template-py-20210502-022343-9f3a",
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
  assert.deepEqual(
    args,
    expected({
      head: headOf("docker-project-template-py"),
      workdir: "/home/docker-user/src",
      mode: "dev",
      mounts: mounts(`type=bind,source=${SRC},target=/home/docker-user/src`, DATA, LOG),
      env: {
        IMAGE_NAME: "docker-project-template-py",
        IMAGE_VERSION: "20210502-002343",
        PYTHONPATH: "/home/docker-user/src/src",
      },
      tail: ["zppz/docker-project-template-py:20210502-002343"],
    }),
  );
});

Deno.test("buildRunArgs() stays in prod mode when only a longer-named tree exists", () => {
  const args = buildRunArgs(
    exampleInput(["zppz/docker-project-template-py-zepu:1"], { existingDirs: new Set([SRC]) }),
  );
  assert.deepEqual(
    args,
    expected({
      head: headOf("docker-project-template-py-zepu"),
      env: { IMAGE_NAME: "docker-project-template-py-zepu" },
      tail: ["zppz/docker-project-template-py-zepu:1"],
    }),
  );
});

type Rule = [name: string, argv: string[], host: Partial<HostFacts>, expected: Partial<Parts>];
const TTYS = { stdinIsTty: true, stdoutIsTty: true };
const NO_RM = ["--init", "--name", NAME, "--interactive"];

const rules: Rule[] = [
  ["adds --interactive when stdin is not a TTY", ["i:1"], { stdinIsTty: false }, {}],
  ["adds --interactive when stdin is a TTY", ["i:1"], { stdinIsTty: true }, {}],
  ["adds --tty only when stdin and stdout are TTYs", ["i:1"], TTYS, {
    head: [...HEAD, "--tty"],
  }],
  ["leaves out --tty when stdout is captured", ["i:1"], { stdinIsTty: true }, {}],
  ["leaves out --tty when stdin is a pipe", ["i:1"], { stdoutIsTty: true }, {}],
  ["adds neither -i nor -t nor --rm with --detach", ["-d", "i:1"], TTYS, {
    head: ["--init", "--name", NAME],
    tail: ["-d", "i:1"],
  }],
  ["keeps -i/-t behavior with --detach=false", ["--detach=false", "i:1"], TTYS, {
    head: [...HEAD, "--tty"],
    tail: ["--detach=false", "i:1"],
  }],
  ["leaves out --rm with --restart", ["--restart", "always", "i:1"], {}, {
    head: NO_RM,
    tail: ["--restart", "always", "i:1"],
  }],
  ["keeps --rm with --restart no", ["--restart", "no", "i:1"], {}, {
    tail: ["--restart", "no", "i:1"],
  }],
  ["leaves --rm to the user's --rm=false", ["--rm=false", "i:1"], {}, {
    head: NO_RM,
    tail: ["--rm=false", "i:1"],
  }],
  ["lets -m win over the default memory", ["-m", "5g", "i:1"], {}, {
    limits: ["--shm-size", "4g"],
    tail: ["-m", "5g", "i:1"],
  }],
  ["lets --memory=5g win", ["--memory=5g", "i:1"], {}, {
    limits: ["--shm-size", "4g"],
    tail: ["--memory=5g", "i:1"],
  }],
  ["lets --shm-size win", ["--shm-size", "1g", "i:1"], {}, {
    limits: ["--memory", "12g"],
    tail: ["--shm-size", "1g", "i:1"],
  }],
  ["lets -u win", ["-u", "0", "i:1"], {}, { user: null, tail: ["-u", "0", "i:1"] }],
  ["lets -w win", ["-w", "/x", "i:1"], {}, { workdir: null, tail: ["-w", "/x", "i:1"] }],
  ["lets --name win", ["--name", "mine", "i:1"], {}, {
    head: ["--rm", "--init", "--interactive"],
    tail: ["--name", "mine", "i:1"],
  }],
  ["lets --init=false win", ["--init=false", "i:1"], {}, {
    head: ["--rm", "--name", NAME, "--interactive"],
    tail: ["--init=false", "i:1"],
  }],
  ["lets -it win over the TTY rules", ["-it", "i:1"], { stdinIsTty: false }, {
    head: ["--rm", "--init", "--name", NAME],
    tail: ["-it", "i:1"],
  }],
  ["lets -t win in a group", ["-t", "i:1"], TTYS, { tail: ["-t", "i:1"] }],
  ["lets the user's -e win over a convention", ["-e", "TZ=UTC", "i:1"], {}, {
    env: { TZ: undefined },
    tail: ["-e", "TZ=UTC", "i:1"],
  }],
  ["runs as root with --root, data and log under /root", ["--root", "i:1"], {}, {
    user: "root",
    workdir: "/root",
    mounts: mounts(
      "type=bind,source=/home/zepu/work/data,target=/root/data",
      "type=bind,source=/home/zepu/work/log,target=/root/log",
    ),
    env: { HOME: "/root", USER: "root", DATADIR: "/root/data", LOGDIR: "/root/log" },
  }],
  ["mounts src, data and log under /root with --root in dev mode", ["--root", "i:1"], {
    existingDirs: new Set(["/home/zepu/work/src/i"]),
  }, {
    user: "root",
    workdir: "/root/src",
    mode: "dev",
    mounts: mounts(
      "type=bind,source=/home/zepu/work/src/i,target=/root/src",
      "type=bind,source=/home/zepu/work/data,target=/root/data",
      "type=bind,source=/home/zepu/work/log,target=/root/log",
    ),
    env: {
      HOME: "/root",
      USER: "root",
      DATADIR: "/root/data",
      LOGDIR: "/root/log",
      PYTHONPATH: "/root/src/src",
    },
  }],
  ["mounts no data dir with --hostdatadir no", ["--hostdatadir", "no", "i:1"], {}, {
    mounts: mounts(LOG),
    env: { DATADIR: "/tmp" },
  }],
  ["mounts no log dir with --hostlogdir no", ["--hostlogdir", "no", "i:1"], {}, {
    mounts: mounts(DATA),
    env: { LOGDIR: "/tmp" },
  }],
  ["mounts other data and log dirs", ["--hostdatadir", "/d d", "--hostlogdir", "rel", "i:1"], {
    cwd: "/c",
  }, {
    mounts: mounts(
      "type=bind,source=/d d,target=/home/docker-user/data",
      "type=bind,source=/c/rel,target=/home/docker-user/log",
    ),
  }],
  ["goes dev mode with --hostsrcdir", ["--hostsrcdir", "~/code/x", "i:1"], {}, {
    workdir: "/home/docker-user/src",
    mode: "dev",
    mounts: mounts("type=bind,source=/home/zepu/code/x,target=/home/docker-user/src", DATA, LOG),
    env: { PYTHONPATH: "/home/docker-user/src/src" },
  }],
  ["uses RUN_DOCKER_WORKDIR", ["i:1"], { env: { RUN_DOCKER_WORKDIR: "/srv/w" } }, {
    mounts: mounts(
      "type=bind,source=/srv/w/data,target=/home/docker-user/data",
      "type=bind,source=/srv/w/log,target=/home/docker-user/log",
    ),
  }],
  ["CSV-quotes a mount path with a comma", ["i:1"], { home: "/h/a,b" }, {
    mounts: mounts(
      'type=bind,"source=/h/a,b/work/data",target=/home/docker-user/data',
      'type=bind,"source=/h/a,b/work/log",target=/home/docker-user/log',
    ),
  }],
  ["keeps a path with spaces, quotes, $ and unicode as one word", ["i:1"], {
    home: "/h/ä $x 'q'",
  }, {
    mounts: mounts(
      "type=bind,source=/h/ä $x 'q'/work/data,target=/home/docker-user/data",
      "type=bind,source=/h/ä $x 'q'/work/log,target=/home/docker-user/log",
    ),
  }],
  ["adds -p no:cacheprovider to pytest", ["i:1", "pytest", "-x"], {}, {
    tail: ["i:1", "pytest", "-p", "no:cacheprovider", "-x"],
  }],
  ["adds -p no:cacheprovider to py.test", ["i:1", "py.test"], {}, {
    tail: ["i:1", "py.test", "-p", "no:cacheprovider"],
  }],
  ["adds --pull never and DOCKER_LOCAL_MODE=1 with --local", ["--local", "i:1"], {}, {
    limits: [...LIMITS, "--pull", "never"],
    env: { DOCKER_LOCAL_MODE: "1" },
  }],
  ["names HOST_WHOAMI and the container after the host facts' user", ["i:1"], { user: "root" }, {
    head: ["--rm", "--init", "--name", "root-i-20210502-022343-9f3a", "--interactive"],
    env: { HOST_WHOAMI: "root" },
  }],
  [
    "passes docker options after the conventions, before the image",
    ["--cpus=2", "-eA=b c", "i:1", "x"],
    {},
    { tail: ["--cpus=2", "-eA=b c", "i:1", "x"] },
  ],
  ["leaves out HOSTUSER on Windows", ["i:1"], {
    uid: undefined,
    gid: undefined,
    os: "windows",
    home: "C:\\Users\\z",
  }, {
    mounts: mounts(
      "type=bind,source=C:/Users/z/work/data,target=/home/docker-user/data",
      "type=bind,source=C:/Users/z/work/log,target=/home/docker-user/log",
    ),
    env: { HOSTUSER: undefined, HOST_UNAME: "Windows_NT laptop 6.1.0 x86_64" },
  }],
  ["uses the digest as IMAGE_VERSION when there is no tag", [`i@sha256:${"0".repeat(64)}`], {}, {
    env: { IMAGE_VERSION: `sha256:${"0".repeat(64)}` },
    tail: [`i@sha256:${"0".repeat(64)}`],
  }],
];

for (const [name, argv, host, parts] of rules) {
  Deno.test(`buildRunArgs() ${name}`, () => {
    assert.deepEqual(buildRunArgs(exampleInput(argv, host)), expected(parts));
  });
}

/** The notebook command after the image, on `port`: JupyterLab's own entry point. */
const jupyter = (port: number) => [
  "jupyter-lab",
  "--ip=0.0.0.0",
  `--port=${port}`,
  "--no-browser",
  "--ServerApp.root_dir=/home/docker-user",
];

/** Jupyter's data and runtime folders, out of HOME (as the original script had them). */
const JUPYTER_DIRS = {
  JUPYTER_DATA_DIR: "/tmp/.jupyter/data",
  JUPYTER_RUNTIME_DIR: "/tmp/.jupyter/runtime",
};

Deno.test("planRun() roots the notebook at the container home in dev mode, so data and log are reachable", () => {
  const dev = { existingDirs: new Set(["/home/zepu/work/src/i"]) };
  const plan = planRun(exampleInput(["i:1", "notebook"], dev, { notebookToken: "t" }));
  assert.deepEqual(
    plan.args,
    expected({
      workdir: "/home/docker-user/src",
      mode: "dev",
      mounts: mounts(
        "type=bind,source=/home/zepu/work/src/i,target=/home/docker-user/src",
        DATA,
        LOG,
      ),
      env: { PYTHONPATH: "/home/docker-user/src/src", ...JUPYTER_DIRS },
      notebook: ["--publish", "127.0.0.1:8888:8888", "--env", "JUPYTER_TOKEN"],
      tail: ["i:1", ...jupyter(8888)],
    }),
  );
});

Deno.test("planRun() as root roots the notebook at /root with --allow-root", () => {
  const plan = planRun(exampleInput(["--root", "i:1", "notebook"], {}, { notebookToken: "t" }));
  assert.deepEqual(plan.args.slice(plan.args.indexOf("i:1")), [
    "i:1",
    "jupyter-lab",
    "--ip=0.0.0.0",
    "--port=8888",
    "--no-browser",
    "--ServerApp.root_dir=/root",
    "--allow-root",
  ]);
});

Deno.test("planRun() publishes the notebook on 127.0.0.1 with a token kept out of argv", () => {
  const plan = planRun(exampleInput(["i:1", "notebook"], {}, { notebookToken: "s3cr3t" }));
  assert.deepEqual(
    plan.args,
    expected({
      env: JUPYTER_DIRS,
      notebook: ["--publish", "127.0.0.1:8888:8888", "--env", "JUPYTER_TOKEN"],
      tail: ["i:1", ...jupyter(8888)],
    }),
  );
  assert.deepEqual(plan.engineEnv, { JUPYTER_TOKEN: "s3cr3t" });
  assert.equal(plan.notebookUrl, "http://127.0.0.1:8888/lab?token=s3cr3t");
});

Deno.test("planRun() leaves the notebook token to the user's -e JUPYTER_TOKEN", () => {
  const plan = planRun(
    exampleInput(["-e", "JUPYTER_TOKEN=mine", "i:1", "notebook"], {}, { notebookToken: "t" }),
  );
  assert.deepEqual(
    plan.args,
    expected({
      env: JUPYTER_DIRS,
      notebook: ["--publish", "127.0.0.1:8888:8888"],
      tail: ["-e", "JUPYTER_TOKEN=mine", "i:1", ...jupyter(8888)],
    }),
  );
  assert.equal(plan.notebookUrl, "http://127.0.0.1:8888/lab?token=mine");
  assert.deepEqual(plan.engineEnv, {});
});

Deno.test("planRun() uses --notebook-port for the notebook", () => {
  const plan = planRun(
    exampleInput(["--nb_port", "9999", "i:1", "notebook"], {}, { notebookToken: "t" }),
  );
  assert.deepEqual(
    plan.args,
    expected({
      env: JUPYTER_DIRS,
      notebook: ["--publish", "127.0.0.1:9999:9999", "--env", "JUPYTER_TOKEN"],
      tail: ["i:1", ...jupyter(9999)],
    }),
  );
});

Deno.test("buildRunArgs() runs user: host as the host uid with its passwd, group and a writable HOME", () => {
  const settings = { ...DEFAULT_SETTINGS, containerUser: "host" };
  const files = { passwd: "/tmp/run-docker-1001/passwd", group: "/tmp/run-docker-1001/group" };
  const hostFiles = mounts(
    "type=bind,source=/tmp/run-docker-1001/passwd,target=/etc/passwd,readonly",
    "type=bind,source=/tmp/run-docker-1001/group,target=/etc/group,readonly",
  );
  assert.deepEqual(
    buildRunArgs(
      exampleInput(["i:1"], { uid: 1001, gid: 1002 }, { settings, hostUserFiles: files }),
    ),
    expected({
      user: "1001:1002",
      mounts: [
        ...mounts(DATA, LOG),
        "--tmpfs",
        "/home/docker-user:uid=1001,gid=1002,mode=0755,exec",
        ...hostFiles,
      ],
      env: { USER: "zepu", HOSTUSER: "1001:1002" },
    }),
  );
  // uid 1000 owns HOME by convention already: no tmpfs over it.
  assert.deepEqual(
    buildRunArgs(
      exampleInput(["i:1"], { uid: 1000, gid: 1000 }, { settings, hostUserFiles: files }),
    ),
    expected({
      user: "1000:1000",
      mounts: [...mounts(DATA, LOG), ...hostFiles],
      env: { USER: "zepu" },
    }),
  );
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
  assert.deepEqual(
    buildRunArgs(exampleInput(["-e", "A=cli", "i:1", "x"], {}, { settings })),
    expected({
      head: ["--rm", "--name", NAME, "--interactive"],
      limits: [...LIMITS, "--gpus", "all"],
      mounts: [...mounts(DATA, LOG), "--volume", "/v:/v", "--publish", "8080:80"],
      // A=1 is left out: the command line's -e A=cli wins.
      env: { TZ: "Asia/Tokyo", FROM_HOST: null },
      tail: ["--cpus", "2", "-e", "A=cli", "i:1", "x"],
    }),
  );
});

Deno.test("planRun() explains dev or prod, each default added, each left out", () => {
  const plan = planRun(
    exampleInput(["-m", "1g", "i:1"], {
      uid: 1001,
      existingDirs: new Set(["/home/zepu/work/src/i"]),
    }, { settings: { ...DEFAULT_SETTINGS, containerUser: "docker-user" } }),
  );
  assert.deepEqual(plan.explain, [
    "mode: dev (/home/zepu/work/src/i exists)",
    "added --rm (always, unless detached)",
    "added --init (default)",
    `added --name ${NAME} (unique per run)`,
    "added --user docker-user (default)",
    "note: your uid 1001 differs from the image user's (docker-user, uid 1000): " +
    "files in src, data and log may not be writable; `user: auto` (the default) or `user: host` runs as you",
    "added --workdir /home/docker-user/src (dev mode)",
    "left out --memory: given on the command line",
    "added --shm-size 4g (default)",
  ]);
});

Deno.test("containerName() says who runs what, in docker's name grammar, at most 63 characters", () => {
  const now = new Date("2021-05-02T00:23:43Z");
  const grammar = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
  const long = "x".repeat(200);
  for (const user of ["zepu", "-x", "ü", "", "a b/c", "...", long]) {
    for (const image of ["app", "-", "", "a.b_c-d", long]) {
      const name = containerName({ user, now, utcOffsetMinutes: 0 }, image, "0a1b");
      assert.match(name, grammar);
      assert.ok(name.length <= 63, name);
      assert.match(name, /-20210502-002343-0a1b$/);
    }
  }
  assert.equal(
    containerName({ user: "zepu", now, utcOffsetMinutes: -240 }, "app", "0a1b"),
    "zepu-app-20210501-202343-0a1b",
  );
  assert.equal(
    containerName({ user: "j.doe@corp", now, utcOffsetMinutes: 0 }, long, "0a1b"),
    `j.doe_corp-${"x".repeat(31)}-20210502-002343-0a1b`,
  );
  assert.equal(containerName({ user: "", now, utcOffsetMinutes: 0 }, "", "0a1b").length, 31);
});

Deno.test("bindMount() quotes only the fields that need it", () => {
  assert.equal(bindMount("/a b", "/t"), "type=bind,source=/a b,target=/t");
  assert.equal(bindMount("/a\nb", "/t"), 'type=bind,"source=/a\nb",target=/t');
});
