/**
 * `deno task bundle`: builds `dist/run-docker.js` (one file, no network
 * needed) and `dist/run-docker.sh`, a launcher that runs it with the permission
 * flags of {@link PERMISSION_FLAGS}, the same the compiled binary gets.
 *
 * @module
 */

import { PERMISSION_FLAGS } from "./permissions.ts";

const root = decodeURIComponent(new URL("..", import.meta.url).pathname);
const dist = `${root}dist`;
await Deno.mkdir(dist, { recursive: true });
const bundle = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--quiet",
    "--minify", // ~5 ms less start-up per run; run-docker never shows a stack trace
    // "browser" picks npm packages' ESM builds: yaml's Node build makes the bundle load
    // Node compatibility (createRequire) at start-up, ~40 ms on every run.
    "--platform",
    "browser",
    "--output",
    `${dist}/run-docker.js`,
    `${root}main.ts`,
  ],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!bundle.success) Deno.exit(bundle.code);

const quoted = PERMISSION_FLAGS.map((f) => `'${f}'`).join(" ");
await Deno.writeTextFile(
  `${dist}/run-docker.sh`,
  // DENO_NO_UPDATE_CHECK: deno would otherwise look for a newer deno on the network, even with --local.
  `#!/bin/sh\nself=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")\n` +
    `DENO_NO_UPDATE_CHECK=1 exec deno run --quiet ${quoted} "$(dirname "$self")/run-docker.js" "$@"\n`,
  { mode: 0o755 },
);
console.log(`built ${dist}/run-docker.js and ${dist}/run-docker.sh`);
