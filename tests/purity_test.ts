/**
 * The pure core (`lib/core/`) is checked by folder, so a new file there is
 * checked without a list: `deno task check` type-checks the folder without
 * the Deno namespace (scripts/pure.json), and the lint plugin
 * (scripts/lint/pure_core.ts) refuses the clock, randomness, `Deno` and
 * imports of edge modules.
 */

import assert from "node:assert/strict";
import { runCommand } from "../scripts/run_command.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);

/** Writes `source` as a file in a temp `lib/core/` (or `lib/edge/`) and returns its path. */
async function probe(folder: "core" | "edge", source: string): Promise<[string, string]> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-purity-" });
  await Deno.mkdir(`${dir}/lib/${folder}`, { recursive: true });
  await Deno.writeTextFile(`${dir}/lib/${folder}/probe.ts`, source);
  return [dir, `${dir}/lib/${folder}/probe.ts`];
}

const FORBIDDEN: [string, string][] = [
  ["Date.now()", "export const t = Date.now();\n"],
  ["new Date() (the clock)", "export const t = new Date();\n"],
  ["Math.random", "export const r = Math.random();\n"],
  ["crypto randomness", "export const u = crypto.randomUUID();\n"],
  ["performance.now()", "export const p = performance.now();\n"],
  ["the Deno namespace", "export const e = globalThis.Deno;\n"],
  ["an import of an edge module", 'export * from "../edge/spawn.ts";\n'],
];

for (const [what, source] of FORBIDDEN) {
  Deno.test(`deno lint refuses ${what} in lib/core/, and not in lib/edge/`, async () => {
    for (const folder of ["core", "edge"] as const) {
      const [dir, file] = await probe(folder, source);
      try {
        const result = await runCommand("deno", ["lint", "--config", `${ROOT}deno.json`, file], {
          env: { ...Deno.env.toObject(), NO_COLOR: "1" },
        });
        const refused = result.stderr.includes(`${what} in the pure core`);
        assert.equal(refused, folder === "core", `${folder}: ${result.stderr}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  });
}

Deno.test("the type check of lib/core/ has no Deno namespace, no fetch and no timers", async () => {
  const [dir, file] = await probe(
    "core",
    "export const a = Deno.env.get('X');\nexport const b = fetch('http://127.0.0.1');\n" +
      "export const c = setTimeout(() => {}, 1);\nexport const d = new URL('http://x/').host;\n",
  );
  try {
    const result = await runCommand("deno", [
      "check",
      "--config",
      `${ROOT}scripts/pure.json`,
      file,
    ], { env: { ...Deno.env.toObject(), NO_COLOR: "1" } });
    assert.notEqual(result.code, 0);
    const names = [...result.stderr.matchAll(/Cannot find name '(\w+)'/g)].map((m) => m[1]);
    assert.deepEqual(names.sort(), ["Deno", "fetch", "setTimeout"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
