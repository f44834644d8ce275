/**
 * Waiting in tests without fixed sleeps: poll a condition until a deadline,
 * and start a Deno script whose first line of output says it is ready.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Polls `check` every 50 ms until it holds or `ms` have passed; says whether it held. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Runs `deno run --allow-all --no-config SCRIPT` and waits for its first line of
 * output, which must be `ready`.
 *
 * @returns The child, and a function that stops reading its output.
 */
export async function startScript(
  script: string,
  ready: string,
): Promise<{ child: Deno.ChildProcess; done: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-config", script],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await reader.read()).value, `${ready}\n`);
  return { child, done: () => reader.cancel() };
}
