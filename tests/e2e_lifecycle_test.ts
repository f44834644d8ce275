/**
 * End to end: processes and nothing outliving a run. SIGKILL of run-docker
 * (the watchdog removes the container), SIGTERM during `docker pull` (the
 * pull stops too), a failing credential helper (a warning, the run goes on),
 * an invalid `--name` (a usage error before anything runs), a full TMPDIR
 * for `user: host` (the user's problem, reported as such, nothing left).
 *
 * Registries here are a small fake on 127.0.0.1 (Deno.serve), reached by
 * run-docker and by the engine.
 */

import { until } from "./poll.ts";
import assert from "node:assert/strict";
import {
  baseEnv,
  decoder,
  docker,
  e2e,
  ignore,
  inCI,
  program,
  runDocker,
  spawnRunDocker,
  unreachable,
  withHome,
} from "./e2e_helpers.ts";
import { buildTestImages } from "./test_image.ts";

const IMAGE = "e2e-lifecycle/app";
const TAG = "1";
if (!ignore && unreachable === undefined) {
  await buildTestImages(IMAGE, [TAG]);
  globalThis.addEventListener("unload", () => {
    new Deno.Command("docker", { args: ["rmi", "-f", `${IMAGE}:${TAG}`], stdout: "null" })
      .outputSync();
  });
}

function cmdline(pid: number): string[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** Processes whose command line contains every one of `parts`. */
function processesWith(...parts: string[]): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const argv = cmdline(Number(entry.name));
    if (parts.every((p) => argv.includes(p))) pids.push(Number(entry.name));
  }
  return pids;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
    children.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return children;
}

async function readUntil(stream: ReadableStream<Uint8Array>, text: string): Promise<string> {
  const reader = stream.getReader();
  let seen = "";
  try {
    while (!seen.includes(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
  } finally {
    reader.releaseLock();
  }
  return seen;
}

async function containerExists(name: string): Promise<boolean> {
  return (await docker("ps", "--all", "--quiet", "--filter", `name=^${name}$`)).stdout.trim() !==
    "";
}

interface FakeRegistry {
  host: string;
  /** Resolves when the engine asks for a manifest (the pull has started). */
  manifestAsked: Promise<void>;
  stop(): Promise<void>;
}

/**
 * A registry on 127.0.0.1 with one repository `app` whose only tag is `1`.
 * `auth`: every request gets 401 with a Basic challenge. Manifest requests
 * hang until {@link FakeRegistry.stop}.
 */
function fakeRegistry(auth: boolean): FakeRegistry {
  let asked!: () => void;
  const manifestAsked = new Promise<void>((resolve) => asked = resolve);
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (auth) {
      return new Response("{}", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="fake"' },
      });
    }
    if (path === "/v2/") return Response.json({});
    if (path === "/v2/app/tags/list") return Response.json({ name: "app", tags: [TAG] });
    if (path.startsWith("/v2/app/manifests/")) {
      asked();
      await released;
      return new Response("stopped", { status: 503 });
    }
    return new Response("{}", { status: 404 });
  });
  return {
    host: `127.0.0.1:${server.addr.port}`,
    manifestAsked,
    async stop() {
      release();
      await server.shutdown();
    },
  };
}

e2e(
  "SIGKILL of run-docker: its container is gone within 15 s and no watchdog stays",
  () =>
    withHome("h", async (home) => {
      const name = `e2e-lc-kill9-${crypto.randomUUID().slice(0, 8)}`;
      const child = spawnRunDocker(
        ["--name", name, `${IMAGE}:${TAG}`, "sh", "-c", "echo ready; exec sleep 60"],
        home,
        "null",
      );
      try {
        assert.equal(await readUntil(child.stdout, "ready\n"), "ready\n");
        child.kill("SIGKILL");
        await child.status;
        const killed = Date.now();
        const gone = await until(async () => !(await containerExists(name)), 15_000);
        assert.ok(gone, `container ${name} still exists 15 s after kill -9 of run-docker`);
        console.log(`container gone ${Date.now() - killed} ms after kill -9`);
        assert.ok(
          await until(() => processesWith(name).length === 0, 10_000),
          `processes naming ${name} remain: ${
            processesWith(name).map((p) => cmdline(p).join(" "))
          }`,
        );
      } finally {
        await child.stdout.cancel();
        await docker("rm", "--force", name);
      }
    }),
);

e2e(
  "a normal run leaves no watchdog and its --rm container goes as usual",
  () =>
    withHome("h", async (home) => {
      const name = `e2e-lc-normal-${crypto.randomUUID().slice(0, 8)}`;
      const result = await runDocker(["--name", name, `${IMAGE}:${TAG}`, "sh", "-c", "exit 4"], {
        home,
      });
      assert.equal(result.code, 4, result.stderr);
      assert.equal(result.stderr, "");
      assert.ok(await until(() => processesWith(name).length === 0, 5_000), "a watchdog stayed");
    }),
);

e2e(
  "SIGTERM during docker pull ends run-docker and its docker pull at once",
  () =>
    withHome("h", async (home) => {
      const registry = fakeRegistry(false);
      const [cmd, argv] = program([`${registry.host}/app`, "true"]);
      const child = new Deno.Command(cmd, {
        args: argv,
        clearEnv: true,
        env: baseEnv(home),
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const stderr = new Response(child.stderr).text();
      try {
        await registry.manifestAsked;
        const pulls = childrenOf(child.pid).filter((pid) => cmdline(pid).includes("pull"));
        assert.equal(pulls.length, 1, "one docker pull child");
        const signalled = Date.now();
        child.kill("SIGTERM");
        const status = await child.status;
        assert.equal(status.code, 143);
        assert.doesNotMatch(await stderr, /run-docker: (error|warning)/);
        assert.ok(
          await until(() => cmdline(pulls[0]).length === 0, 5_000),
          `docker pull (pid ${pulls[0]}) still runs after run-docker ended`,
        );
        console.log(`run-docker and docker pull gone ${Date.now() - signalled} ms after SIGTERM`);
      } finally {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
        await child.status;
        await registry.stop();
      }
    }),
);

e2e(
  "a credential helper that fails at once is one warning and the run goes on",
  () =>
    withHome("h", async (home) => {
      const registry = fakeRegistry(true);
      const image = `${registry.host}/app`;
      try {
        assert.equal((await docker("tag", `${IMAGE}:${TAG}`, `${image}:${TAG}`)).code, 0);
        await Deno.mkdir(`${home}/bin`);
        await Deno.writeTextFile(
          `${home}/bin/docker-credential-quickfail`,
          "#!/bin/sh\necho 'quickfail: no store here' >&2\nexit 1\n",
          { mode: 0o755 },
        );
        await Deno.mkdir(`${home}/.docker`);
        await Deno.writeTextFile(`${home}/.docker/config.json`, '{"credsStore":"quickfail"}');
        for (let i = 0; i < 3; i++) {
          const result = await runDocker([image, "sh", "-c", "echo RAN; exit 3"], {
            home,
            env: { PATH: `${home}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}` },
          });
          assert.equal(result.code, 3, result.stderr);
          assert.equal(result.stdout, "RAN\n");
          const warnings = result.stderr.split("\n").filter((l) => /quickfail/.test(l));
          assert.equal(warnings.length, 1, result.stderr);
          assert.match(
            warnings[0],
            /^run-docker: warning: credential helper docker-credential-quickfail failed/,
          );
        }
      } finally {
        await docker("rmi", `${image}:${TAG}`);
        await registry.stop();
      }
    }),
);

e2e(
  "an empty or invalid --name is a usage error before anything runs",
  () =>
    withHome("h", async (home) => {
      for (const name of ["", "a", "_x", "a b", "x/y"]) {
        const result = await runDocker([`--name=${name}`, `${IMAGE}:${TAG}`, "true"], { home });
        assert.equal(result.code, 125, result.stderr);
        assert.equal(
          result.stderr,
          `run-docker: error: invalid --name value ${JSON.stringify(name)}\n` +
            "hint: a container name is a letter or digit, then at least one more of " +
            "letters, digits, _ . or -\n",
        );
        assert.equal(result.stdout, "");
        assert.ok(
          !(await Deno.stat(`${home}/work`).then(() => true, () => false)),
          "~/work was created",
        );
      }
    }),
);

Deno.test({
  name:
    "e2e: user: host with a full cache folder says which path and what to free, and leaves nothing",
  ignore: ignore || (Deno.uid() !== 0 && !inCI),
  fn: () =>
    withHome("h", async (home) => {
      await Deno.mkdir(`${home}/.config/run-docker`, { recursive: true });
      await Deno.writeTextFile(`${home}/.config/run-docker/config.yaml`, "user: host\n");
      const tmp = `${home}/tmp`;
      const ours = `${tmp}/run-docker/users`;
      await Deno.mkdir(tmp);
      // No room for a file's bytes; no inode for a new folder.
      for (const [options, failing] of [["size=64k", "write"], ["nr_inodes=2", "create"]]) {
        const mount = await new Deno.Command("mount", {
          args: ["-t", "tmpfs", "-o", options, "tmpfs", tmp],
          stderr: "piped",
        }).output();
        assert.equal(mount.code, 0, decoder.decode(mount.stderr));
        try {
          if (failing === "write") await Deno.mkdir(ours, { mode: 0o700, recursive: true });
          await Deno.writeFile(`${tmp}/filler`, new Uint8Array(1 << 20)).catch(() => {});
          const result = await runDocker([`${IMAGE}:${TAG}`, "true"], {
            home,
            // deno's own cache defaults to $XDG_CACHE_HOME/deno: keep it out of the full folder.
            env: { XDG_CACHE_HOME: tmp, DENO_DIR: `${home}/.deno` },
          });
          assert.equal(result.code, 125, result.stderr);
          const path = failing === "write" ? `${ours}/passwd` : ours;
          const df = failing === "write" ? ours : tmp;
          assert.equal(
            result.stderr,
            `run-docker: error: cannot ${failing} ${path} for user: host: no space left on device\n` +
              `hint: free space on the file system of ${df} (df ${df}), ` +
              "or set XDG_CACHE_HOME to a folder with room\n",
          );
          assert.deepEqual(
            [...Deno.readDirSync(tmp)].map((e) => e.name).sort(),
            failing === "write" ? ["filler", "run-docker"] : ["filler"],
          );
          if (failing === "write") {
            assert.deepEqual([...Deno.readDirSync(ours)], [], "a partial file was left behind");
          }
          assert.equal(await Deno.stat(`${home}/work`).then(() => true, () => false), false);
        } finally {
          await new Deno.Command("umount", { args: [tmp] }).output();
        }
      }
    }),
});

async function inspect(name: string, format: string): Promise<string> {
  return (await docker("inspect", "--format", format, name)).stdout.trim();
}

e2e(
  "a --name already in use is docker's error and the other container keeps running",
  () =>
    withHome("h", async (home) => {
      const name = `e2e-lc-dup-${crypto.randomUUID().slice(0, 8)}`;
      const other = await docker("run", "-d", "--name", name, `${IMAGE}:${TAG}`, "sleep", "120");
      assert.equal(other.code, 0, other.stderr);
      try {
        const result = await runDocker(["--local", "--name", name, `${IMAGE}:${TAG}`, "true"], {
          home,
        });
        assert.equal(result.code, 125, result.stderr);
        assert.match(result.stderr, /is already in use/);
        assert.equal(await inspect(name, "{{.State.Status}} {{.State.ExitCode}}"), "running 0");
      } finally {
        await docker("rm", "--force", name);
      }
    }),
);

e2e(
  "a foreground --restart on-failure:3 container is left to docker's restart policy",
  () =>
    withHome("h", async (home) => {
      const name = `e2e-lc-restart-${crypto.randomUUID().slice(0, 8)}`;
      try {
        const result = await runDocker(
          ["--restart", "on-failure:3", "--name", name, `${IMAGE}:${TAG}`, "sh", "-c", "exit 3"],
          { home },
        );
        assert.equal(result.code, 3, result.stderr);
        const state = "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}";
        assert.ok(
          await until(async () => (await inspect(name, state)) === "3 exited 3", 20_000),
          `restarts, status, exit code: ${await inspect(name, state)}`,
        );
      } finally {
        await docker("rm", "--force", name);
      }
    }),
);

e2e(
  "--rm=false and kill -9 of run-docker: the watchdog stops the container and keeps it",
  () =>
    withHome("h", async (home) => {
      const name = `e2e-lc-keep-${crypto.randomUUID().slice(0, 8)}`;
      const child = spawnRunDocker(
        ["--rm=false", "--name", name, `${IMAGE}:${TAG}`, "sh", "-c", "echo ready; exec sleep 60"],
        home,
        "null",
      );
      try {
        assert.equal(await readUntil(child.stdout, "ready\n"), "ready\n");
        child.kill("SIGKILL");
        await child.status;
        assert.ok(
          await until(async () => (await inspect(name, "{{.State.Status}}")) === "exited", 15_000),
          `container ${name}: ${await inspect(name, "{{.State.Status}}") || "gone"}`,
        );
        assert.ok(await until(() => processesWith(name).length === 0, 10_000), "a process stayed");
      } finally {
        await child.stdout.cancel();
        await docker("rm", "--force", name);
      }
    }),
);

e2e(
  "SIGTERM that the container ignores: killed after 10 s, run-docker exits 143",
  () =>
    withHome("h", async (home) => {
      const name = `e2e-lc-term-${crypto.randomUUID().slice(0, 8)}`;
      const script = 'trap "" TERM; echo ready; while :; do sleep 1; done';
      const child = spawnRunDocker(["--name", name, `${IMAGE}:${TAG}`, "sh", "-c", script], home);
      const stderr = new Response(child.stderr).text();
      try {
        assert.equal(await readUntil(child.stdout, "ready\n"), "ready\n");
        const signalled = Date.now();
        child.kill("SIGTERM");
        const status = await child.status;
        console.log(`run-docker ended ${Date.now() - signalled} ms after SIGTERM`);
        assert.equal(status.code, 143, await stderr);
        assert.equal(await containerExists(name), false);
      } finally {
        await child.stdout.cancel();
        await docker("rm", "--force", name);
      }
    }),
);

/** A registry on 127.0.0.1 that lists `app` tags 1 and 2 but serves no manifest. */
function listingRegistry() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/v2/") return Response.json({});
    if (path === "/v2/app/tags/list") return Response.json({ name: "app", tags: ["1", "2"] });
    return Response.json({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }, {
      status: 404,
    });
  });
  return { host: `127.0.0.1:${server.addr.port}`, stop: () => server.shutdown() };
}

e2e(
  "a registry that lists a tag it cannot serve: one warning, then the newest local image runs",
  () =>
    withHome("h", async (home) => {
      const registry = listingRegistry();
      const image = `${registry.host}/app`;
      try {
        const none = await runDocker([image, "true"], { home });
        assert.equal(none.code, 125, none.stderr);
        assert.match(none.stderr, new RegExp(`run-docker: error: docker pull ${image}:2 failed`));
        assert.equal((await docker("tag", `${IMAGE}:${TAG}`, `${image}:1`)).code, 0);
        const result = await runDocker([image, "sh", "-c", 'echo "RAN $IMAGE_VERSION"'], { home });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "RAN 1\n");
        const lines = result.stderr.split("\n").filter((l) => l !== "");
        assert.equal(lines.length, 1, result.stderr);
        assert.match(
          lines[0],
          new RegExp(
            `^run-docker: warning: registry ${registry.host} could not serve ${image}:2 \\(.+\\); ` +
              `using the newest local image ${image}:1$`,
          ),
        );
      } finally {
        await docker("rmi", `${image}:1`);
        await registry.stop();
      }
    }),
);
