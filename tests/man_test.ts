/**
 * The manual page (`deno task man` → `dist/run-docker.1`): generated from the option table and
 * README's reference sections, rendered by groff without a warning.
 */

import assert from "node:assert/strict";
import { helpRows } from "../lib/core/help.ts";
import { KEY_KINDS } from "../lib/core/config/schema.ts";
import { manPage } from "../scripts/man.ts";
import { runCommand } from "../scripts/run_command.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const README = await Deno.readTextFile(`${ROOT}README.md`);

/** groff's rendering of a page as plain text (no overstrikes), and what it warned. */
async function render(page: string): Promise<{ text: string; warnings: string }> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/run-docker.1`, page);
    const strict = await runCommand("groff", ["-ww", "-man", "-Tutf8", `${dir}/run-docker.1`]);
    assert.equal(strict.code, 0, strict.stderr);
    const plain = await runCommand("groff", ["-man", "-Tutf8", "-P-cbou", `${dir}/run-docker.1`]);
    return { text: plain.stdout, warnings: strict.stderr };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno task man writes dist/run-docker.1, which groff -ww -man renders without a warning", async () => {
  const task = await runCommand(Deno.execPath(), ["task", "man"], { cwd: ROOT });
  assert.equal(task.code, 0, task.stderr);
  const page = await Deno.readTextFile(`${ROOT}dist/run-docker.1`);
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(page, manPage(README, config.version));
  const { warnings } = await render(page);
  assert.equal(warnings, "");
});

Deno.test("manPage() has every option of the table and README's keys, variables, exit codes and files", async () => {
  const { text, warnings } = await render(manPage(README, "9.9.9"));
  assert.equal(warnings, "");
  // One line per entry: the text groff wraps is joined back.
  const flat = text.replace(/\s+/g, " ");
  for (const section of ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "CONFIGURATION"]) {
    assert.match(text, new RegExp(`^${section}$`, "m"));
  }
  for (const section of ["ENVIRONMENT", "EXIT STATUS", "FILES", "SEE ALSO"]) {
    assert.match(text, new RegExp(`^${section}$`, "m"));
  }
  for (const [left, right] of helpRows()) {
    assert.ok(flat.includes(left), `option ${left}`);
    assert.ok(flat.includes(right.replaceAll("`", "").slice(0, 30)), `help of ${left}`);
  }
  for (const key of Object.keys(KEY_KINDS)) assert.match(text, new RegExp(`^ {7}${key}\\b`, "m"));
  for (const name of ["RUN_DOCKER_ENGINE", "RUN_DOCKER_CONFIG", "DOCKER_HOST"]) {
    assert.match(text, new RegExp(`^ {7}${name}$`, "m"));
  }
  assert.match(flat, /125 run-docker or docker run itself failed/);
  assert.match(flat, /\/etc\/run-docker\/config\.yaml the system configuration/);
  assert.match(flat, /run-docker 9\.9\.9/);
  assert.ok(!flat.includes("--complete-images"), "hidden options stay hidden");
});
