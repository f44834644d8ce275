/**
 * `deno task bench:tags`: listing tags against skopeo.
 *
 * Starts Debian's docker-registry on 127.0.0.1, creates a repository with
 * 10,000 tags through the API, then measures in one run, interleaved:
 *   A  skopeo list-tags --tls-verify=false docker://127.0.0.1:<port>/big
 *   B  run-docker --list-tags 127.0.0.1:<port>/big   (dist/run-docker.js, or RUN_DOCKER_BIN)
 * and prints medians and B/A. Goal: B/A ≤ 1.0. No engine is used (local tags: none).
 *
 * Usage: deno task bench:tags [ROUNDS] [TAGS]   (default 15 rounds, 10000 tags)
 *
 * @module
 */

import { medians, runDockerCommand } from "./bench_util.ts";
import { pushTags, startRegistry } from "../tests/registry_fixture.ts";

const rounds = Number(Deno.args[0] ?? 15);
const count = Number(Deno.args[1] ?? 10_000);
const registry = await startRegistry();
const home = await Deno.makeTempDir({ prefix: "run-docker-bench-" });
try {
  const tags = Array.from({ length: count }, (_, i) => `2021${String(i).padStart(6, "0")}-000000`);
  const started = performance.now();
  await pushTags(registry, "big", tags, 32);
  console.log(`created ${count} tags in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const env = {
    ...Deno.env.toObject(),
    HOME: home,
    DOCKER_HOST: "unix:///nonexistent/docker.sock",
  };
  const m = await medians(
    {
      "skopeo list-tags": ["skopeo", [
        "list-tags",
        "--tls-verify=false",
        `docker://${registry.host}/big`,
      ]],
      "run-docker --list-tags": runDockerCommand(["--list-tags", `${registry.host}/big`]),
    },
    rounds,
    env,
  );
  const [skopeo, ours] = Object.values(m);
  console.log(`rounds: ${rounds}, tags: ${count}`);
  for (const [name, value] of Object.entries(m)) {
    console.log(`${name.padEnd(24)} median ${value.toFixed(1)} ms`);
  }
  console.log(
    `run-docker / skopeo: ${(ours / skopeo).toFixed(3)} (goal ≤ 1.0: ${
      ours <= skopeo ? "met" : "missed"
    })`,
  );
} finally {
  await registry.stop();
  await Deno.remove(home, { recursive: true });
}
