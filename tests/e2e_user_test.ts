/**
 * End-to-end: `user: auto` (the default configuration) lets the container write to src, data
 * and log whoever runs run-docker. As a host user with uid 1001 (made by the test, in the
 * engine socket's group), in dev and prod mode: the writes work and the files are theirs. As
 * root: data and log are made owned by the image user (docker-user, uid 1000), who can write
 * there; a run docker refuses leaves no directory behind.
 *
 * Needs root (to make the user) and the bundle (`deno task bundle`); in CI it runs, never skips.
 *
 * @module
 */

import assert from "node:assert/strict";
import { baseEnv, decoder, docker, exists, ignore, inCI, program } from "./e2e_helpers.ts";
import { runCommand } from "../scripts/run_command.ts";
import { buildTestImages } from "./test_image.ts";
import { registryAvailable, startRegistry } from "./registry_fixture.ts";

const IMAGE = `e2e-user-${Math.floor(Math.random() * 1e6)}/app`;
const TAG = "20210502-002343";
const UID = 1001;
/** Not root: the test cannot make its user (in CI it runs as root, so it never skips there). */
const notRoot = Deno.uid() !== 0 && !inCI;

/** Writes one file in each of src (dev mode), `$DATADIR` and `$LOGDIR`, and says who wrote. */
const WRITE = 'id -u; for d in ${SRC_DIR:+"$SRC_DIR"} "$DATADIR" "$LOGDIR"; do ' +
  'echo made > "$d/written" || exit 3; done; echo wrote';

/** The socket's group, for the test user (a unix socket of the engine; else none). */
async function socketGroup(): Promise<string | undefined> {
  const host = Deno.env.get("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
  if (!host.startsWith("unix://")) return undefined;
  const gid = (await Deno.stat(host.slice("unix://".length))).gid;
  const group = await runCommand("getent", ["group", String(gid)]);
  return group.code === 0 ? group.stdout.split(":")[0] : undefined;
}

/** Makes a user with uid 1001 (its name unique to the run), runs `fn`, removes the user. */
async function withUser(fn: (base: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "run-docker-e2e-user-" });
  await Deno.chmod(base, 0o755);
  const name = `rdu${Math.floor(Math.random() * 1e6)}`;
  const group = await socketGroup();
  // -o: uid 1001 may belong to someone else already; the test only needs that uid.
  const made = await runCommand("useradd", [
    "-o",
    "-u",
    String(UID),
    "-U",
    "-M",
    "-d",
    `${base}/nohome`,
    ...(group === undefined ? [] : ["-G", group]),
    name,
  ]);
  assert.equal(made.code, 0, `useradd: ${made.stderr}`);
  try {
    await fn(base);
  } finally {
    await runCommand("userdel", [name]);
    await Deno.remove(base, { recursive: true });
  }
}

/** A HOME under `base` owned by `uid`, with `~/work/src/app` when `dev`. */
async function makeHome(base: string, name: string, uid: number, dev: boolean): Promise<string> {
  const home = `${base}/${name}`;
  await Deno.mkdir(home, { mode: 0o755 });
  if (dev) await Deno.mkdir(`${home}/work/src/app`, { recursive: true });
  for (const dir of ["", "/work", "/work/src", "/work/src/app"]) {
    if (await exists(home + dir)) await Deno.chown(home + dir, uid, uid);
  }
  return home;
}

/** Runs the bundled run-docker as `uid` (setpriv, with the user's groups) in `home`. */
async function runAs(uid: number, home: string, args: string[]) {
  const [cmd, argv] = program(args);
  const env = { ...baseEnv(home), DENO_DIR: `${home}/.deno`, TMPDIR: home, USER: "tester" };
  const [command, commandArgs] = uid === 0 ? [cmd, argv] : [
    "setpriv",
    [`--reuid=${uid}`, `--regid=${uid}`, "--init-groups", "--", cmd, ...argv],
  ];
  const output = await new Deno.Command(command, {
    args: commandArgs,
    clearEnv: true,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Asserts each file is there and belongs to `uid`. */
async function assertOwned(files: string[], uid: number): Promise<void> {
  for (const file of files) {
    const info = await Deno.stat(file);
    assert.equal(info.uid, uid, `${file} belongs to ${info.uid}, not ${uid}`);
  }
}

Deno.test({
  name: "e2e: user: auto, the default: uid 1001 writes to src, data and log (dev, prod); root too",
  ignore: ignore || notRoot,
  fn: async () => {
    await buildTestImages(IMAGE, [TAG]);
    try {
      await withUser(async (base) => {
        for (const dev of [true, false]) {
          const home = await makeHome(base, dev ? "dev" : "prod", UID, dev);
          const env = dev ? ["-e", "SRC_DIR=/home/docker-user/src"] : [];
          const result = await runAs(UID, home, [...env, `${IMAGE}:${TAG}`, "sh", "-c", WRITE]);
          assert.equal(result.code, 0, result.stderr);
          assert.equal(result.stdout, `${UID}\nwrote\n`);
          const files = [`${home}/work/data/written`, `${home}/work/log/written`];
          if (dev) files.push(`${home}/work/src/app/written`);
          await assertOwned(files, UID);
        }
        // Root: data and log made owned by the image user, who writes there.
        const home = await makeHome(base, "root", 0, false);
        const result = await runAs(0, home, [`${IMAGE}:${TAG}`, "sh", "-c", WRITE]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "1000\nwrote\n");
        await assertOwned([`${home}/work/data`, `${home}/work/log`], 1000);
        await assertOwned([`${home}/work/data/written`, `${home}/work/log/written`], 1000);
        assert.equal((await Deno.stat(`${home}/work`)).uid, 0); // only what it mounts is given
        // Root with its own src, data and log already there (0755): the image user cannot write
        // them, and one warning says so before the run; nothing on the host is changed.
        const owned = await makeHome(base, "owned", 0, true);
        for (const dir of ["data", "log"]) await Deno.mkdir(`${owned}/work/${dir}`);
        const closed = await runAs(0, owned, [
          ...["-e", "SRC_DIR=/home/docker-user/src"],
          `${IMAGE}:${TAG}`,
          ...["sh", "-c", `{ ${WRITE}; } 2>/dev/null`],
        ]);
        assert.equal(closed.code, 3, closed.stderr);
        assert.equal(
          closed.stderr,
          `run-docker: warning: ${owned}/work/src/app, ${owned}/work/data and ${owned}/work/log ` +
            "belong to uid 0, so the container's user docker-user (uid 1000) cannot write there: " +
            "'chown -R 1000:1000' them, or run with --root\n",
        );
        for (const dir of ["src/app", "data", "log"]) {
          assert.equal((await Deno.stat(`${owned}/work/${dir}`)).uid, 0);
        }
        // A run docker refuses: the directories made for it go again.
        const refused = await makeHome(base, "refused", 0, false);
        const failed = await runAs(0, refused, ["--cpus=two", `${IMAGE}:${TAG}`, "true"]);
        assert.equal(failed.code, 125, failed.stderr);
        assert.equal(await exists(`${refused}/work/data`), false);
        assert.equal(await exists(`${refused}/work/log`), false);
      });
    } finally {
      await docker("image", "rm", "--force", `${IMAGE}:${TAG}`);
    }
  },
});

Deno.test({
  name: "e2e: user: auto reads the user of an image it had to pull (USER 4321:4321, as root)",
  ignore: ignore || notRoot || !registryAvailable(),
  fn: async () => {
    const registry = await startRegistry();
    const seed = `${IMAGE}-seed:1`;
    const ref = `${registry.host}/app:${TAG}`;
    const base = await Deno.makeTempDir({ prefix: "run-docker-e2e-user-" });
    try {
      await buildTestImages(`${IMAGE}-seed`, ["1"]);
      const created = await docker("create", seed, "true");
      assert.equal(created.code, 0, created.stderr);
      const id = created.stdout.trim();
      const steps = [
        ["commit", "--change", "USER 4321:4321", id, ref],
        ["rm", id],
        ["push", ref],
        ["rmi", ref],
      ];
      for (const step of steps) {
        const result = await docker(...step);
        assert.equal(result.code, 0, `${step[0]}: ${result.stderr}`);
      }
      const home = await makeHome(base, "root", 0, false);
      const result = await runAs(0, home, [`${registry.host}/app`, "sh", "-c", WRITE]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "4321\nwrote\n");
      await assertOwned([`${home}/work/data`, `${home}/work/log/written`], 4321);
    } finally {
      await registry.stop();
      await docker("image", "rm", "--force", ref, seed);
      await Deno.remove(base, { recursive: true });
    }
  },
});
