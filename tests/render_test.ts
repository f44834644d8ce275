import assert from "node:assert/strict";
import { Job } from "kubernetes-models/batch/v1/Job";
import { UsageError } from "../lib/core/errors.ts";
import { DEFAULT_SETTINGS } from "../lib/core/facts.ts";
import { renderCompose } from "../lib/core/render/compose.ts";
import { containerConfig } from "../lib/core/render/container_config.ts";
import { renderKubernetes } from "../lib/core/render/kubernetes.ts";
import { planRun } from "../lib/core/run_args.ts";
import { exampleInput } from "./fixtures.ts";

const IMAGE = "zppz/app:20210502-002343";
const SRC = "/home/zepu/work/src/app";

Deno.test("renderCompose() gives one service equal to a prod run", () => {
  const { spec } = planRun(exampleInput([IMAGE, "python", "-V"]));
  assert.deepEqual(renderCompose(spec), {
    services: {
      app: {
        image: IMAGE,
        command: ["python", "-V"],
        user: "docker-user",
        working_dir: "/home/docker-user",
        volumes: [
          { type: "bind", source: "/home/zepu/work/data", target: "/home/docker-user/data" },
          { type: "bind", source: "/home/zepu/work/log", target: "/home/docker-user/log" },
        ],
        environment: [
          "HOME=/home/docker-user",
          "USER=docker-user",
          "HOSTUSER=1000:1000",
          "IMAGE_NAME=app",
          "IMAGE_VERSION=20210502-002343",
          "TZ=Europe/Berlin",
          "HOST_UNAME=Linux laptop 6.1.0 x86_64",
          "HOST_WHOAMI=zepu",
          "HOST_IP=192.0.2.10",
          "DATADIR=/home/docker-user/data",
          "LOGDIR=/home/docker-user/log",
        ],
        mem_limit: "12g",
        shm_size: "4g",
        init: true,
        labels: { "run-docker.version": "0.1.0", "run-docker.mode": "prod" },
        stdin_open: true,
        tty: false,
      },
    },
  });
});

Deno.test("renderCompose() escapes $ and keeps pass-by-name entries bare", () => {
  const { spec } = planRun({
    ...exampleInput(["--hostdatadir", "/d/$HOME x,y", "-e", "TOKEN", "-e", "A=$1", IMAGE], {
      existingDirs: new Set([SRC]),
    }),
    settings: { ...DEFAULT_SETTINGS, env: { PASSED: null } },
  });
  const service = renderCompose(spec).services.app;
  const volumes = service.volumes as { source: string; target: string }[];
  assert.deepEqual(volumes.map((v) => v.source), [SRC, "/d/$$HOME x,y", "/home/zepu/work/log"]);
  const environment = service.environment as string[];
  assert.deepEqual(environment.slice(-3), ["PASSED", "TOKEN", "A=$$1"]);
  assert.ok(environment.includes("PYTHONPATH=/home/docker-user/src/src"));
  assert.equal(service.working_dir, "/home/docker-user/src");
});

Deno.test("renderCompose() applies the user's docker options and maps known ones to keys", () => {
  const { spec } = planRun(
    exampleInput([
      "--user=0",
      "-p",
      "127.0.0.1:80:80",
      "--cap-add",
      "SYS_PTRACE",
      "--read-only",
      "--name",
      "xx",
      IMAGE,
    ]),
  );
  const service = renderCompose(spec).services.app;
  assert.equal(service.user, "0");
  assert.deepEqual(service.ports, ["127.0.0.1:80:80"]);
  assert.deepEqual(service.cap_add, ["SYS_PTRACE"]);
  assert.equal(service.read_only, true);
});

Deno.test("renderCompose() refuses a docker option Compose has no key for", () => {
  const { spec } = planRun(exampleInput(["--ulimit", "nofile=10", IMAGE]));
  assert.throws(
    () => renderCompose(spec),
    (e) => e instanceof UsageError && /--ulimit/.test(e.message),
  );
});

Deno.test("containerConfig() lets the last -e of a name win and keeps the order", () => {
  const { spec } = planRun(exampleInput(["-e", "TZ=UTC", "-e", "B=1", "-e", "B=2", IMAGE]));
  const env = containerConfig(spec).env;
  assert.deepEqual(env.filter((e) => e.name === "B"), [{ name: "B", value: "2" }]);
  assert.deepEqual(env.filter((e) => e.name === "TZ"), [{ name: "TZ", value: "UTC" }]);
});

const KUBERNETES: [string, string[], Partial<Parameters<typeof exampleInput>[2]>, object][] = [
  ["a prod run", [IMAGE, "python", "-m", "app"], {}, {}],
  ["a numeric user with claims", ["--user", "1001:1001", IMAGE], {}, {
    dataClaim: "team-data",
    logClaim: "team-log",
  }],
  ["a digest from the registry", [IMAGE], { digest: "sha256:" + "b".repeat(64) }, {}],
  ["--hostdatadir no", ["--hostdatadir", "no", "--memory", "1.5g", IMAGE], {}, {}],
];

for (const [name, argv, extra, options] of KUBERNETES) {
  Deno.test(`renderKubernetes() makes a valid Job: ${name}`, () => {
    const { spec } = planRun(exampleInput(argv, {}, extra));
    const { job } = renderKubernetes(spec, options);
    new Job(job as ConstructorParameters<typeof Job>[0]).validate();
  });
}

Deno.test("renderKubernetes() pins the digest, sets limits, user, shm and volumes", () => {
  const digest = "sha256:" + "c".repeat(64);
  const { spec } = planRun(exampleInput(["--user", "1001:1002", IMAGE, "run"], {}, { digest }));
  const { job, comments } = renderKubernetes(spec, { dataClaim: "d" });
  const pod = (job.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  const [container] = pod.containers as Record<string, unknown>[];
  assert.equal(container.image, `zppz/app@${digest}`);
  assert.deepEqual(container.args, ["run"]);
  assert.deepEqual(container.securityContext, { runAsUser: 1001, runAsGroup: 1002 });
  assert.deepEqual(container.resources, { limits: { memory: "12Gi" } });
  assert.deepEqual(pod.volumes, [
    { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "4Gi" } },
    { name: "data", persistentVolumeClaim: { claimName: "d" } },
    { name: "log", emptyDir: {} },
  ]);
  assert.equal(pod.restartPolicy, "Never");
  assert.equal((job.spec as { backoffLimit: number }).backoffLimit, 0);
  assert.deepEqual(comments, [
    "log: an emptyDir, gone with the Pod; set kubernetes.log_claim to a PersistentVolumeClaim to keep it",
  ]);
});

Deno.test("renderKubernetes() refuses dev mode and options a Pod has no field for", () => {
  const dev = planRun(exampleInput([IMAGE], { existingDirs: new Set([SRC]) })).spec;
  assert.throws(
    () => renderKubernetes(dev, {}),
    (e) => e instanceof UsageError && /dev mode/.test(e.message),
  );
  const capAdd = planRun(exampleInput(["--cap-add", "NET_ADMIN", IMAGE])).spec;
  assert.throws(
    () => renderKubernetes(capAdd, {}),
    (e) => e instanceof UsageError && /--cap-add/.test(e.message),
  );
});
