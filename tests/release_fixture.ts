/**
 * A fake release for tests: stub "binaries" that print a version, packaged
 * by the real release code, served on 127.0.0.1 in GitHub's layout
 * (`latest/download/<asset>`, `download/v<version>/<asset>`).
 *
 * @module
 */

import { TARGETS } from "../scripts/compile.ts";
import { packageRelease } from "../scripts/release.ts";

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

/** A fake release server: 1.0.0 and 1.1.0 (latest), and 6.6.6 whose SHA256SUMS lies. */
export async function withReleases(fn: (base: string, dir: string) => Promise<void>) {
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
