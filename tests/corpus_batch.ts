/**
 * The attack corpus's in-process runner: `deno run <permission flags>
 * tests/corpus_batch.ts CASES.json RESULTS.json`. For each case (argv and the
 * whole environment, HOME included) it sets the environment and cwd, calls
 * main() from main.ts with stdout and stderr captured, reports a throw the way
 * main.ts's entry point does, and writes `[{code, stdout, stderr}]`.
 *
 * @module
 */

import { main } from "../main.ts";
import { formatError, RunDockerError } from "../lib/core/errors.ts";

const [input, output] = Deno.args;
const cases: { argv: string[]; env: Record<string, string> }[] = JSON.parse(
  await Deno.readTextFile(input),
);
const decoder = new TextDecoder();
let sink = { stdout: "", stderr: "" };
for (const name of ["stdout", "stderr"] as const) {
  const capture = (bytes: Uint8Array) => {
    sink[name] += decoder.decode(bytes);
    return bytes.length;
  };
  Object.defineProperty(Deno[name], "write", {
    value: (bytes: Uint8Array) => Promise.resolve(capture(bytes)),
  });
  Object.defineProperty(Deno[name], "writeSync", { value: capture });
}

const results: { code: number; stdout: string; stderr: string; ms: number }[] = [];
for (const { argv, env } of cases) {
  for (const name of Object.keys(Deno.env.toObject())) {
    if (!(name in env)) Deno.env.delete(name);
  }
  for (const [name, value] of Object.entries(env)) Deno.env.set(name, value);
  Deno.chdir(env.HOME);
  sink = { stdout: "", stderr: "" };
  let code: number;
  const started = performance.now();
  // As main.ts's entry point: a broken pipe ends quietly, anything else is one error + hint.
  try {
    code = await main(argv);
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) {
      code = 0;
    } else {
      const report = formatError(error);
      sink.stderr += report.lines.join("\n") + "\n";
      code = error instanceof RunDockerError ? error.exitCode : report.exitCode;
    }
  }
  results.push({ code, ...sink, ms: performance.now() - started });
}
await Deno.writeTextFile(output, JSON.stringify(results));
