/**
 * `deno task bench`: what run-docker adds to docker's wall time.
 *
 * Measures in one run, interleaved, on the engine at DOCKER_HOST:
 *   A  docker run --rm IMAGE:TAG true
 *   D  the docker command run-docker runs, run directly (what the conventions cost inside docker)
 *   B  run-docker IMAGE:TAG true          (dist/run-docker.js, or RUN_DOCKER_BIN)
 *   C  run-docker --dry-run IMAGE:TAG
 * and prints medians and B/A. Goals: B/A ≤ 1.15; C under 100 ms.
 *
 * Usage: deno task bench [ROUNDS] [IMAGE:TAG]   (default 15 rounds; an image is built when none is given)
 *
 * @module
 */

import { type Command, medians, runDockerCommand } from "./bench_util.ts";
import { buildTestImages } from "./demo_image.ts";

const rounds = Number(Deno.args[0] ?? 15);
let image = Deno.args[1];
if (image === undefined) {
  image = "bench/app:20210502-002343";
  await buildTestImages("bench/app", ["20210502-002343"]);
}
const home = await Deno.makeTempDir({ prefix: "run-docker-bench-" });
const env = { ...Deno.env.toObject(), HOME: home };
try {
  const [program, args] = runDockerCommand(["--dry-run", image, "true"]);
  const dry = await new Deno.Command(program, { args, env, stdout: "piped" }).output();
  const cases: Record<string, Command> = {
    "docker run --rm IMAGE true": ["docker", ["run", "--rm", image, "true"]],
    "same docker run as run-docker": ["bash", ["-c", new TextDecoder().decode(dry.stdout)]],
    "run-docker IMAGE true": runDockerCommand([image, "true"]),
    "run-docker --dry-run IMAGE": runDockerCommand(["--dry-run", image]),
  };
  const m = await medians(cases, rounds, env);
  const [docker, same, wrapped, dryRun] = Object.values(m);
  console.log(
    `rounds: ${rounds}, image: ${image}, engine: ${Deno.env.get("DOCKER_HOST") ?? "default"}`,
  );
  for (const [name, value] of Object.entries(m)) {
    console.log(`${name.padEnd(30)} median ${value.toFixed(1)} ms`);
  }
  const ratio = wrapped / docker;
  console.log(
    `run-docker / docker: ${ratio.toFixed(3)} (goal ≤ 1.15: ${ratio <= 1.15 ? "met" : "missed"})`,
  );
  console.log(
    `--dry-run median: ${dryRun.toFixed(1)} ms (goal < 100 ms: ${dryRun < 100 ? "met" : "missed"})`,
  );
  console.log(
    `of the ${(wrapped - docker).toFixed(1)} ms added: docker doing the conventions ` +
      `${(same - docker).toFixed(1)} ms, the wrapper process ${(wrapped - same).toFixed(1)} ms`,
  );
} finally {
  await Deno.remove(home, { recursive: true });
}
