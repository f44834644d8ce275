/**
 * The image user's reader (lib/edge/image_user.ts) against a fake docker CLI: what it asks
 * the engine, and its cache per image ID (a hit asks nothing; corrupt, oversized or symlinked
 * files are not trusted; writes are atomic and never go through a symlink).
 */

import assert from "node:assert/strict";
import { readImageUser } from "../lib/edge/image_user.ts";
import type { Engine } from "../lib/edge/engine.ts";
import { cacheDir } from "../lib/core/platform_paths.ts";
import { until } from "./poll.ts";

/** Reads the image user and, as a run that went well does, caches what was read. */
async function read(engine: Engine, image: string, env: Record<string, string>, id?: string) {
  const found = await readImageUser(engine, image, cacheOf(env), id);
  found.save();
  return found.user;
}

/** The cache folder of a HOME and XDG_CACHE_HOME, as the program finds it. */
const cacheOf = (env: Record<string, string>) =>
  cacheDir({ os: "linux", home: env.HOME, env: { XDG_CACHE_HOME: env.XDG_CACHE_HOME } });

const HEX = "ab".repeat(32);
const ID = `sha256:${HEX}`;
const PASSWD = "root:x:0:0::/root:/bin/sh\ndocker-user:x:1000:1000::/home/docker-user:/bin/sh\n" +
  "app:x:2000:2001::/home/app:/bin/sh\n";

/** A temp dir with a fake docker CLI whose image has `Config.User` = `user`; `fn` gets both. */
async function withEngine(
  user: string,
  fn: (dir: string, program: string, calls: () => Promise<string[]>) => Promise<void>,
  cp = 'tar -C "$D/etc" -cf - passwd',
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-image-user-" });
  try {
    await Deno.mkdir(`${dir}/etc`);
    await Deno.writeTextFile(`${dir}/etc/passwd`, PASSWD);
    const program = `${dir}/docker`;
    await Deno.writeTextFile(
      program,
      `#!/bin/sh
D='${dir}'
echo "$1 $2" >> '${dir}/calls'
case "$1" in
  image) [ "$5" = missing ] && exit 1; printf '%s\\t%s\\n' '${ID}' '${user}' ;;
  create) echo 0123456789ab ;;
  cp) ${cp} ;;
esac
exit 0
`,
    );
    await Deno.chmod(program, 0o755);
    const calls = async () =>
      (await Deno.readTextFile(`${dir}/calls`).catch(() => "")).split("\n").filter((l) => l);
    await fn(dir, program, calls);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readImageUser(): a name read from /etc/passwd once, then from the cache by ID", () =>
  withEngine("app", async (dir, program, calls) => {
    const env = { HOME: dir };
    const app = { name: "app", uid: 2000, gid: 2001 };
    assert.deepEqual(await read({ program }, "x/app:1", env), app);
    assert.deepEqual(await calls(), [
      "image inspect",
      "create --pull=never",
      "cp 0123456789ab:/etc/passwd",
      "rm --force",
    ]);
    const file = `${dir}/.cache/run-docker/image-users/${HEX}.json`;
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    // Warm: one inspect when the ID is not known, nothing when `image ls` gave it.
    assert.deepEqual(await read({ program }, "x/app:1", env), app);
    assert.deepEqual(await read({ program }, "x/app:1", env, ID), app);
    assert.equal((await calls()).length, 5);
    // XDG_CACHE_HOME wins over HOME.
    const xdg = { HOME: dir, XDG_CACHE_HOME: `${dir}/xdg` };
    assert.deepEqual(await read({ program }, "x/app:1", xdg), app);
    assert.ok((await Deno.stat(`${dir}/xdg/run-docker/image-users/${HEX}.json`)).isFile);
  }));

Deno.test("readImageUser(): no USER: docker-user by convention; uid:gid needs no passwd", async () => {
  await withEngine("", async (dir, program) => {
    const user = await read({ program }, "x/app:1", { HOME: dir });
    assert.deepEqual(user, { name: "docker-user", uid: 1000, gid: 1000 });
  });
  await withEngine("3000:4", async (dir, program, calls) => {
    const user = await read({ program }, "x/app:1", { HOME: dir });
    assert.deepEqual(user, { name: "3000:4", uid: 3000, gid: 4 });
    assert.deepEqual(await calls(), ["image inspect"]);
  });
});

Deno.test("readImageUser(): an image that is not local is unknown, nothing cached", () =>
  withEngine("app", async (dir, program, calls) => {
    assert.equal(await read({ program }, "missing", { HOME: dir }), undefined);
    assert.deepEqual(await calls(), ["image inspect"]);
  }));

Deno.test("readImageUser(): a huge /etc/passwd is not read to its end (bounded memory)", () =>
  // A hostile image's /etc/passwd of gigabytes (zeros compress to nothing in a layer) must not
  // be buffered whole: the copy stops past the limit, the user is unknown, the container goes.
  withEngine("app", async (dir, program, calls) => {
    const user = await read({ program }, "x/app:1", { HOME: dir });
    assert.equal(user, undefined);
    const made = await calls();
    assert.ok(!made.includes("cp finished"), "the whole stream was read");
    assert.equal(made.at(-1), "rm --force");
  }, `head -c 67108864 /dev/zero; echo "cp finished" >> "$D/calls"`));

Deno.test("readImageUser(): a corrupt, oversized or symlinked cache file is read again", () =>
  withEngine("app", async (dir, program, calls) => {
    const env = { HOME: dir };
    const folder = `${dir}/.cache/run-docker/image-users`;
    const file = `${folder}/${HEX}.json`;
    await Deno.mkdir(folder, { recursive: true });
    const planted = `${dir}/planted.json`;
    const lie = JSON.stringify({ user: { name: "root", uid: 0, gid: 0 } });
    await Deno.writeTextFile(planted, lie);
    const bad: [string, () => Promise<void>][] = [
      ["corrupt", () => Deno.writeTextFile(file, "{not json")],
      ["wrong shape", () => Deno.writeTextFile(file, '{"user":{"name":"x","uid":-1,"gid":0}}')],
      ["oversized", () => Deno.writeTextFile(file, lie + " ".repeat(5000))],
      // Written before USER was checked: a name docker would not take is not trusted either.
      [
        "a name out of grammar",
        () =>
          Deno.writeTextFile(
            file,
            JSON.stringify({ user: { name: "1:2:x\u2028y", uid: 1, gid: 2 } }),
          ),
      ],
      ["a symlink", () => Deno.symlink(planted, file)],
    ];
    for (const [name, plant] of bad) {
      await Deno.remove(file).catch(() => {});
      await plant();
      const before = (await calls()).length;
      const user = await read({ program }, "x/app:1", env, ID);
      assert.deepEqual(user, { name: "app", uid: 2000, gid: 2001 }, name);
      assert.ok((await calls()).length > before, `${name}: the image was read again`);
      const info = await Deno.lstat(file);
      assert.ok(info.isFile && !info.isSymlink, `${name}: replaced by a plain file`);
    }
    // The symlink's target was never written through.
    assert.equal(await Deno.readTextFile(planted), lie);
    // No temp file is left behind.
    assert.deepEqual([...Deno.readDirSync(folder)].map((e) => e.name), [`${HEX}.json`]);
  }));

Deno.test("readImageUser(): what was read is cached only when the caller saves it", () =>
  withEngine("app", async (dir, program) => {
    const found = await readImageUser({ program }, "x/app:1", cacheOf({ HOME: dir }));
    assert.deepEqual(found.user, { name: "app", uid: 2000, gid: 2001 });
    assert.equal(await Deno.stat(`${dir}/.cache`).catch(() => undefined), undefined);
    found.save();
    assert.ok((await Deno.stat(`${dir}/.cache/run-docker/image-users/${HEX}.json`)).isFile);
  }));

Deno.test({
  name: "readImageUser(): root with another user's HOME (sudo) makes no folder there",
  ignore: Deno.uid() !== 0,
  fn: () =>
    withEngine("app", async (dir, program) => {
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      await Deno.chown(home, 4321, 4321);
      const user = await read({ program }, "x/app:1", { HOME: home });
      assert.deepEqual(user, { name: "app", uid: 2000, gid: 2001 });
      assert.deepEqual([...Deno.readDirSync(home)], []);
    }),
});

Deno.test("readImageUser(): a cache folder that is a symlink is neither read nor written", () =>
  withEngine("app", async (dir, program, calls) => {
    const elsewhere = `${dir}/elsewhere`;
    await Deno.mkdir(`${elsewhere}/image-users`, { recursive: true });
    const lie = JSON.stringify({ user: { name: "root", uid: 0, gid: 0 } });
    await Deno.writeTextFile(`${elsewhere}/image-users/${HEX}.json`, lie);
    await Deno.mkdir(`${dir}/.cache`);
    await Deno.symlink(elsewhere, `${dir}/.cache/run-docker`);
    const user = await read({ program }, "x/app:1", { HOME: dir }, ID);
    assert.deepEqual(user, { name: "app", uid: 2000, gid: 2001 });
    assert.ok((await calls()).includes("create --pull=never"));
    assert.equal(await Deno.readTextFile(`${elsewhere}/image-users/${HEX}.json`), lie);
  }));

Deno.test("readImageUser(): a stop signal while /etc/passwd is read still removes the container", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-image-user-stop-" });
  try {
    const program = `${dir}/docker`;
    await Deno.writeTextFile(
      program,
      `#!/bin/sh
echo "$*" >> '${dir}/calls'
case "$1" in
  image) printf '%s\\t%s\\n' '${ID}' app ;;
  create) echo 0123456789ab ;;
  cp) exec sleep 30 ;;
esac
exit 0
`,
    );
    await Deno.chmod(program, 0o755);
    const script = `${dir}/read.ts`;
    const lib = new URL("../lib/edge/", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { readImageUser } from "${lib}image_user.ts";
import { handleStopSignals } from "${lib}spawn.ts";
handleStopSignals();
await readImageUser({ program: ${JSON.stringify(program)} }, "x/app:1", ${
        JSON.stringify(`${dir}/.cache/run-docker`)
      });
`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        script,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const calls = async () => await Deno.readTextFile(`${dir}/calls`).catch(() => "");
    assert.ok(await until(async () => (await calls()).includes("cp "), 20_000), "cp never ran");
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 143);
    assert.ok(
      await until(
        async () => (await calls()).includes("rm --force --volumes 0123456789ab"),
        10_000,
      ),
      `the container was not removed: ${await calls()}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
