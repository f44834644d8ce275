/**
 * `deno task bench:tags`: listing tags against skopeo.
 *
 * Starts Debian's docker-registry on 127.0.0.1, creates a repository with
 * 10,000 tags through the API, then measures in one run, interleaved:
 *   A  skopeo list-tags --tls-verify=false docker://127.0.0.1:<port>/big
 *   B  run-docker --list-tags 127.0.0.1:<port>/big   (dist/run-docker.js, or RUN_DOCKER_BIN)
 * and prints medians and B/A. Goal: B/A ≤ 1.0.
 *
 * Usage: deno task bench:tags [ROUNDS] [TAGS]   (default 15 rounds, 10000 tags)
 *
 * @module
 */

import { PERMISSION_FLAGS } from "./permissions.ts";
import { pushTags, startRegistry } from "../tests/registry_fixture.ts";

const rounds = Number(Deno.args[0] ?? 15);
const count = Number(Deno.args[1] ?? 10_000);
const root = decodeURIComponent(new URL("..", import.meta.url).pathname);
const registry = await startRegistry();
const home = await Deno.makeTempDir({ prefix: "run-docker-bench-" });
try {
  const tags = Array.from({ length: count }, (_, i) => `2021${String(i).padStart(6, "0")}-000000`);
  const started = performance.now();
  await pushTags(registry, "big", tags, 32);
  console.log(`created ${count} tags in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const bin = Deno.env.get("RUN_DOCKER_BIN");
  const env = {
    ...Deno.env.toObject(),
    HOME: home,
    DOCKER_HOST: "unix:///nonexistent/docker.sock",
  };
  const cases: Record<string, [string, string[]]> = {
    "skopeo list-tags": ["skopeo", [
      "list-tags",
      "--tls-verify=false",
      `docker://${registry.host}/big`,
    ]],
    "run-docker --list-tags": bin
      ? [bin, ["--list-tags", `${registry.host}/big`]]
      : [Deno.execPath(), [
        "run",
        "--quiet",
        "--no-prompt",
        ...PERMISSION_FLAGS,
        `${root}dist/run-docker.js`,
        "--list-tags",
        `${registry.host}/big`,
      ]],
  };
  const samples: Record<string, number[]> = {
    "skopeo list-tags": [],
    "run-docker --list-tags": [],
  };
  const time = async ([program, args]: [string, string[]]) => {
    const start = performance.now();
    const out = await new Deno.Command(program, {
      args,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const elapsed = performance.now() - start;
    if (!out.success) throw new Error(`${program}: ${new TextDecoder().decode(out.stderr)}`);
    return elapsed;
  };
  for (const command of Object.values(cases)) await time(command); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, command] of Object.entries(cases)) samples[name].push(await time(command));
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const skopeo = median(samples["skopeo list-tags"]);
  const ours = median(samples["run-docker --list-tags"]);
  console.log(`rounds: ${rounds}, tags: ${count}`);
  console.log(`skopeo list-tags         median ${skopeo.toFixed(1)} ms`);
  console.log(`run-docker --list-tags   median ${ours.toFixed(1)} ms`);
  console.log(
    `run-docker / skopeo: ${(ours / skopeo).toFixed(3)} (goal ≤ 1.0: ${
      ours <= skopeo ? "met" : "missed"
    })`,
  );
} finally {
  await registry.stop();
  await Deno.remove(home, { recursive: true });
}
