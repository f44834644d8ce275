/**
 * `deno task bench`: what run-docker adds to docker's wall time.
 *
 * Measures in one run, interleaved, on the engine at DOCKER_HOST:
 *   A  docker run --rm IMAGE:TAG true
 *   D  the docker command run-docker runs, run directly (what the conventions cost inside docker)
 *   B  run-docker IMAGE:TAG true          (dist/run-docker.js, or RUN_DOCKER_BIN)
 *   C  run-docker --dry-run IMAGE:TAG
 *   U  run-docker REG/IMAGE true          (no tag: the newest of a loopback registry's tags, which
 *                                          is already local; against A on REG/IMAGE:TAG)
 * and prints medians and ratios, with the load average. Goals: B/A ≤ 1.15; C under 100 ms;
 * U/A ≤ 1.10. U needs Debian's docker-registry (/usr/bin/docker-registry); without it, U is
 * skipped.
 *
 * Usage: deno task bench [ROUNDS] [IMAGE:TAG]   (default 15 rounds; an image is built when none is given)
 *
 * @module
 */

import { type Command, load, medians, runDockerCommand } from "./bench_util.ts";
import { buildTestImages } from "./demo_image.ts";
import { pushTags, registryAvailable, startRegistry } from "../tests/registry_fixture.ts";

const rounds = Number(Deno.args[0] ?? 15);
const TAG = "20210502-002343";
let image = Deno.args[1];
if (image === undefined) {
  image = `bench/app:${TAG}`;
  await buildTestImages("bench/app", [TAG]);
}
const home = await Deno.makeTempDir({ prefix: "run-docker-bench-" });
const env = { ...Deno.env.toObject(), HOME: home };
const registry = registryAvailable() ? await startRegistry() : undefined;
const untagged = registry === undefined ? undefined : `${registry.host}/bench/app`;
try {
  if (registry !== undefined && untagged !== undefined) {
    // The registry lists older tags and the newest, which is already local: no pull.
    await pushTags(registry, "bench/app", ["20200101-000000", "20201231-235959", TAG]);
    await buildTestImages(untagged, [TAG]);
  }
  const [program, args] = runDockerCommand(["--dry-run", image, "true"]);
  const dry = await new Deno.Command(program, { args, env, stdout: "piped" }).output();
  const cases: Record<string, Command> = {
    "docker run --rm IMAGE true": ["docker", ["run", "--rm", image, "true"]],
    "same docker run as run-docker": ["bash", ["-c", new TextDecoder().decode(dry.stdout)]],
    "run-docker IMAGE true": runDockerCommand([image, "true"]),
    "run-docker --dry-run IMAGE": runDockerCommand(["--dry-run", image]),
  };
  if (untagged !== undefined) {
    cases["docker run --rm REG/IMAGE:TAG true"] = ["docker", [
      "run",
      "--rm",
      `${untagged}:${TAG}`,
      "true",
    ]];
    cases["run-docker REG/IMAGE true"] = runDockerCommand([untagged, "true"]);
  }
  const before = load();
  const m = await medians(cases, rounds, env);
  const [docker, same, wrapped, dryRun] = Object.values(m);
  console.log(
    `rounds: ${rounds}, image: ${image}, engine: ${
      Deno.env.get("DOCKER_HOST") ?? "default"
    } (${before} → ${load()})`,
  );
  for (const [name, value] of Object.entries(m)) {
    console.log(`${name.padEnd(36)} median ${value.toFixed(1)} ms`);
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
  if (untagged !== undefined) {
    const u = m["run-docker REG/IMAGE true"] / m["docker run --rm REG/IMAGE:TAG true"];
    console.log(
      `untagged (newest tag from the registry, already local) / docker run IMAGE:TAG: ` +
        `${u.toFixed(3)} (goal ≤ 1.10: ${u <= 1.10 ? "met" : "missed"})`,
    );
    console.log(
      `the lookup (untagged − tagged run-docker): ${
        (m["run-docker REG/IMAGE true"] - wrapped).toFixed(1)
      } ms; docker doing the conventions: ${(same - docker).toFixed(1)} ms`,
    );
  } else {
    console.log("untagged case skipped: docker-registry is not installed");
  }
} finally {
  if (untagged !== undefined) {
    await new Deno.Command("docker", { args: ["rmi", "-f", `${untagged}:${TAG}`], stdout: "null" })
      .output();
  }
  await registry?.stop();
  await Deno.remove(home, { recursive: true });
}
