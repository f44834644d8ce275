/**
 * `deno task try` (scripts/try.ts): the newcomer's one command runs the
 * newest demo tag in dev mode, shows the mount, PYTHONPATH, DATADIR and the
 * exit code, and leaves nothing behind (images, containers, temp folders),
 * also when it is interrupted. Plus the pieces it stands on: its permission
 * flags are the binary's, and the static-busybox check of the shared image
 * builder.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { findStaticBusybox, isStaticElf } from "../scripts/demo_image.ts";
import { BUSYBOX_VARIABLE, DEMO_EXIT, DEMO_PREFIX, DEMO_TAGS } from "../scripts/try.ts";
import { decoder, docker, e2e, ROOT } from "./e2e_helpers.ts";

const TASK: string = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.try;

Deno.test("deno task try runs scripts/try.ts with the binary's permission flags, no more", () => {
  const words = TASK.split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  assert.equal(words.at(-1), "scripts/try.ts");
  assert.deepEqual(words.slice(2, -1), [...PERMISSION_FLAGS]);
});

/** A minimal ELF header with one program header of type `type` (3: PT_INTERP, 1: PT_LOAD). */
function elf(wide: boolean, type: number): Uint8Array {
  const bytes = new Uint8Array(wide ? 64 + 56 : 52 + 32);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, wide ? 2 : 1, 1, 1]);
  if (wide) {
    view.setBigUint64(0x20, 64n, true);
    view.setUint16(0x36, 56, true);
    view.setUint16(0x38, 1, true);
    view.setUint32(64, type, true);
  } else {
    view.setUint32(0x1c, 52, true);
    view.setUint16(0x2a, 32, true);
    view.setUint16(0x2c, 1, true);
    view.setUint32(52, type, true);
  }
  return bytes;
}

Deno.test("isStaticElf() tells a static program from a dynamic one, a text file and nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files: [string, Uint8Array, boolean][] = [
      ["static64", elf(true, 1), true],
      ["dynamic64", elf(true, 3), false],
      ["static32", elf(false, 1), true],
      ["dynamic32", elf(false, 3), false],
      ["script", new TextEncoder().encode("#!/bin/sh\necho busybox\n".padEnd(80)), false],
      ["cut", elf(true, 1).subarray(0, 40), false],
    ];
    for (const [name, bytes, want] of files) {
      await Deno.writeFile(`${dir}/${name}`, bytes);
      assert.equal(await isStaticElf(`${dir}/${name}`), want, name);
    }
    assert.equal(await isStaticElf(`${dir}/missing`), false);
    assert.equal(
      await findStaticBusybox([`${dir}/missing`, `${dir}/dynamic64`, `${dir}/static32`]),
      `${dir}/static32`,
    );
    assert.equal(await findStaticBusybox([`${dir}/script`, `${dir}/dynamic32`]), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Starts the try script as `deno task try` would, in an environment with its own TMPDIR. */
function startTry(
  tmp: string,
  viaTask: boolean,
  env: Record<string, string> = {},
): Deno.ChildProcess {
  const args = viaTask ? ["task", "--quiet", "try"] : TASK.split(/\s+/).slice(1);
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { TMPDIR: tmp, DENO_NO_UPDATE_CHECK: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** What the demo made that is still there: its images, its containers, files in TMPDIR. */
async function leftovers(tmp: string): Promise<string[]> {
  const images = await docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}");
  const containers = await docker("ps", "--all", "--format", "{{.Names}}");
  assert.equal(images.code + containers.code, 0, images.stderr + containers.stderr);
  return [
    ...`${images.stdout}\n${containers.stdout}`.split("\n")
      .filter((name) => name.startsWith(DEMO_PREFIX)),
    ...[...Deno.readDirSync(tmp)].map((entry) => `${tmp}/${entry.name}`),
  ];
}

async function withTmp(fn: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "run-docker-e2e-try-" });
  try {
    await fn(tmp);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

for (
  const [name, env, error, hint] of [
    [
      "no engine",
      { DOCKER_HOST: "unix:///nonexistent/docker.sock" },
      /^run-docker: error: (cannot reach a Docker engine: .*docker\.sock|no docker CLI on PATH)/,
      /^hint: (start one .*DOCKER_HOST|install Docker)/,
    ],
    [
      "no static busybox",
      { [BUSYBOX_VARIABLE]: "/etc/passwd" },
      new RegExp(
        `^run-docker: error: (${BUSYBOX_VARIABLE} names /etc/passwd, which is not a statically ` +
          "linked program|cannot reach|no docker CLI)",
      ),
      /^hint: (install Debian's busybox-static \(sudo apt-get install busybox-static\)|start one|install Docker)/,
    ],
  ] as const
) {
  Deno.test(`deno task try: ${name} is one error line and a hint, exit 125, before it makes anything`, () =>
    withTmp(async (tmp) => {
      const output = await startTry(tmp, false, env).output();
      const stderr = decoder.decode(output.stderr).split("\n").filter((line) => line !== "");
      assert.equal(output.code, 125, stderr.join("\n"));
      assert.equal(stderr.length, 2, stderr.join("\n"));
      assert.match(stderr[0], error);
      assert.match(stderr[1], hint);
      assert.doesNotMatch(decoder.decode(output.stdout), /^1\. /m);
      assert.deepEqual([...Deno.readDirSync(tmp)], []);
    }));
}

e2e(
  "deno task try runs the newest demo tag in dev mode, shows the exit code, leaves nothing",
  () =>
    withTmp(async (tmp) => {
      const before = await leftovers(tmp);
      const output = await startTry(tmp, true).output();
      const stdout = decoder.decode(output.stdout);
      const stderr = decoder.decode(output.stderr);
      assert.equal(output.code, 0, stdout + stderr);
      // The demo runs clean, as root too (its tree is the image user's then): no warning.
      assert.doesNotMatch(stderr, /run-docker: (warning|error)/);
      const lines = stdout.split("\n");
      const repository = lines.find((line) => line.includes(`/demo:${DEMO_TAGS[0]}`))?.trim()
        .split(":")[0];
      assert.match(repository ?? "", new RegExp(`^${DEMO_PREFIX}[0-9a-f]{8}/demo$`));
      for (const tag of DEMO_TAGS) assert.ok(lines.includes(`   ${repository}:${tag}`), tag);
      const seen = lines.filter((line) => line.startsWith("   | "));
      assert.deepEqual(seen, [
        "   | working dir: /home/docker-user/src, holding: README.md src",
        "   | README.md:   written on the host by deno task try",
        `   | tag:         ${DEMO_TAGS.at(-1)}`,
        "   | PYTHONPATH:  /home/docker-user/src/src",
        "   | DATADIR:     /home/docker-user/data",
        "   | LOGDIR:      /home/docker-user/log",
      ]);
      assert.ok(
        lines.includes(
          `   run-docker exited ${DEMO_EXIT}: the container's exit code, passed through.`,
        ),
        stdout,
      );
      assert.match(
        stdout,
        /\n5\. Clean up: removed 2 images, \/.*\n {3}The container was gone already/,
      );
      assert.deepEqual(await leftovers(tmp), before);
    }),
);

e2e("deno task try cleans up when interrupted, and exits 130", () =>
  withTmp(async (tmp) => {
    const before = await leftovers(tmp);
    const child = startTry(tmp, false);
    let seen = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (!seen.includes("\n3. Make a demo work root")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGINT");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      seen += chunk.value;
    }
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 130, seen);
    assert.match(seen, /\n5\. Clean up: removed 2 images/);
    assert.doesNotMatch(seen, /\nNext: /);
    assert.deepEqual(await leftovers(tmp), before);
  }));
