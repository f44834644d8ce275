/**
 * Small images without a network: a rootfs of a static busybox (Debian's
 * busybox-static) with a `docker-user` (uid 1000) and `/home/docker-user`,
 * made into images with `docker import`. One builder for the end-to-end
 * tests, the benchmark and `deno task try`.
 *
 * @module
 */

/** Where a static busybox is looked for, in order (Debian's busybox-static: `/bin/busybox`). */
export const BUSYBOX_PATHS: readonly string[] = ["/bin/busybox", "/usr/bin/busybox"];

/** The busybox programs the images have, as links in `/bin`. */
const APPLETS = [
  "sh",
  "cat",
  "id",
  "echo",
  "printf",
  "pwd",
  "sleep",
  "true",
  "env",
  "ls",
  "stat",
  "touch",
];

/**
 * Builds `<repository>:<tag>` for each tag; each image has `BUILT_TAG=<tag>` in its environment.
 *
 * @param repository e.g. `e2e/app`.
 * @param tags e.g. `["20210502-002343", "latest"]`.
 * @param busybox Path of a static busybox binary.
 * @throws {Error} when tar or docker import fails (with docker's message).
 */
export async function buildTestImages(
  repository: string,
  tags: readonly string[],
  busybox = "/bin/busybox",
): Promise<void> {
  const tarball = await makeTestTarball(busybox);
  try {
    for (const tag of tags) await importTestImage(tarball, `${repository}:${tag}`);
  } finally {
    await Deno.remove(tarball).catch(() => {});
  }
}

/**
 * Makes one image from a tarball of {@link makeTestTarball}: `PATH=/bin`, and
 * `BUILT_TAG` set to the reference's tag.
 *
 * @param tarball The rootfs tarball.
 * @param reference `<repository>:<tag>`, e.g. `e2e/app:1`.
 * @throws {Error} when docker import fails (with docker's message).
 */
export async function importTestImage(tarball: string, reference: string): Promise<void> {
  const tag = reference.slice(reference.lastIndexOf(":") + 1);
  await run("docker", [
    "import",
    "--change",
    "ENV PATH=/bin",
    "--change",
    `ENV BUILT_TAG=${tag}`,
    tarball,
    reference,
  ]);
}

/**
 * The test image's root filesystem as a tarball (`tar` of a temp tree whose root is mode
 * 0755: rootless podman's docker-user cannot start a shell under a 0700 root).
 *
 * @param busybox Path of a static busybox binary.
 * @returns The tarball's path (mode 0644); the caller removes it.
 * @throws {Error} when tar fails.
 */
export async function makeTestTarball(busybox = "/bin/busybox"): Promise<string> {
  const rootfs = await Deno.makeTempDir({ prefix: "run-docker-rootfs-" });
  const tarball = `${rootfs}.tar`;
  try {
    await Deno.chmod(rootfs, 0o755);
    for (const dir of ["bin", "etc", "tmp", "root", "home/docker-user"]) {
      await Deno.mkdir(`${rootfs}/${dir}`, { recursive: true });
    }
    await Deno.copyFile(busybox, `${rootfs}/bin/busybox`);
    await Deno.chmod(`${rootfs}/bin/busybox`, 0o755);
    for (const applet of APPLETS) await Deno.symlink("busybox", `${rootfs}/bin/${applet}`);
    await Deno.writeTextFile(
      `${rootfs}/etc/passwd`,
      "root:x:0:0:root:/root:/bin/sh\ndocker-user:x:1000:1000::/home/docker-user:/bin/sh\n",
    );
    await Deno.writeTextFile(`${rootfs}/etc/group`, "root:x:0:\ndocker-user:x:1000:\n");
    await Deno.chmod(`${rootfs}/tmp`, 0o1777);
    if (Deno.uid() === 0) await Deno.chown(`${rootfs}/home/docker-user`, 1000, 1000);
    await run("tar", ["--numeric-owner", "-C", rootfs, "-cf", tarball, "."]);
    await Deno.chmod(tarball, 0o644);
    return tarball;
  } catch (error) {
    await Deno.remove(tarball).catch(() => {}); // a half-written tarball stays nowhere
    throw error;
  } finally {
    await Deno.remove(rootfs, { recursive: true });
  }
}

/**
 * The first of `paths` that is a statically linked ELF program (no program
 * interpreter), so it runs in an image that has no libc.
 *
 * @param paths Candidates, e.g. {@link BUSYBOX_PATHS}.
 * @returns Its path, or `undefined` when none is (missing, unreadable, not ELF, or dynamic).
 */
export async function findStaticBusybox(
  paths: readonly string[] = BUSYBOX_PATHS,
): Promise<string | undefined> {
  for (const path of paths) {
    if (await isStaticElf(path)) return path;
  }
  return undefined;
}

/**
 * Whether a file is an ELF program without a `PT_INTERP` program header
 * (the dynamic loader's path): statically linked.
 *
 * @param path The file.
 * @returns `false` for a missing or unreadable file, a non-ELF file, or a dynamic program.
 */
export async function isStaticElf(path: string): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    using file = await Deno.open(path);
    const head = new Uint8Array(4096); // the ELF header and, in practice, the program headers
    bytes = head.subarray(0, (await file.read(head)) ?? 0);
  } catch {
    return false;
  }
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c) {
    return false;
  }
  if (bytes[3] !== 0x46) return false;
  const wide = bytes[4] === 2; // ELFCLASS64
  const little = bytes[5] === 1; // ELFDATA2LSB
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = wide ? Number(view.getBigUint64(0x20, little)) : view.getUint32(0x1c, little);
  const phentsize = view.getUint16(wide ? 0x36 : 0x2a, little);
  const phnum = view.getUint16(wide ? 0x38 : 0x2c, little);
  if (phnum === 0 || phoff + phnum * phentsize > bytes.length) return false;
  for (let i = 0; i < phnum; i++) {
    if (view.getUint32(phoff + i * phentsize, little) === 3) return false; // PT_INTERP
  }
  return true;
}

async function run(program: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(
      `${program} ${args[0]} failed: ${new TextDecoder().decode(output.stderr).trim()}`,
    );
  }
}
