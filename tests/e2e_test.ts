/**
 * End-to-end tests on a real engine: the bundle (`dist/run-docker.js`, run
 * with the permission flags of the compiled binary) or `RUN_DOCKER_BIN`,
 * against the engine at `DOCKER_HOST` (scripts/test.sh starts a private
 * dockerd), with an image made by `docker import` from busybox-static.
 *
 * Without a reachable engine these tests are ignored, except in CI
 * (`CI=true`), where that is a failure.
 */

import assert from "node:assert/strict";
import {
  baseEnv,
  decoder,
  docker,
  e2e,
  exists,
  ignore,
  program,
  runDocker,
  spawnRunDocker,
  unreachable,
  withHome,
} from "./e2e_helpers.ts";
import { buildTestImages } from "./test_image.ts";

const IMAGE = "e2e/app";
const NEWEST = "20210502-002343";
const OLDER = ["20201231-235959", "1.9", "latest"];
if (!ignore && unreachable === undefined) await buildTestImages(IMAGE, [NEWEST, ...OLDER]);

Deno.test({
  name: "e2e: a Docker engine is reachable (required in CI)",
  ignore,
  fn() {
    assert.equal(unreachable, undefined, `no engine: ${unreachable}`);
  },
});

e2e("dev mode sees the source tree and PYTHONPATH", () =>
  withHome("h", async (home) => {
    await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
    await Deno.writeTextFile(`${home}/work/src/app/hello.txt`, "from the host\n");
    const result = await runDocker([
      `${IMAGE}:${NEWEST}`,
      "sh",
      "-c",
      'cat hello.txt; echo "$PYTHONPATH"; pwd',
    ], {
      home,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      "from the host\n/home/docker-user/src/src\n/home/docker-user/src\n",
    );
  }));

e2e(
  "prod mode has no source tree and works in the container home",
  () =>
    withHome("h", async (home) => {
      const result = await runDocker([
        `${IMAGE}:${NEWEST}`,
        "sh",
        "-c",
        'pwd; echo "[$PYTHONPATH]"; id -un',
      ], { home });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "/home/docker-user\n[]\ndocker-user\n");
    }),
);

e2e("a file written to $DATADIR lands on the host", () =>
  withHome("h", async (home) => {
    await Deno.mkdir(`${home}/work/data`, { recursive: true });
    await Deno.chown(`${home}/work/data`, 1000, 1000); // the image's docker-user
    const result = await runDocker([
      `${IMAGE}:${NEWEST}`,
      "sh",
      "-c",
      'echo saved > "$DATADIR/out.txt"',
    ], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await Deno.readTextFile(`${home}/work/data/out.txt`), "saved\n");
  }));

e2e(
  "the data and log directories are created by the invoking user (as root: the image user's)",
  () =>
    withHome("h", async (home) => {
      const result = await runDocker([`${IMAGE}:${NEWEST}`, "true"], { home });
      assert.equal(result.code, 0, result.stderr);
      for (const dir of ["data", "log"]) {
        const info = await Deno.stat(`${home}/work/${dir}`);
        assert.ok(info.isDirectory);
        // user: auto: host root makes them the image user's (docker-user, uid 1000).
        assert.equal(info.uid, Deno.uid() === 0 ? 1000 : Deno.uid());
      }
    }),
);

e2e(
  "with no tag the newest local tag of the tag filter runs; mixed tags run latest",
  () =>
    withHome("h", async (home) => {
      const show = ["sh", "-c", 'echo "$IMAGE_VERSION $BUILT_TAG"'];
      const filtered = await runDocker([
        "--local",
        "--tag-filter",
        "^\\d{8}-\\d{6}$",
        IMAGE,
        ...show,
      ], {
        home,
      });
      assert.equal(filtered.code, 0, filtered.stderr);
      assert.equal(filtered.stdout, `${NEWEST} ${NEWEST}\n`);
      // Timestamps beside 1.9 are two schemes: latest runs (issue 11, the auto order).
      const result = await runDocker(["--local", IMAGE, ...show], { home });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "latest latest\n");
    }),
);

e2e("the container's exit code passes through", () =>
  withHome("h", async (home) => {
    const result = await runDocker([`${IMAGE}:${NEWEST}`, "sh", "-c", "exit 7"], { home });
    assert.equal(result.code, 7);
  }));

e2e("stdin piping works", () =>
  withHome("h", async (home) => {
    const result = await runDocker([`${IMAGE}:${NEWEST}`, "cat"], {
      home,
      stdin: "hello\nworld\n",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "hello\nworld\n");
  }));

e2e(
  "SIGTERM to run-docker stops the container and leaves none",
  () =>
    withHome("h", async (home) => {
      const { name, child } = spawnNamed("sigterm", "echo ready; exec sleep 300", home, "piped");
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
      const [status] = await Promise.all([
        child.status,
        child.stdout.cancel(),
        child.stderr.cancel(),
      ]);
      assert.equal(status.code, 143);
      const left = await docker("ps", "--all", "--quiet", "--filter", `name=^${name}$`);
      assert.equal(left.stdout.trim(), "", `container ${name} still exists`);
    }),
);

e2e(
  "a HOME path with spaces, quotes, $ and unicode works",
  () =>
    withHome("my home $x 'q' ü,1", async (home) => {
      await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
      await Deno.writeTextFile(`${home}/work/src/app/hello.txt`, "ok\n");
      const result = await runDocker([`${IMAGE}:${NEWEST}`, "cat", "hello.txt"], {
        home,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "ok\n");
    }),
);

e2e("an env value with = and spaces survives", () =>
  withHome("h", async (home) => {
    const value = "a=b  c $HOME 'q'";
    const result = await runDocker([
      "-e",
      `FOO=${value}`,
      `${IMAGE}:${NEWEST}`,
      "sh",
      "-c",
      'printf %s "$FOO"',
    ], {
      home,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, value);
  }));

e2e("two runs started together both succeed", () =>
  withHome("h", async (home) => {
    const results = await Promise.all(
      [1, 2].map(() => runDocker([`${IMAGE}:${NEWEST}`, "true"], { home })),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
  }));

e2e(
  "--dry-run prints a pasteable command and touches nothing",
  () =>
    withHome("h", async (home) => {
      const before = (await docker("ps", "--all", "--quiet")).stdout;
      const result = await runDocker([
        "--dry-run",
        "--local",
        IMAGE,
        "printf",
        "%s\\n",
        "it's $HOME",
      ], {
        home,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /^mkdir -p -- \S+\/work\/data \S+\/work\/log && (chown 1000:1000 -- \S+\/work\/data \S+\/work\/log && )?docker run .* e2e\/app:latest printf '%s\\n' 'it'\\''s \$HOME'\n$/,
      );
      assert.equal(await exists(`${home}/work`), false, "--dry-run created directories");
      assert.equal(
        (await docker("ps", "--all", "--quiet")).stdout,
        before,
        "--dry-run changed the containers",
      );
      // The printed line runs as it is, on this fresh HOME.
      const pasted = await new Deno.Command("bash", {
        args: ["-c", result.stdout],
        clearEnv: true,
        env: baseEnv(home),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(decoder.decode(pasted.stdout), "it's $HOME\n", decoder.decode(pasted.stderr));
    }),
);

e2e(
  "errors are one line plus a hint, exit 125, and leave nothing behind",
  () =>
    withHome("h", async (home) => {
      const cases: [string[], Record<string, string>, RegExp][] = [
        [["Bad:"], {}, /cannot parse image reference "Bad:"/],
        [["--local", "e2e/none"], {}, /no image of e2e\/none locally \(--local\)/],
        [
          ["--local", "e2e/app:0.0.0-absent", "true"],
          {},
          /image e2e\/app:0.0.0-absent is not local/,
        ],
        [
          [`${IMAGE}:${NEWEST}`, "true"],
          { RUN_DOCKER_ENGINE: "/nonexistent/docker" },
          /docker CLI not found/,
        ],
        [
          [`${IMAGE}:${NEWEST}`, "true"],
          { DOCKER_HOST: `unix://${home}/none.sock` },
          /cannot connect to the Docker engine/,
        ],
        [
          ["--local", IMAGE, "true"],
          { DOCKER_HOST: `unix://${home}/none.sock` },
          /cannot connect to the Docker engine/,
        ],
        [["--memory", "12gb!", IMAGE], {}, /invalid --memory value/],
      ];
      for (const [args, env, message] of cases) {
        const result = await runDocker(args, { home, env });
        assert.equal(result.code, 125, `${args.join(" ")}: ${result.stderr}`);
        const lines = result.stderr.trimEnd().split("\n");
        const ours = lines.findIndex((l) => l.startsWith("run-docker: error: "));
        assert.ok(ours !== -1, result.stderr);
        assert.match(lines[ours], message);
        assert.match(lines[ours + 1], /^hint: /);
        assert.equal(lines.length, ours + 2, `nothing after the hint: ${result.stderr}`);
        assert.ok(!/\bat .*\.(ts|js):\d+/.test(result.stderr), `stack trace: ${result.stderr}`);
        assert.equal(await exists(`${home}/work`), false, `${args.join(" ")} left ~/work behind`);
      }
    }),
);

e2e("the notebook says so when its port is taken", () =>
  withHome("h", async (home) => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const port = (listener.addr as Deno.NetAddr).port;
      const result = await runDocker(
        ["--nb_port", String(port), `${IMAGE}:${NEWEST}`, "notebook"],
        { home },
      );
      assert.equal(result.code, 125);
      assert.match(
        result.stderr,
        new RegExp(`port ${port} is already in use on 127.0.0.1\\nhint: .*--notebook-port`),
      );
    } finally {
      listener.close();
    }
  }));

e2e("--version and --help exit 0", () =>
  withHome("h", async (home) => {
    const version = await runDocker(["--version"], { home });
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^run-docker \d+\.\d+\.\d+ /);
    const help = await runDocker(["--help"], { home });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--notebook-port, --nb_port PORT/);
  }));

e2e("a docker run failure says why and leaves nothing behind", () =>
  withHome("h", async (home) => {
    // A loopback registry that is not there: the pull fails without leaving this machine.
    const result = await runDocker(["127.0.0.1:1/e2e/none:1", "true"], { home });
    assert.equal(result.code, 125);
    // A pinned tag is pulled before the run: one line naming the image and the registry.
    assert.match(
      result.stderr,
      /^run-docker: error: image 127\.0\.0\.1:1\/e2e\/none:1 is not local, and registry 127\.0\.0\.1:1 is unreachable \(.+\)\nhint: .*\n$/,
    );
    assert.equal(await exists(`${home}/work/data`), false, "the data directory was left behind");
  }));

e2e(
  "a container whose output pipe breaks does not outlive run-docker",
  () =>
    withHome("h", async (home) => {
      const { name, child } = spawnNamed("epipe", "while true; do echo y; done", home, "null");
      const reader = child.stdout.getReader();
      await reader.read();
      await reader.cancel(); // like `| head -1`
      const status = await child.status;
      assert.notEqual(status.code, 0);
      await docker("wait", name); // returns at once when the container is already gone
      const running = await docker("ps", "--quiet", "--filter", `name=^${name}$`);
      assert.equal(running.stdout.trim(), "", `container ${name} still runs`);
    }),
);

e2e(
  "a project file in the source tree changes the run in dev mode only",
  () =>
    withHome("h", async (home) => {
      await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
      await Deno.writeTextFile(
        `${home}/work/src/app/run-docker.yaml`,
        "env:\n  FROM_PROJECT: yes-it-is\n",
      );
      assert.equal((await docker("tag", `${IMAGE}:${NEWEST}`, `e2e/app-prod:${NEWEST}`)).code, 0);
      const show = ["sh", "-c", 'echo "[$FROM_PROJECT]"'];
      const dev = await runDocker([`${IMAGE}:${NEWEST}`, ...show], { home });
      assert.equal(dev.code, 0, dev.stderr);
      assert.equal(dev.stdout, "[yes-it-is]\n");
      const prod = await runDocker([`e2e/app-prod:${NEWEST}`, ...show], { home });
      assert.equal(prod.code, 0, prod.stderr);
      assert.equal(prod.stdout, "[]\n");
    }),
);

e2e(
  "a config error names the file, line and key, exits 125 and runs nothing",
  () =>
    withHome("h", async (home) => {
      await Deno.mkdir(`${home}/.config/run-docker`, { recursive: true });
      await Deno.writeTextFile(
        `${home}/.config/run-docker/config.yaml`,
        "memory: 8g\nshm_szie: 1g\n",
      );
      const result = await runDocker([`${IMAGE}:${NEWEST}`, "true"], { home });
      assert.equal(result.code, 125);
      assert.equal(
        result.stderr.split("\n")[0],
        'run-docker: error: ~/.config/run-docker/config.yaml:2:1: unknown key "shm_szie" (did you mean "shm_size"?)',
      );
      assert.equal(await exists(`${home}/work`), false);
    }),
);

/** Starts `sh -c SCRIPT` in the test image under a unique container name. */
function spawnNamed(prefix: string, script: string, home: string, stderr: "piped" | "null") {
  const name = `e2e-${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    name,
    child: spawnRunDocker(["--name", name, `${IMAGE}:${NEWEST}`, "sh", "-c", script], home, stderr),
  };
}

/** A private test engine (scripts/test.sh) may have its socket opened to another uid. */
const socket = (Deno.env.get("DOCKER_HOST") ?? "").replace(/^unix:\/\//, "");
const privateEngine = Deno.env.get("RUN_DOCKER_TEST_ENGINE") === "private" && socket !== "" &&
  Deno.uid() === 0;

Deno.test({
  name: "e2e: user: host writes files owned by the invoking uid (run as uid 1001)",
  ignore: ignore || !privateEngine,
  fn: () =>
    withHome("h", async (home) => {
      const uid = 1001;
      await Deno.chmod(socket, 0o666);
      await Deno.chmod(home.slice(0, home.lastIndexOf("/")), 0o755); // the temp parent
      await Deno.chown(home, uid, uid);
      await Deno.mkdir(`${home}/.config/run-docker`, { recursive: true });
      await Deno.writeTextFile(`${home}/.config/run-docker/config.yaml`, "user: host\n");
      const [cmd, argv] = program([
        `${IMAGE}:${NEWEST}`,
        "sh",
        "-c",
        'id -un; echo "$HOME"; echo made > "$DATADIR/by-host-user" && touch "$HOME/writable" && echo home-ok',
      ]);
      const output = await new Deno.Command("setpriv", {
        args: [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--", cmd, ...argv],
        clearEnv: true,
        env: { ...baseEnv(home, { USER: "tester" }), DENO_DIR: `${home}/.deno`, TMPDIR: home },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, decoder.decode(output.stderr));
      assert.equal(decoder.decode(output.stdout), "tester\n/home/docker-user\nhome-ok\n");
      const info = await Deno.stat(`${home}/work/data/by-host-user`);
      assert.equal(info.uid, uid);
      assert.equal(info.gid, uid);
    }),
});

e2e(
  "docker run refusing the options: docker's text, then one error line and a hint",
  () =>
    withHome("h", async (home) => {
      const cases = [
        ["--restart", "sometimes"],
        ["--cpus=two"],
        ["-p", "99999:80"],
        ["--mount", "type=tmpfs,target=/x", "--mount", "type=tmpfs,target=/x"],
      ];
      for (const options of cases) {
        const result = await runDocker([...options, `${IMAGE}:${NEWEST}`, "true"], { home });
        assert.equal(result.code, 125, result.stderr);
        const lines = result.stderr.trimEnd().split("\n");
        assert.ok(lines.length > 2, `docker's own text is missing: ${result.stderr}`);
        assert.deepEqual(lines.slice(-2), [
          "run-docker: error: docker run refused the options (exit 125); docker's message is above",
          "hint: check the docker options you gave; 'run-docker --dry-run …' shows the whole command",
        ], options.join(" "));
        assert.equal(await exists(`${home}/work/data`), false, "the data directory was left");
      }
      const own = await runDocker([`${IMAGE}:${NEWEST}`, "sh", "-c", "exit 125"], { home });
      assert.equal(own.code, 125);
      assert.equal(own.stderr, "", "a container's own 125 passes through without a word");
    }),
);
