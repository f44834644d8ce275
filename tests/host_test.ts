/**
 * The host edge (`lib/edge/host.ts`): the shape of the gathered facts, which
 * directories exist, making and unmaking directories (nothing left behind
 * on failure), and the `user: host` passwd and group files.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RunDockerError } from "../lib/core/errors.ts";
import {
  checkDirs,
  dirGiver,
  ENV_NAMES,
  gatherHostFacts,
  makeDirs,
  removeEmptyDirs,
} from "../lib/edge/host.ts";
import { writeHostUserFiles } from "../lib/edge/host_user_files.ts";
import { withDir } from "./temp_dir.ts";

/** Every path under `dir`, relative, sorted; directories end in `/`. */
function tree(dir: string, prefix = ""): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) =>
    e.isDirectory
      ? [`${prefix}${e.name}/`, ...tree(`${dir}/${e.name}`, `${prefix}${e.name}/`)]
      : [`${prefix}${e.name}`]
  ).sort();
}

Deno.test("gatherHostFacts() returns every fact, typed, and only the environment it reads", () =>
  withDir((dir) => {
    const facts = gatherHostFacts([dir, `${dir}/missing`]);
    assert.deepEqual(Object.keys(facts).sort(), [
      "arch",
      "cwd",
      "env",
      "existingDirs",
      "gid",
      "home",
      "hostIp",
      "hostname",
      "now",
      "os",
      "osRelease",
      "stdinIsTty",
      "stdoutIsTty",
      "timeZone",
      "uid",
      "user",
      "utcOffsetMinutes",
    ]);
    assert.deepEqual(Object.keys(facts.env).sort(), [...ENV_NAMES].sort());
    for (const name of ENV_NAMES) assert.equal(facts.env[name], Deno.env.get(name), name);
    assert.deepEqual(facts.existingDirs, new Set([dir]));
    assert.deepEqual(
      { cwd: facts.cwd, uid: facts.uid, gid: facts.gid, os: facts.os, arch: facts.arch },
      {
        cwd: Deno.cwd(),
        uid: Deno.uid() ?? undefined,
        gid: Deno.gid() ?? undefined,
        os: Deno.build.os,
        arch: Deno.build.arch,
      },
    );
    assert.match(facts.home, /^\//);
    assert.notEqual(facts.user, "");
    assert.ok(facts.now instanceof Date);
    assert.equal(facts.utcOffsetMinutes, -facts.now.getTimezoneOffset());
    assert.match(facts.timeZone, /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/);
    assert.equal(typeof facts.stdinIsTty, "boolean");
    assert.equal(typeof facts.stdoutIsTty, "boolean");
  }));

Deno.test("checkDirs() keeps directories and links to them, not files or missing paths", () =>
  withDir((dir) => {
    Deno.mkdirSync(`${dir}/d`);
    Deno.writeTextFileSync(`${dir}/f`, "");
    Deno.symlinkSync(`${dir}/d`, `${dir}/link`);
    Deno.symlinkSync(`${dir}/gone`, `${dir}/dangling`);
    const asked = ["d", "f", "link", "dangling", "missing"].map((n) => `${dir}/${n}`);
    assert.deepEqual(checkDirs(asked), new Set([`${dir}/d`, `${dir}/link`]));
  }));

Deno.test("makeDirs() creates what is missing, parents first, and reports only that", () =>
  withDir((dir) => {
    Deno.mkdirSync(`${dir}/there`);
    const created = makeDirs([`${dir}/a/b/c`, undefined, `${dir}/there`, `${dir}/a/b/d`]);
    assert.deepEqual(created, [`${dir}/a`, `${dir}/a/b`, `${dir}/a/b/c`, `${dir}/a/b/d`]);
    assert.deepEqual(tree(dir), ["a/", "a/b/", "a/b/c/", "a/b/d/", "there/"]);
    Deno.writeTextFileSync(`${dir}/a/b/d/kept`, "");
    removeEmptyDirs(created);
    assert.deepEqual(tree(dir), ["a/", "a/b/", "a/b/d/", "a/b/d/kept", "there/"]);
  }));

Deno.test({
  name: "makeDirs() as root gives only the directory it made, never a symlink's target",
  ignore: Deno.uid() !== 0,
  fn: () =>
    withDir(async (dir) => {
      const give = await dirGiver({ uid: 4321, gid: 4322 });
      const created = makeDirs([`${dir}/data/app`], give);
      assert.deepEqual(created, [`${dir}/data`, `${dir}/data/app`]);
      const owner = (p: string) => [Deno.lstatSync(p).uid, Deno.lstatSync(p).gid];
      assert.deepEqual(owner(`${dir}/data/app`), [4321, 4322]);
      assert.deepEqual(owner(`${dir}/data`), [0, 0]);
      // Swapped for a symlink after the mkdir (whoever can write the parent): refused, and the
      // target (here a stand-in for /etc) keeps its owner, where Deno.chownSync follows it.
      Deno.mkdirSync(`${dir}/etc`);
      Deno.symlinkSync(`${dir}/etc`, `${dir}/swapped`);
      Deno.writeTextFileSync(`${dir}/shadow`, "");
      Deno.symlinkSync(`${dir}/shadow`, `${dir}/swapped-file`);
      assert.throws(() => give(`${dir}/swapped`));
      assert.throws(() => give(`${dir}/swapped-file`));
      assert.deepEqual(owner(`${dir}/etc`), [0, 0]);
      assert.deepEqual(owner(`${dir}/shadow`), [0, 0]);
    }),
});

Deno.test("makeDirs() that cannot create one removes what it made and says which", () =>
  withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/file`, "");
    let error: unknown;
    try {
      makeDirs([`${dir}/new/deeper`, `${dir}/file/sub`]);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof RunDockerError, String(error));
    assert.deepEqual([error.message.replaceAll(dir, "DIR"), error.hint], [
      'cannot create host directory "DIR/file/sub": Not a directory',
      "create it yourself, or pick another with --hostdatadir/--hostlogdir (or RUN_DOCKER_WORKDIR)",
    ]);
    assert.deepEqual(tree(dir), ["file"]);
  }));

/** Runs `fn` with `TMPDIR` set to a fresh temp dir, restored after. */
/** A temp dir as the XDG cache home; `fn` gets it. */
function withTmpdir(fn: (tmp: string) => void): Promise<void> {
  return withDir((tmp) => fn(tmp));
}

// The folder must be owned by the host uid: as root, a folder made for uid 1001 is chowned.
const ROOT = Deno.uid() === 0;
const UID = ROOT ? 1001 : Deno.uid()!;
const HOST = { uid: UID, gid: 4242, user: "zé p", os: "linux", home: "/nowhere", env: {} };
/** The host facts with `tmp` as XDG_CACHE_HOME: the files go to `tmp/run-docker/users`. */
const hostIn = (tmp: string) => ({ ...HOST, env: { XDG_CACHE_HOME: tmp } });

Deno.test("writeHostUserFiles() writes passwd and group with the host user, privately", () =>
  withTmpdir((tmp) => {
    const dir = `${tmp}/run-docker/users`;
    if (ROOT) {
      Deno.mkdirSync(dir, { mode: 0o700, recursive: true });
      Deno.chownSync(dir, UID, 4242);
    }
    assert.deepEqual(writeHostUserFiles(hostIn(tmp), "/home/docker-user"), {
      passwd: `${dir}/passwd`,
      group: `${dir}/group`,
    });
    assert.equal(
      Deno.readTextFileSync(`${dir}/passwd`),
      "root:x:0:0:root:/root:/bin/sh\n" +
        (UID === 1000 ? "" : "docker-user:x:1000:1000::/home/docker-user:/bin/sh\n") +
        `z__p:x:${UID}:4242:z__p:/home/docker-user:/bin/sh\n`,
    );
    assert.equal(
      Deno.readTextFileSync(`${dir}/group`),
      "root:x:0:\ndocker-user:x:1000:\nz__p:x:4242:\n",
    );
    assert.deepEqual(
      [Deno.statSync(dir).mode! & 0o777, Deno.statSync(`${dir}/passwd`).mode! & 0o777],
      [0o700, 0o644],
    );
    assert.deepEqual(tree(tmp), [
      "run-docker/",
      "run-docker/users/",
      "run-docker/users/group",
      "run-docker/users/passwd",
    ]);
  }));

Deno.test("writeHostUserFiles() with --dry-run gives the paths and writes nothing; Windows: none", () =>
  withTmpdir((tmp) => {
    assert.deepEqual(writeHostUserFiles(hostIn(tmp), "/home/docker-user", false), {
      passwd: `${tmp}/run-docker/users/passwd`,
      group: `${tmp}/run-docker/users/group`,
    });
    // Without XDG_CACHE_HOME: ~/.cache; macOS: ~/Library/Caches.
    assert.deepEqual(writeHostUserFiles({ ...HOST, home: "/h" }, "/h", false), {
      passwd: "/h/.cache/run-docker/users/passwd",
      group: "/h/.cache/run-docker/users/group",
    });
    assert.deepEqual(writeHostUserFiles({ ...HOST, os: "darwin", home: "/Users/z" }, "/h", false), {
      passwd: "/Users/z/Library/Caches/run-docker/users/passwd",
      group: "/Users/z/Library/Caches/run-docker/users/group",
    });
    assert.equal(
      writeHostUserFiles({ ...hostIn(tmp), uid: undefined, gid: undefined }, "/h"),
      undefined,
    );
    assert.deepEqual(tree(tmp), []);
  }));

Deno.test("writeHostUserFiles() refuses a folder that is not private or not the user's; the hint names XDG_CACHE_HOME", () =>
  withTmpdir((tmp) => {
    const dir = `${tmp}/run-docker/users`;
    // Not private; then (as root, who can make it so) private but another user's, as in a sticky /tmp.
    const owners = ROOT ? [[0o755, UID], [0o700, UID + 1]] : [[0o755, UID]];
    for (const [mode, owner] of owners) {
      Deno.mkdirSync(dir, { recursive: true });
      Deno.chmodSync(dir, mode);
      if (ROOT) Deno.chownSync(dir, owner, 4242);
      let error: unknown;
      try {
        writeHostUserFiles(hostIn(tmp), "/home/docker-user");
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof RunDockerError, String(error));
      assert.deepEqual([error.message, error.hint], [
        `${dir} is not a private directory of yours`,
        "remove it if you can (someone else may have made it), or set XDG_CACHE_HOME to a folder of your own",
      ]);
      assert.deepEqual(tree(tmp), ["run-docker/", "run-docker/users/"]);
    }
  }));

Deno.test({
  name: "gatherHostFacts() names the effective user from /etc/passwd, not $USER",
  ignore: Deno.build.os === "windows",
  async fn() {
    const uid = String(Deno.uid());
    const entry = Deno.readTextFileSync("/etc/passwd").split("\n").map((l) => l.split(":"))
      .find((f) => f[2] === uid);
    assert.ok(entry !== undefined, `uid ${uid} is in /etc/passwd`);
    const module = new URL("../lib/edge/host.ts", import.meta.url).href;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { gatherHostFacts } from "${module}"; console.log(gatherHostFacts().user);`,
      ],
      env: { USER: "alice-not-me", LOGNAME: "alice-not-me" },
    }).output();
    assert.equal(new TextDecoder().decode(output.stderr), "");
    assert.equal(new TextDecoder().decode(output.stdout), `${entry[0]}\n`);
  },
});

Deno.test({
  name: "writeHostUserFiles() as root makes nothing in another user's home (sudo keeps HOME)",
  ignore: !ROOT,
  fn: () =>
    withDir((home) => {
      Deno.chownSync(home, 4321, 4321);
      let error: unknown;
      try {
        writeHostUserFiles({ ...HOST, uid: 0, gid: 0, home }, "/root");
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof RunDockerError, String(error));
      assert.match(error.message, /is not yours: run-docker will not make .* for user: host$/);
      assert.deepEqual([...Deno.readDirSync(home)], []);
    }),
});
