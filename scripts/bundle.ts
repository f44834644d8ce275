/**
 * `deno task bundle`: builds `dist/run-docker.js` (with its lazily loaded
 * chunks beside it; no network needed) and `dist/run-docker.sh`, a launcher that runs it with the permission
 * flags of `PERMISSION_FLAGS` (scripts/permissions.ts), the same the compiled binary gets.
 *
 * @module
 */

import { launcherScript } from "./permissions.ts";

const root = decodeURIComponent(new URL("..", import.meta.url).pathname);
const dist = `${root}dist`;
await Deno.mkdir(dist, { recursive: true });
// Code splitting keeps yaml and semver (loaded only when used) out of what every run parses.
const out = await Deno.makeTempDir({ dir: dist, prefix: ".bundle-" });
const bundle = await new Deno.Command(Deno.execPath(), {
  args: [
    "bundle",
    "--quiet",
    "--minify", // ~5 ms less start-up per run; run-docker never shows a stack trace
    // "browser" picks npm packages' ESM builds: yaml's Node build makes the bundle load
    // Node compatibility (createRequire) at start-up, ~40 ms on every run.
    "--platform",
    "browser",
    "--code-splitting",
    "--outdir",
    out,
    `${root}main.ts`,
  ],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!bundle.success) {
  await Deno.remove(out, { recursive: true });
  Deno.exit(bundle.code);
}
for (const entry of Deno.readDirSync(dist)) {
  if (entry.isFile && entry.name.endsWith(".js")) await Deno.remove(`${dist}/${entry.name}`);
}
for (const entry of Deno.readDirSync(out)) {
  const target = `${dist}/${entry.name === "main.js" ? "run-docker.js" : entry.name}`;
  // Deno loads every module a literal `import("./x.js")` names, and node: built-ins with them,
  // before the program starts (its module graph), even when the import never runs: the
  // lazily loaded chunks (yaml, semver, zip, Kubernetes models …) would be read and compiled on
  // every run. An expression it does not follow keeps them lazy.
  const code = await Deno.readTextFile(`${out}/${entry.name}`);
  await Deno.writeTextFile(target, code.replace(/\bimport\(("[^"]+")\)/g, "import([$1][0])"));
  await Deno.remove(`${out}/${entry.name}`);
}
await Deno.remove(out);

await Deno.writeTextFile(`${dist}/run-docker.sh`, launcherScript(), { mode: 0o755 });
console.log(`built ${dist}/run-docker.js and ${dist}/run-docker.sh`);
