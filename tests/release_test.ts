/**
 * Release packaging and install.sh, against a fake release served on
 * 127.0.0.1 in GitHub's layout (`latest/download/<asset>`,
 * `download/v<version>/<asset>`), with a stub "binary" that prints a version.
 * install.sh runs under dash, bash and busybox sh, each with `-u`.
 */

import assert from "node:assert/strict";
import { runCommand } from "../scripts/run_command.ts";
import { type Hostile, hostileArchive, stubRelease, withReleases } from "./release_fixture.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

const run = runCommand;

Deno.test("packageRelease() makes reproducible archives with the documented layout, SHA256SUMS and latest.json", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    const first = await stubRelease("1.2.3", a);
    const second = await stubRelease("1.2.3", b);
    assert.deepEqual(first, second, "the same input gives the same bytes");
    assert.deepEqual(first.map((x) => x.asset), [
      "run-docker-aarch64-apple-darwin.tar.gz",
      "run-docker-aarch64-unknown-linux-gnu.tar.gz",
      "run-docker-x86_64-apple-darwin.tar.gz",
      "run-docker-x86_64-pc-windows-msvc.zip",
      "run-docker-x86_64-unknown-linux-gnu.tar.gz",
    ]);
    const listing = await run("tar", ["-tvzf", `${a}/run-docker-x86_64-unknown-linux-gnu.tar.gz`]);
    const names = listing.stdout.trim().split("\n").map((l) => l.split(/\s+/).at(-1));
    assert.deepEqual(names, [
      "run-docker-x86_64-unknown-linux-gnu/",
      "run-docker-x86_64-unknown-linux-gnu/LICENSE",
      "run-docker-x86_64-unknown-linux-gnu/README.md",
      "run-docker-x86_64-unknown-linux-gnu/VERSION",
      "run-docker-x86_64-unknown-linux-gnu/install.sh",
      "run-docker-x86_64-unknown-linux-gnu/run-docker",
      "run-docker-x86_64-unknown-linux-gnu/run-docker.1",
    ]);
    assert.ok(
      listing.stdout.split("\n").filter(Boolean).every((l) => l.includes(" 0/0 ")),
      "owner 0",
    );
    const zip = await run("unzip", ["-l", `${a}/run-docker-x86_64-pc-windows-msvc.zip`]);
    assert.match(zip.stdout, /run-docker-x86_64-pc-windows-msvc\/run-docker\.exe/);
    assert.match(zip.stdout, /run-docker-x86_64-pc-windows-msvc\/run-docker\.1/);
    const check = await run("sha256sum", ["-c", "SHA256SUMS"], { cwd: a });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const latest = JSON.parse(await Deno.readTextFile(`${a}/latest.json`));
    assert.equal(latest.version, "1.2.3");
    assert.equal(
      latest.targets["x86_64-unknown-linux-gnu"].asset,
      "run-docker-x86_64-unknown-linux-gnu.tar.gz",
    );
    assert.equal(latest.targets["x86_64-unknown-linux-gnu"].sha256, first[4].sha256);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

const SHELLS: [string, string[]][] = [["dash", []], ["bash", []], ["busybox", ["sh"]]];

async function install(shell: [string, string[]], args: string[], env: Record<string, string>) {
  return await run(shell[0], [...shell[1], "-u", `${ROOT}install.sh`, ...args], {
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: env.HOME ?? "/nonexistent",
      ...env,
    },
  });
}

for (const shell of SHELLS) {
  const name = shell[0];
  Deno.test(`install.sh under ${name}: latest, pinned, bad checksum, archive, uninstall`, () =>
    withReleases(async (base, dir) => {
      const prefix = await Deno.makeTempDir({ prefix: "run-docker-prefix-" });
      const bin = `${prefix}/bin`;
      const page = `${prefix}/share/man/man1/run-docker.1`;
      try {
        const env = { RUN_DOCKER_DOWNLOAD_URL: base, RUN_DOCKER_INSTALL_DIR: bin };
        const latest = await install(shell, [], env);
        assert.equal(latest.code, 0, latest.stderr);
        assert.equal((await run(`${bin}/run-docker`, [])).stdout, "run-docker 1.1.0 (stub)\n");
        assert.match(latest.stderr, /is not on your PATH/);
        // The manual page, beside bin in share/man/man1, readable by all.
        assert.match(await Deno.readTextFile(page), /^\.TH RUN\\-DOCKER 1 "" "run-docker 1\.1\.0"/);
        assert.equal((await Deno.stat(page)).mode! & 0o777, 0o644);
        assert.match(
          latest.stderr,
          /installed the manual page to .*share\/man\/man1\/run-docker\.1/,
        );

        const pinned = await install(shell, ["1.0.0"], env);
        assert.equal(pinned.code, 0, pinned.stderr);
        assert.equal((await run(`${bin}/run-docker`, [])).stdout, "run-docker 1.0.0 (stub)\n");

        const prefixed = await install(shell, [], { ...env, RUN_DOCKER_VERSION: "v1.1.0" });
        assert.equal(prefixed.code, 0, prefixed.stderr);
        assert.equal((await run(`${bin}/run-docker`, [])).stdout, "run-docker 1.1.0 (stub)\n");
        const again = await install(shell, ["1.0.0"], env);
        assert.equal(again.code, 0, again.stderr);

        const bad = await install(shell, [], { ...env, RUN_DOCKER_VERSION: "6.6.6" });
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /checksum mismatch/);
        assert.equal(
          (await run(`${bin}/run-docker`, [])).stdout,
          "run-docker 1.0.0 (stub)\n",
          "old binary intact",
        );
        assert.deepEqual(
          [...Deno.readDirSync(bin)].map((e) => e.name),
          ["run-docker"],
          "nothing left behind",
        );

        // Air-gapped: an archive with SHA256SUMS beside it, no server.
        const offline = {
          RUN_DOCKER_DOWNLOAD_URL: "http://127.0.0.1:1",
          RUN_DOCKER_INSTALL_DIR: bin,
        };
        const archive = `${dir}/v1.1.0/run-docker-x86_64-unknown-linux-gnu.tar.gz`;
        const fromArchive = await install(shell, ["--archive", archive], offline);
        assert.equal(fromArchive.code, 0, fromArchive.stderr);
        assert.equal((await run(`${bin}/run-docker`, [])).stdout, "run-docker 1.1.0 (stub)\n");
        const copy = await Deno.makeTempDir();
        await Deno.copyFile(archive, `${copy}/a.tar.gz`);
        const noSums = await install(shell, ["--archive", `${copy}/a.tar.gz`], offline);
        assert.notEqual(noSums.code, 0, "fails closed without SHA256SUMS");
        const sha = (await Deno.readTextFile(`${dir}/v1.0.0/SHA256SUMS`)).split("\n")
          .find((l) => l.endsWith("x86_64-unknown-linux-gnu.tar.gz"))!.split(" ")[0];
        await Deno.copyFile(
          `${dir}/v1.0.0/run-docker-x86_64-unknown-linux-gnu.tar.gz`,
          `${copy}/b.tar.gz`,
        );
        const withSha = await install(
          shell,
          ["--archive", `${copy}/b.tar.gz`, "--sha256", sha.toUpperCase()],
          offline,
        );
        assert.equal(withSha.code, 0, withSha.stderr);
        assert.equal((await run(`${bin}/run-docker`, [])).stdout, "run-docker 1.0.0 (stub)\n");
        await Deno.remove(copy, { recursive: true });

        const removed = await install(shell, ["--uninstall"], env);
        assert.equal(removed.code, 0, removed.stderr);
        assert.deepEqual([...Deno.readDirSync(bin)], []);
        assert.deepEqual([...Deno.readDirSync(`${prefix}/share/man/man1`)], [], "page removed");
        assert.match(removed.stderr, /removed .*share\/man\/man1\/run-docker\.1/);
      } finally {
        await Deno.remove(prefix, { recursive: true });
      }
    }));
}

Deno.test("install.sh: a truncated download runs nothing", () =>
  withReleases(async (base) => {
    const bin = await Deno.makeTempDir();
    try {
      const head =
        (await Deno.readTextFile(`${ROOT}install.sh`)).split("\n").slice(0, 40).join("\n") + "\n";
      await run("sh", [], {
        stdin: head,
        env: {
          PATH: Deno.env.get("PATH")!,
          RUN_DOCKER_DOWNLOAD_URL: base,
          RUN_DOCKER_INSTALL_DIR: bin,
        },
      });
      assert.deepEqual([...Deno.readDirSync(bin)], []);
    } finally {
      await Deno.remove(bin, { recursive: true });
    }
  }));

/** A PATH of links to the tools install.sh may use, plus fakes. */
async function toolbox(fakes: Record<string, string>, without: string[] = []): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-path-" });
  const tools = [
    "sh",
    "uname",
    "id",
    "mktemp",
    "tar",
    "gzip",
    "mkdir",
    "chmod",
    "mv",
    "rm",
    "awk",
    "cut",
    "sed",
    "grep",
    "basename",
    "dirname",
    "tr",
    "sha256sum",
    "cat",
    "ldd",
    "wget",
    "curl",
    "getent",
    "printf",
    "find",
    "wc",
    "head",
  ];
  for (const tool of tools) {
    if (without.includes(tool) || tool in fakes) continue;
    for (const prefix of ["/usr/bin", "/bin"]) {
      try {
        await Deno.symlink(Deno.realPathSync(`${prefix}/${tool}`), `${dir}/${tool}`);
        break;
      } catch {
        // not there
      }
    }
  }
  for (const [tool, script] of Object.entries(fakes)) {
    await Deno.writeTextFile(`${dir}/${tool}`, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }
  return dir;
}

Deno.test("install.sh: wget works without curl", () =>
  withReleases(async (base) => {
    const bin = await Deno.makeTempDir();
    const path = await toolbox({}, ["curl"]);
    try {
      const result = await run("/usr/bin/dash", ["-u", `${ROOT}install.sh`], {
        env: { PATH: path, HOME: bin, RUN_DOCKER_DOWNLOAD_URL: base, RUN_DOCKER_INSTALL_DIR: bin },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((await run(`${bin}/run-docker`, [])).stdout, "run-docker 1.1.0 (stub)\n");
    } finally {
      await Deno.remove(bin, { recursive: true });
      await Deno.remove(path, { recursive: true });
    }
  }));

Deno.test("install.sh: Alpine (musl) and unknown systems are refused before any download", async () => {
  const bin = await Deno.makeTempDir();
  const cases: [Record<string, string>, RegExp][] = [
    [{ ldd: 'echo "musl libc (x86_64)"' }, /musl-based Linux \(Alpine\) is not supported/],
    [
      { uname: 'case "$1" in -s) echo SunOS;; *) echo sparc;; esac' },
      /unsupported system: SunOS/,
    ],
    [
      { uname: 'case "$1" in -s) echo MINGW64_NT-10.0;; *) echo x86_64;; esac' },
      /this is Windows/,
    ],
  ];
  try {
    for (const [fakes, message] of cases) {
      const path = await toolbox(fakes);
      const result = await run("/usr/bin/dash", ["-u", `${ROOT}install.sh`], {
        env: {
          PATH: path,
          HOME: bin,
          RUN_DOCKER_DOWNLOAD_URL: "http://127.0.0.1:1",
          RUN_DOCKER_INSTALL_DIR: bin,
        },
      });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /downloading/);
      await Deno.remove(path, { recursive: true });
    }
    assert.deepEqual([...Deno.readDirSync(bin)], []);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("install.sh is shellcheck-clean under -s sh", async () => {
  let result;
  try {
    result = await run("shellcheck", ["-s", "sh", `${ROOT}install.sh`]);
  } catch {
    return; // shellcheck not installed here (scripts/test.sh installs it)
  }
  assert.equal(result.code, 0, result.stdout);
});

Deno.test("install.sh refuses an archive whose binary (or manual page) is a link, FIFO or repeated, or that holds ../ or absolute names, and chmods nothing", async () => {
  const kinds: [Hostile, RegExp][] = [
    ["symlink", /x86_64-unknown-linux-gnu\/run-docker is not a regular file/],
    ["hardlink", /refusing .*(is not a regular file|tar warns: .*leading)|cannot unpack/],
    ["fifo", /x86_64-unknown-linux-gnu\/run-docker is not a regular file/],
    ["twice", /x86_64-unknown-linux-gnu\/run-docker appears 2 times/],
    [
      "dotdot",
      /holds "run-docker-x86_64-unknown-linux-gnu\/\.\.\/escaped", an absolute or \.\.\/ name|tar warns: .*leading/,
    ],
    ["absolute", /holds "\/.*", an absolute or \.\.\/ name|tar warns: .*leading/],
    ["page-symlink", /x86_64-unknown-linux-gnu\/run-docker\.1 is not a regular file/],
  ];
  const scratch = await Deno.makeTempDir({ prefix: "run-docker-hostile-" });
  const bin = await Deno.makeTempDir({ prefix: "run-docker-bin-" });
  try {
    for (const shell of [SHELLS[0], SHELLS[2]]) {
      for (const [kind, message] of kinds) {
        const victim = `${scratch}/victim-${kind}`;
        await Deno.writeTextFile(victim, "#!/bin/sh\necho run-docker 1.1.0\n");
        await Deno.chmod(victim, 0o644);
        const out = await Deno.makeTempDir({ dir: scratch });
        const archive = await hostileArchive(out, "x86_64-unknown-linux-gnu", kind, victim);
        const result = await install(shell, ["--archive", archive], {
          RUN_DOCKER_DOWNLOAD_URL: "http://127.0.0.1:1",
          RUN_DOCKER_INSTALL_DIR: bin,
        });
        const what = `${shell[0]} ${kind}: ${result.stderr}`;
        assert.notEqual(result.code, 0, what);
        assert.match(result.stderr, message, what);
        assert.doesNotMatch(result.stderr, /installed/, what);
        assert.equal((await Deno.lstat(victim)).mode! & 0o777, 0o644, `${what}: victim's mode`);
        assert.deepEqual([...Deno.readDirSync(bin)], [], `${what}: nothing installed or left`);
      }
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("install.sh allows plain http only to exactly 127.0.0.1, localhost or [::1]", async () => {
  const bin = await Deno.makeTempDir();
  const log = `${bin}.log`;
  const path = await toolbox({
    curl: `echo "curl $*" >>"${log}"; exit 22`,
    wget: `echo "wget $*" >>"${log}"; exit 1`,
  });
  try {
    for (
      const url of [
        "http://127.evil.invalid/rel",
        "http://127.0.0.1.evil.invalid/rel",
        "http://localhost.evil.invalid/rel",
        "http://localhost@evil.invalid/rel",
        "http://localhost:@evil.invalid/rel",
        "http://127.0.0.1:80@evil.invalid/rel",
        "http://[::1].evil.invalid/rel",
        "ftp://127.0.0.1/rel",
      ]
    ) {
      const result = await run("/usr/bin/dash", ["-u", `${ROOT}install.sh`], {
        env: { PATH: path, HOME: bin, RUN_DOCKER_DOWNLOAD_URL: url, RUN_DOCKER_INSTALL_DIR: bin },
      });
      assert.notEqual(result.code, 0, url);
      assert.match(
        result.stderr,
        /refusing to download over plain http/,
        `${url}: ${result.stderr}`,
      );
      assert.equal(await Deno.readTextFile(log).catch(() => ""), "", `${url}: nothing fetched`);
    }
    for (const url of ["http://127.0.0.1:8/r", "http://localhost/r", "http://[::1]:8/r"]) {
      const result = await run("/usr/bin/dash", ["-u", `${ROOT}install.sh`], {
        env: { PATH: path, HOME: bin, RUN_DOCKER_DOWNLOAD_URL: url, RUN_DOCKER_INSTALL_DIR: bin },
      });
      assert.match(await Deno.readTextFile(log), /--proto-redir =https .*--max-filesize 209715200/);
      assert.doesNotMatch(result.stderr, /refusing/, url);
      await Deno.remove(log);
    }
  } finally {
    await Deno.remove(bin, { recursive: true });
    await Deno.remove(path, { recursive: true });
    await Deno.remove(log).catch(() => {});
  }
});

Deno.test("install.sh does not follow a loopback http redirect to another origin (curl, wget)", () =>
  withReleases((elsewhere) =>
    withReleases(async (base) => {
      const bin = await Deno.makeTempDir();
      const noCurl = await toolbox({}, ["curl"]);
      try {
        for (const path of [Deno.env.get("PATH")!, noCurl]) {
          const result = await run("/usr/bin/dash", ["-u", `${ROOT}install.sh`], {
            env: {
              PATH: path,
              HOME: bin,
              RUN_DOCKER_DOWNLOAD_URL: base,
              RUN_DOCKER_INSTALL_DIR: bin,
            },
          });
          assert.notEqual(result.code, 0, result.stderr);
          assert.match(result.stderr, /download failed/);
          assert.deepEqual([...Deno.readDirSync(bin)], []);
        }
      } finally {
        await Deno.remove(bin, { recursive: true });
        await Deno.remove(noCurl, { recursive: true });
      }
    }, {
      "/latest/download/run-docker-x86_64-unknown-linux-gnu.tar.gz": () =>
        Response.redirect(
          `${elsewhere}/latest/download/run-docker-x86_64-unknown-linux-gnu.tar.gz`,
          302,
        ),
    })
  ));
