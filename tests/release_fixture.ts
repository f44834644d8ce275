/**
 * A fake release for tests: stub "binaries" that print a version, packaged
 * by the real release code, served on 127.0.0.1 in GitHub's layout
 * (`latest/download/<asset>`, `download/v<version>/<asset>`).
 *
 * @module
 */

import { packTar, type TarEntry } from "modern-tar";
import { TARGETS } from "../scripts/compile.ts";
import { packageRelease, sha256File } from "../scripts/release.ts";

/** Packages stub binaries that print `run-docker <version> (stub)` into `out`. */
export async function stubRelease(version: string, out: string, epoch = 1_700_000_000) {
  const bin = await Deno.makeTempDir({ prefix: "run-docker-stub-" });
  const binaries: Record<string, string> = {};
  for (const target of TARGETS) {
    const path = `${bin}/run-docker-${target}`;
    await Deno.writeTextFile(path, `#!/bin/sh\necho "run-docker ${version} (stub)"\n`, {
      mode: 0o755,
    });
    binaries[target] = path;
  }
  const assets = await packageRelease(binaries, { version, out, epoch });
  await Deno.remove(bin, { recursive: true });
  return assets;
}

/** What a hostile archive's `run-docker` entry is, or which extra entry it carries. */
export type Hostile =
  | "symlink"
  | "hardlink"
  | "fifo"
  | "dotdot"
  | "absolute"
  | "twice"
  | "page-symlink";

/**
 * Writes `run-docker-<target>.tar.gz` into `out` with a matching `SHA256SUMS`: a
 * tampered release whose checksum is right. `link` is where a link entry points.
 */
export async function hostileArchive(
  out: string,
  target: string,
  kind: Hostile,
  link: string,
): Promise<string> {
  const top = `run-docker-${target}`;
  const stub = '#!/bin/sh\necho "run-docker 1.1.0 (stub)"\n';
  const binary: TarEntry = {
    header: { name: `${top}/run-docker`, size: stub.length, mode: 0o755 },
    body: stub,
  };
  const entries: TarEntry[] = [
    { header: { name: `${top}/`, type: "directory", size: 0 } },
    { header: { name: `${top}/VERSION`, size: 6 }, body: "1.1.0\n" },
  ];
  const special = (type: "symlink" | "link" | "fifo"): TarEntry => ({
    header: { name: `${top}/run-docker`, type, size: 0, linkname: link, mode: 0o755 },
  });
  if (kind === "symlink") entries.push(special("symlink"));
  if (kind === "hardlink") entries.push(special("link"));
  if (kind === "fifo") entries.push(special("fifo"));
  if (kind === "dotdot") entries.push({ header: { name: `${top}/../escaped`, size: 0 } }, binary);
  if (kind === "absolute") entries.push({ header: { name: link, size: 0 } }, binary);
  if (kind === "twice") entries.push(binary, binary);
  if (kind === "page-symlink") {
    // The binary is fine; the manual page is a link to a file of the host.
    entries.push(binary, {
      header: { name: `${top}/run-docker.1`, type: "symlink", size: 0, linkname: link },
    });
  }
  const gz = new Response(
    new Blob([await packTar(entries)]).stream().pipeThrough(new CompressionStream("gzip")),
  );
  const path = `${out}/${top}.tar.gz`;
  await Deno.writeFile(path, new Uint8Array(await gz.arrayBuffer()));
  await Deno.writeTextFile(`${out}/SHA256SUMS`, `${await sha256File(path)}  ${top}.tar.gz\n`);
  return path;
}

/** Answers for paths the fake release server should not take from the release folders. */
export type Overrides = Record<string, () => Response | Promise<Response>>;

/**
 * A fake release server: 1.0.0 and 1.1.0 (latest), and 6.6.6 whose SHA256SUMS lies;
 * `overrides` answers some paths (e.g. `/latest/download/latest.json`) itself.
 */
export async function withReleases(
  fn: (base: string, dir: string) => Promise<void>,
  overrides: Overrides = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-releases-" });
  for (const version of ["1.0.0", "1.1.0", "6.6.6"]) {
    await stubRelease(version, `${dir}/v${version}`);
  }
  const sums = `${dir}/v6.6.6/SHA256SUMS`;
  await Deno.writeTextFile(
    sums,
    (await Deno.readTextFile(sums)).replace(/^[0-9a-f]{8}/gm, "00000000"),
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path in overrides) return overrides[path]();
    const m = /^\/(?:latest\/download|download\/v([^/]+))\/([^/]+)$/.exec(path);
    if (m === null) return new Response("not found", { status: 404 });
    try {
      return new Response(await Deno.readFile(`${dir}/v${m[1] ?? "1.1.0"}/${m[2]}`));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, dir);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}
