/**
 * Test images without a network: a rootfs of Debian's busybox-static with a
 * `docker-user` (uid 1000) and `/home/docker-user`, made into images with
 * `docker import`. Used by the end-to-end tests and the benchmark.
 *
 * @module
 */

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
    for (const tag of tags) {
      await run("docker", [
        "import",
        "--change",
        "ENV PATH=/bin",
        "--change",
        `ENV BUILT_TAG=${tag}`,
        tarball,
        `${repository}:${tag}`,
      ]);
    }
  } finally {
    await Deno.remove(tarball).catch(() => {});
  }
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
    const applets = [
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
    for (const applet of applets) await Deno.symlink("busybox", `${rootfs}/bin/${applet}`);
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
