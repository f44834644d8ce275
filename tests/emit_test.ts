/**
 * `--emit` and `--dry-run --json` through the program (main.ts from source, with the binary's
 * permission flags), without an engine: the tag is given, so nothing asks docker or a registry.
 * The Job is validated against the Kubernetes API schema (npm:kubernetes-models).
 */

import assert from "node:assert/strict";
import { Job } from "kubernetes-models/batch/v1/Job";
import { parse } from "yaml";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { type CommandResult, runCommand } from "../scripts/run_command.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const IMAGE = "zppz/app:20210502-002343";
/** The test's own module cache, so the program starts without a download. */
const DENO_DIR = Deno.env.get("DENO_DIR") ??
  `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/deno`;

/** Runs run-docker in a fresh HOME holding only `files`; returns its result and what is in HOME after. */
async function runIn(
  args: string[],
  files: Record<string, string> = {},
): Promise<CommandResult & { home: string[] }> {
  const home = await Deno.makeTempDir({ prefix: "run-docker-emit-" });
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(`${home}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
      await Deno.writeTextFile(`${home}/${path}`, text);
    }
    const result = await runCommand(
      Deno.execPath(),
      ["run", "--quiet", ...PERMISSION_FLAGS, `${ROOT}main.ts`, ...args],
      {
        env: {
          HOME: home,
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          DENO_DIR,
          DENO_NO_UPDATE_CHECK: "1",
          TZ: "UTC",
          TOKEN: "s3cr3t-from-the-host",
          // `engine: auto` would take podman where docker's CLI has no engine to answer it.
          RUN_DOCKER_ENGINE: "docker",
        },
      },
    );
    const left: string[] = [];
    for await (const entry of Deno.readDir(home)) left.push(entry.name);
    return { ...result, home: left.sort() };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const CLAIMS = { ".config/run-docker/config.yaml": "kubernetes:\n  data_claim: team-data\n" };

Deno.test("run-docker --emit kubernetes prints a Job that validates, and creates nothing", async () => {
  const result = await runIn(
    ["--emit", "kubernetes", "-e", "TOKEN", IMAGE, "python", "-V"],
    CLAIMS,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.deepEqual(result.home, [".config"]); // no work/, no data or log directory
  const comments = result.stdout.split("\n").filter((l) => l.startsWith("#"));
  assert.deepEqual(comments, [
    `# made by run-docker --emit kubernetes for ${IMAGE}`,
    "# not carried: TOKEN (passed by name from the host's environment; put such values in a " +
    "Secret and add them to env by hand)",
    "# log: an emptyDir, gone with the Pod; set kubernetes.log_claim to a PersistentVolumeClaim " +
    "to keep it",
    "# user: docker-user is a name; a Pod takes numeric ids, so the image's own user runs",
  ]);
  assert.ok(!result.stdout.includes("s3cr3t"));
  const job = new Job(parse(result.stdout));
  job.validate();
  const pod = job.spec!.template.spec!;
  assert.equal(pod.restartPolicy, "Never");
  assert.equal(job.spec!.backoffLimit, 0);
  assert.deepEqual(pod.containers[0].image, IMAGE);
  assert.deepEqual(pod.containers[0].args, ["python", "-V"]);
  assert.deepEqual(pod.volumes?.map((v) => [v.name, v.persistentVolumeClaim?.claimName]), [
    ["dshm", undefined],
    ["data", "team-data"],
    ["log", undefined],
  ]);
});

Deno.test("run-docker --emit k8s refuses dev mode in two lines, exit 125, creating nothing", async () => {
  const result = await runIn(["--emit", "k8s", IMAGE], { "work/src/app/x.py": "" });
  assert.equal(result.code, 125);
  assert.equal(result.stdout, "");
  assert.deepEqual(result.stderr.split("\n"), [
    "run-docker: error: --emit kubernetes makes a Job for the prod image; this run is in dev mode",
    "hint: a cluster runs the image, not your source tree: emit it where ~/work/src/<name> does " +
    "not exist, e.g. RUN_DOCKER_WORKDIR=/srv/work run-docker --emit kubernetes IMAGE",
    "",
  ]);
  assert.deepEqual(result.home, ["work"]);
});

Deno.test("run-docker --emit compose prints one service and creates nothing", async () => {
  const result = await runIn(["--emit", "compose", "-e", "TOKEN", IMAGE, "sh", "-c", "echo $HOME"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.home, []);
  const service = parse(result.stdout).services.app;
  assert.equal(service.image, IMAGE);
  assert.deepEqual(service.command, ["sh", "-c", "echo $$HOME"]);
  assert.equal(service.environment.at(-1), "TOKEN");
  assert.ok(!result.stdout.includes("s3cr3t"));
});

const USAGE: [string[], string][] = [
  [
    ["--emit", "compose", "-d", IMAGE],
    "run-docker: error: --emit and -d/--detach do not go together",
  ],
  [
    ["--emit", "compose", "--dry-run", IMAGE],
    "run-docker: error: --emit and --dry-run do not go together",
  ],
  [["--emit", "swarm", IMAGE], 'run-docker: error: invalid --emit value "swarm"'],
];
for (const [argv, error] of USAGE) {
  Deno.test(`run-docker ${argv.join(" ")} is a usage error`, async () => {
    const result = await runIn(argv);
    assert.equal(result.code, 125);
    const lines = result.stderr.split("\n");
    assert.deepEqual([lines[0], lines.length, lines[1].startsWith("hint: ")], [error, 3, true]);
    assert.deepEqual(result.home, []);
  });
}

Deno.test("run-docker --dry-run --json prints the plan as one JSON object", async () => {
  const result = await runIn(["--dry-run", "--json", "-e", "TOKEN", IMAGE, "true"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trimEnd().split("\n").length, 1);
  const plan = JSON.parse(result.stdout);
  assert.equal(plan.engine, "docker");
  assert.deepEqual(plan.argv.slice(0, 2), ["docker", "run"]);
  assert.deepEqual(plan.argv.slice(-4), ["-e", "TOKEN", IMAGE, "true"]);
  assert.deepEqual([plan.mode, plan.user, plan.image], ["prod", "docker-user", {
    reference: IMAGE,
  }]);
  assert.deepEqual(plan.environment.at(-1), { name: "TOKEN", fromHost: true });
  assert.ok(!result.stdout.includes("s3cr3t"));
  assert.deepEqual(result.home, []);
});
