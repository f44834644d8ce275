/**
 * End-to-end tests on podman, rootful (as root) and rootless (as a test user of its own with
 * its own subuid/subgid range, created and removed here): the core cases of e2e_test.ts plus a
 * newer tag pulled from a plain-http registry on 127.0.0.1.
 *
 * Everything podman keeps is the tests' own: a containers.conf (`CONTAINERS_CONF`: ulimits this
 * machine allows, host networking for rootless, where /dev/net/tun is denied) and a
 * storage.conf (`CONTAINERS_STORAGE_CONF`) in a temp folder; the busybox test image is imported
 * without network. Needs root and podman; ignored without them, except in CI (`CI=true`).
 */

import assert from "node:assert/strict";
import { decoder, program } from "./e2e_helpers.ts";
import { registryAvailable, startRegistry } from "./registry_fixture.ts";
import { runCommand } from "../scripts/run_command.ts";
import { makeTestTarball } from "./test_image.ts";

const IMAGE = "e2e/pod";
const NEWEST = "20210502-002343";
const OLDER = "20201231-235959";
const REMOTE_NEWER = "20300101-000000";

async function podmanMissing(): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "not root (the tests create a user)";
  try {
    const result = await runCommand("podman", ["--version"]);
    return result.code === 0 ? undefined : result.stderr.trim();
  } catch {
    return "podman is not installed";
  }
}
const missing = Deno.env.get("RUN_DOCKER_E2E") === "skip" ? "skip" : await podmanMissing();
const inCI = Deno.env.get("CI") === "true";
const ignore = missing === "skip" || (missing !== undefined && !inCI);

/** One way of running podman: its user, environment and store. */
interface Mode {
  readonly rootless: boolean;
  readonly uid: number;
  readonly gid: number;
  /** Environment of every podman and run-docker started in this mode (no HOME). */
  readonly env: Record<string, string>;
  /** Where the tests' homes go (owned by the mode's user). */
  readonly homes: string;
}

function command(mode: Mode, cmd: string, args: string[]): [string, string[]] {
  if (!mode.rootless) return [cmd, args];
  const ids = ["--reuid", `${mode.uid}`, "--regid", `${mode.gid}`, "--init-groups"];
  return ["setpriv", [...ids, cmd, ...args]];
}

function podman(mode: Mode, ...args: string[]) {
  const [cmd, argv] = command(mode, "podman", args);
  return runCommand(cmd, argv, { env: { ...mode.env, HOME: `${mode.homes}/../user` } });
}

async function withHome(mode: Mode, fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ dir: mode.homes });
  await Deno.chown(home, mode.uid, mode.gid);
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function runDocker(
  mode: Mode,
  home: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
) {
  const [cmd, argv] = command(mode, ...program(args));
  return runCommand(cmd, argv, {
    env: { ...mode.env, HOME: home, ...options.env },
    stdin: options.stdin,
  });
}

function check(stage: string, result: { code: number; stderr: string }): void {
  assert.equal(result.code, 0, `${stage}: ${result.stderr}`);
}

/** Sets up a mode's folder, configuration and store, runs `fn`, and removes it all. */
async function withMode(rootless: boolean, fn: (mode: Mode) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "run-docker-podman-" });
  await Deno.chmod(base, 0o755);
  // Runtime state (runroot, XDG_RUNTIME_DIR) under a short path: with conmon's socket paths
  // beyond it too long, podman 4.3 misses the container's exit and waits 20 s for every run.
  const run = await Deno.makeTempDir({ dir: "/run", prefix: "rdp-" });
  const user = `rdpod${Math.floor(Math.random() * 1e6)}`;
  let uid = 0, gid = 0;
  try {
    if (rootless) {
      await check("useradd", await runCommand("useradd", ["-M", "-d", `${base}/user`, user]));
      uid = Number((await runCommand("id", ["-u", user])).stdout.trim());
      gid = Number((await runCommand("id", ["-g", user])).stdout.trim());
      for (const file of ["/etc/subuid", "/etc/subgid"]) {
        const lines = (await Deno.readTextFile(file)).split("\n").filter((l) => l !== "");
        if (!lines.some((l) => l.startsWith(`${user}:`))) {
          await Deno.writeTextFile(
            file,
            [...lines, `${user}:${await freeRange(lines)}:65536`, ""].join("\n"),
          );
        }
      }
    }
    for (const dir of ["user", "homes", "storage"]) {
      await Deno.mkdir(`${base}/${dir}`, { mode: 0o755 });
      await Deno.chown(`${base}/${dir}`, uid, gid);
    }
    await Deno.chown(run, uid, gid);
    const conf = [
      "[containers]",
      // What this machine allows: nofile up to the hard limit, nproc up to kernel.pid_max.
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      ...(rootless ? ['netns = "host"', "[network]"] : []),
      "",
    ].join("\n");
    await Deno.writeTextFile(`${base}/containers.conf`, conf);
    await Deno.writeTextFile(
      `${base}/storage.conf`,
      `[storage]\ndriver = "${rootless ? "vfs" : "overlay"}"\n` +
        `graphroot = "${base}/storage/root"\nrunroot = "${run}/storage"\n` +
        // Rootless podman ignores graphroot.
        `rootless_storage_path = "${base}/storage/root"\n`,
    );
    const env: Record<string, string> = {
      DENO_NO_UPDATE_CHECK: "1",
      DENO_DIR: `${base}/user/deno`,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      TZ: "UTC",
      TMPDIR: `${base}/user`,
      CONTAINERS_CONF: `${base}/containers.conf`,
      CONTAINERS_STORAGE_CONF: `${base}/storage.conf`,
      // Rootless podman keeps its runtime state here; rootful uses /run.
      ...(rootless ? { XDG_RUNTIME_DIR: run, XDG_CONFIG_HOME: `${base}/user/config` } : {}),
    };
    // rootful: named explicitly; rootless: `engine: auto` finds podman (no docker engine).
    if (!rootless) env.RUN_DOCKER_ENGINE = "podman";
    const mode: Mode = { rootless, uid, gid, env, homes: `${base}/homes` };
    const tarball = await makeTestTarball();
    try {
      for (const tag of [NEWEST, OLDER]) {
        const change = ["--change", "ENV PATH=/bin", "--change", `ENV BUILT_TAG=${tag}`];
        await check(
          "import",
          await podman(mode, "import", "-q", ...change, tarball, `docker.io/${IMAGE}:${tag}`),
        );
      }
    } finally {
      await Deno.remove(tarball);
    }
    try {
      await fn(mode);
    } finally {
      await podman(mode, "rm", "--all", "--force");
      await podman(mode, "rmi", "--all", "--force");
      if (rootless) {
        // The user namespace's pause process outlives podman: end it by its pid file.
        const pid = await Deno.readTextFile(`${run}/libpod/tmp/pause.pid`).catch(() => "");
        if (/^\d+$/.test(pid.trim())) {
          try {
            Deno.kill(Number(pid.trim()), "SIGKILL");
          } catch { /* gone */ }
        }
      }
    }
  } finally {
    if (rootless) {
      await runCommand("userdel", [user]);
      for (const file of ["/etc/subuid", "/etc/subgid"]) {
        const text = await Deno.readTextFile(file);
        const kept = text.split("\n").filter((l) => !l.startsWith(`${user}:`)).join("\n");
        if (kept !== text) await Deno.writeTextFile(file, kept);
      }
    }
    await runCommand("umount", ["-R", `${base}/storage/root/overlay`]).catch(() => undefined);
    await Deno.remove(base, { recursive: true });
    await Deno.remove(run, { recursive: true });
  }
}

/** The first 65536-aligned range above every range in the file, from 100000. */
function freeRange(lines: string[]): number {
  let next = 100000;
  for (const line of lines) {
    const [, start, count] = line.split(":");
    next = Math.max(next, Number(start) + Number(count));
  }
  return next;
}

function cases(rootless: boolean) {
  const kind = rootless ? "rootless" : "rootful";
  Deno.test({
    name: `e2e podman ${kind}: the core cases`,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      assert.equal(missing, undefined, `podman tests need root and podman: ${missing}`);
      await withMode(rootless, async (mode) => {
        await t.step(
          "dev mode runs the newest local tag, src, data and log writable",
          () =>
            withHome(mode, async (home) => {
              const src = `${home}/work/src/pod`;
              await Deno.mkdir(src, { recursive: true });
              await Deno.writeTextFile(`${src}/hello.txt`, "from the host\n");
              await Deno.chown(`${home}/work`, mode.uid, mode.gid);
              await Deno.chown(`${home}/work/src`, mode.uid, mode.gid);
              await Deno.chown(src, mode.uid, mode.gid);
              const script = 'cat hello.txt; echo "$BUILT_TAG $PYTHONPATH"; pwd; ' +
                "(touch new.txt $DATADIR/d.txt $LOGDIR/l.txt 2>/dev/null && echo wrote) || echo denied";
              const result = await runDocker(mode, home, [
                "--local",
                "--explain",
                IMAGE,
                "sh",
                "-c",
                script,
              ]);
              assert.equal(result.code, 0, result.stderr);
              // As root, src belongs to root on the host: docker-user cannot write there (data
              // and log are made its own under user: auto).
              const wrote = rootless ? "wrote\n" : "denied\n";
              assert.equal(
                result.stdout,
                `from the host\n${NEWEST} /home/docker-user/src/src\n/home/docker-user/src\n${wrote}`,
              );
              assert.match(
                result.stderr,
                new RegExp(`explain: engine: \\S*podman \\(podman, ${kind}\\)`),
              );
              if (rootless) {
                for (
                  const file of [
                    `${src}/new.txt`,
                    `${home}/work/data/d.txt`,
                    `${home}/work/log/l.txt`,
                  ]
                ) {
                  assert.equal((await Deno.stat(file)).uid, mode.uid, file);
                }
              }
            }),
        );

        await t.step(
          "prod mode works in the container home as docker-user",
          () =>
            withHome(mode, async (home) => {
              const result = await runDocker(mode, home, [
                `${IMAGE}:${NEWEST}`,
                "sh",
                "-c",
                'pwd; echo "[$PYTHONPATH]"; id -un',
              ]);
              assert.equal(result.code, 0, result.stderr);
              assert.equal(result.stdout, "/home/docker-user\n[]\ndocker-user\n");
            }),
        );

        await t.step(
          "stdin reaches the container; its exit code passes through",
          () =>
            withHome(mode, async (home) => {
              const cat = await runDocker(mode, home, [`${IMAGE}:${NEWEST}`, "cat"], {
                stdin: "piped in\n",
              });
              assert.equal(cat.code, 0, cat.stderr);
              assert.equal(cat.stdout, "piped in\n");
              const exit = await runDocker(mode, home, [
                `${IMAGE}:${NEWEST}`,
                "sh",
                "-c",
                "exit 7",
              ]);
              assert.equal(exit.code, 7, exit.stderr);
            }),
        );

        await t.step(
          "SIGTERM stops the container and leaves none",
          () =>
            withHome(mode, async (home) => {
              const name = `rd-pod-sigterm-${Math.floor(Math.random() * 1e6)}`;
              const [cmd, argv] = command(
                mode,
                ...program([
                  "--name",
                  name,
                  `${IMAGE}:${NEWEST}`,
                  "sh",
                  "-c",
                  "echo ready; exec sleep 300",
                ]),
              );
              const child = new Deno.Command(cmd, {
                args: argv,
                clearEnv: true,
                env: { ...mode.env, HOME: home },
                stdin: "null",
                stdout: "piped",
                stderr: "null",
              }).spawn();
              const reader = child.stdout.getReader();
              let seen = "";
              while (!seen.includes("ready\n")) {
                const { value, done } = await reader.read();
                if (done) break;
                seen += decoder.decode(value);
              }
              assert.equal(seen, "ready\n");
              child.kill("SIGTERM");
              reader.releaseLock();
              const [status] = await Promise.all([child.status, child.stdout.cancel()]);
              // podman 4.3's `run --rm` may lose the container's exit code when its cleanup
              // removes the container first (it then says 0; podman#25479 and its kin): seen
              // twice under heavy load. What must hold is that nothing is left behind.
              assert.ok([143, 0].includes(status.code), `exit ${status.code}`);
              const left = await podman(
                mode,
                "ps",
                "--all",
                "--quiet",
                "--filter",
                `name=^${name}$`,
              );
              assert.equal(left.stdout.trim(), "", `container ${name} still exists`);
            }),
        );

        await t.step(
          "--ps reads podman's JSON; --cleanup removes the stopped, keeps the detached",
          () =>
            withHome(mode, async (home) => {
              const id = Math.floor(Math.random() * 1e6);
              const [stopped, detached] = [`rd-pod-ps-stopped-${id}`, `rd-pod-ps-detached-${id}`];
              const image = `${IMAGE}:${NEWEST}`;
              check(
                "stopped",
                await runDocker(mode, home, ["--name", stopped, "--rm=false", image, "true"]),
              );
              const started = await runDocker(mode, home, [
                "-d",
                "--name",
                detached,
                image,
                "sleep",
                "300",
              ]);
              check("detached", started);
              assert.match(started.stderr, new RegExp(`started container ${detached} `));
              const ps = await runDocker(mode, home, ["--ps", "--json", IMAGE]);
              check("--ps", ps);
              const rows: Record<string, unknown>[] = JSON.parse(ps.stdout);
              const row = (name: string) => rows.find((r) => r.name === name);
              assert.deepEqual(
                [row(stopped)?.state, row(stopped)?.mode, row(stopped)?.command],
                ["exited", "prod", "true"],
              );
              assert.deepEqual(
                [row(detached)?.state, row(detached)?.detached, row(detached)?.pid],
                ["running", true, row(detached)?.pid],
              );
              assert.match(String(row(detached)?.image), new RegExp(`${IMAGE}:${NEWEST}$`));
              const cleanup = await runDocker(mode, home, ["--cleanup", IMAGE]);
              check("--cleanup", cleanup);
              assert.match(cleanup.stderr, new RegExp(`removed ${stopped} `));
              const left = await podman(mode, "ps", "--all", "--format", "{{.Names}}");
              assert.ok(!left.stdout.includes(stopped), left.stdout);
              assert.ok(left.stdout.includes(detached), left.stdout);
              await podman(mode, "rm", "--force", detached);
            }),
        );

        await t.step(
          "user: host runs as the invoking user with a writable HOME",
          () =>
            withHome(mode, async (home) => {
              const result = await runDocker(mode, home, [
                `${IMAGE}:${NEWEST}`,
                "sh",
                "-c",
                'id -u; echo "$HOME"; touch "$HOME/x" && echo ok',
              ], { env: { RUN_DOCKER_USER: "host" } });
              assert.equal(result.code, 0, result.stderr);
              assert.equal(result.stdout, `${mode.uid}\n/home/docker-user\nok\n`);
            }),
        );

        await t.step(
          "--init without catatonit: one error line and a hint",
          () =>
            withHome(mode, async (home) => {
              const conf = `${home}/noinit.conf`;
              await Deno.writeTextFile(
                conf,
                (await Deno.readTextFile(mode.env.CONTAINERS_CONF)).replace(
                  "[containers]",
                  '[containers]\ninit_path = "/nonexistent/catatonit"',
                ),
              );
              const result = await runDocker(mode, home, [`${IMAGE}:${NEWEST}`, "true"], {
                env: { CONTAINERS_CONF: conf },
              });
              assert.equal(result.code, 125);
              const ours = result.stderr.split("\n").filter((l) => /^(run-docker:|hint:)/.test(l));
              assert.deepEqual(ours, [
                'run-docker: error: podman cannot start --init: its init binary "/nonexistent/catatonit" is missing',
                "hint: install catatonit (Debian: apt-get install catatonit), or set init: false (RUN_DOCKER_INIT=false)",
              ]);
            }),
        );

        await t.step(
          "a newer tag on a plain-http loopback registry is pulled; --local keeps to local",
          async () => {
            if (!registryAvailable()) {
              assert.ok(!inCI, "docker-registry is missing");
              return;
            }
            const registry = await startRegistry();
            try {
              const repo = `${registry.host}/${IMAGE}`;
              await check(
                "tag",
                await podman(
                  mode,
                  "tag",
                  `docker.io/${IMAGE}:${NEWEST}`,
                  `${repo}:${REMOTE_NEWER}`,
                ),
              );
              await check(
                "push",
                await podman(mode, "push", "--tls-verify=false", `${repo}:${REMOTE_NEWER}`),
              );
              await check("rmi", await podman(mode, "rmi", `${repo}:${REMOTE_NEWER}`));
              await check(
                "tag",
                await podman(mode, "tag", `docker.io/${IMAGE}:${OLDER}`, `${repo}:${OLDER}`),
              );
              await withHome(mode, async (home) => {
                const local = await runDocker(mode, home, [
                  "--local",
                  repo,
                  "sh",
                  "-c",
                  "echo $IMAGE_VERSION",
                ]);
                assert.equal(local.code, 0, local.stderr);
                assert.equal(local.stdout, `${OLDER}\n`);
                const pulled = await runDocker(mode, home, [
                  repo,
                  "sh",
                  "-c",
                  "echo $IMAGE_VERSION",
                ]);
                assert.equal(pulled.code, 0, pulled.stderr);
                assert.equal(pulled.stdout, `${REMOTE_NEWER}\n`);
              });
              await check(
                "inspect",
                await podman(mode, "image", "inspect", `${repo}:${REMOTE_NEWER}`),
              );
            } finally {
              await registry.stop();
            }
          },
        );
      });
    },
  });
}

cases(false);
cases(true);
