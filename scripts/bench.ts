/**
 * `deno task bench`: what run-docker adds to docker's wall time.
 *
 * Measures in one run, interleaved, on the engine at DOCKER_HOST:
 *   A  docker run --rm IMAGE:TAG true
 *   B  run-docker IMAGE:TAG true          (dist/run-docker.js, or RUN_DOCKER_BIN)
 *   C  run-docker --dry-run IMAGE:TAG
 *   D  the docker command of C, run directly (what the conventions cost inside docker)
 * and prints medians and B/A. Goals: B/A ≤ 1.15; C under 100 ms.
 *
 * Usage: deno task bench [ROUNDS] [IMAGE:TAG]   (default 15 rounds; an image is built when none is given)
 *
 * @module
 */

import { PERMISSION_FLAGS } from "./permissions.ts";
import { buildTestImages } from "../tests/test_image.ts";

const rounds = Number(Deno.args[0] ?? 15);
let image = Deno.args[1];
if (image === undefined) {
  image = "bench/app:20210502-002343";
  await buildTestImages("bench/app", ["20210502-002343"]);
}
const root = decodeURIComponent(new URL("..", import.meta.url).pathname);
const home = await Deno.makeTempDir({ prefix: "run-docker-bench-" });
const env = { ...Deno.env.toObject(), HOME: home };
const bin = Deno.env.get("RUN_DOCKER_BIN");
const runDocker = (args: string[]): [string, string[]] =>
  bin ? [bin, args] : [Deno.execPath(), [
    "run",
    "--quiet",
    "--no-prompt",
    ...PERMISSION_FLAGS,
    `${root}dist/run-docker.js`,
    ...args,
  ]];

async function time([program, args]: [string, string[]]): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(program, {
    args,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  })
    .output();
  const elapsed = performance.now() - start;
  if (!output.success) {
    throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return elapsed;
}

// The docker command run-docker would run, run directly: separates what the conventions cost
// inside docker (--init, mounts, limits) from what the wrapper process costs.
const dry = await new Deno.Command(runDocker(["--dry-run", image, "true"])[0], {
  args: runDocker(["--dry-run", image, "true"])[1],
  env,
  stdout: "piped",
}).output();
const line = new TextDecoder().decode(dry.stdout).trim();
const cases: Record<string, [string, string[]]> = {
  "docker run --rm IMAGE true": ["docker", ["run", "--rm", image, "true"]],
  "same docker run as run-docker": ["bash", ["-c", line]],
  "run-docker IMAGE true": runDocker([image, "true"]),
  "run-docker --dry-run IMAGE": runDocker(["--dry-run", image]),
};
const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
try {
  for (const command of Object.values(cases)) await time(command); // warm-up: caches, page cache
  for (let round = 0; round < rounds; round++) {
    for (const [name, command] of Object.entries(cases)) samples[name].push(await time(command));
  }
} finally {
  await Deno.remove(home, { recursive: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const [docker, same, wrapped, dryRun] = Object.keys(cases).map((name) => median(samples[name]));
console.log(
  `rounds: ${rounds}, image: ${image}, engine: ${Deno.env.get("DOCKER_HOST") ?? "default"}`,
);
for (const name of Object.keys(cases)) {
  console.log(`${name.padEnd(30)} median ${median(samples[name]).toFixed(1)} ms`);
}
const ratio = wrapped / docker;
console.log(
  `run-docker / docker: ${ratio.toFixed(3)} (goal ≤ 1.15: ${ratio <= 1.15 ? "met" : "missed"})`,
);
console.log(
  `--dry-run median: ${dryRun.toFixed(1)} ms (goal < 100 ms: ${dryRun < 100 ? "met" : "missed"})`,
);
console.log(
  `of the ${(wrapped - docker).toFixed(1)} ms added: docker doing the conventions ${
    (same - docker).toFixed(1)
  } ms, ` +
    `the wrapper process ${(wrapped - same).toFixed(1)} ms`,
);
