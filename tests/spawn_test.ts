/**
 * The one spawner: no module in lib/ but `lib/edge/spawn.ts` starts a process or
 * ends run-docker, and a stop signal runs what {@link onStop} was given.
 *
 * @module
 */

import { startScript } from "./poll.ts";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const LIB = fileURLToPath(new URL("../lib/", import.meta.url));

/** `lib/` files (relative) whose code (comments left out) matches `pattern`. */
function libFilesWith(pattern: RegExp, dir = LIB, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of [...Deno.readDirSync(dir)].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory) found.push(...libFilesWith(pattern, `${dir}${entry.name}/`, `${name}/`));
    else if (entry.name.endsWith(".ts")) {
      const code = Deno.readTextFileSync(`${dir}${entry.name}`)
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      if (pattern.test(code)) found.push(name);
    }
  }
  return found;
}

Deno.test("only lib/edge/spawn.ts starts a process (Deno.Command, Deno.run)", () => {
  assert.deepEqual(libFilesWith(/\bDeno\s*\.\s*(Command|run)\b|\bnode:child_process\b/), [
    "edge/spawn.ts",
  ]);
});

Deno.test("only lib/edge/spawn.ts ends run-docker (Deno.exit)", () => {
  assert.deepEqual(libFilesWith(/\bDeno\s*\.\s*exit\b/), ["edge/spawn.ts"]);
});

Deno.test("onStop(): a stop signal runs the cleanup, then run-docker ends with 128+N", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-onstop-" });
  const script = `${dir}/stop.ts`;
  await Deno.writeTextFile(
    script,
    `import { onStop } from ${
      JSON.stringify(new URL("../lib/edge/spawn.ts", import.meta.url).href)
    };
const forgotten = onStop(() => Deno.writeTextFileSync(${JSON.stringify(`${dir}/forgotten`)}, ""));
forgotten();
onStop(() => Deno.writeTextFileSync(${JSON.stringify(`${dir}/cleaned`)}, "yes"));
console.log("ready");
setTimeout(() => {}, 60_000);
`,
  );
  try {
    const { child, done } = await startScript(script, "ready");
    child.kill("SIGTERM");
    await done();
    const status = await child.status;
    assert.deepEqual({ code: status.code, signal: status.signal }, { code: 143, signal: null });
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["cleaned", "stop.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
