/**
 * `deno task bench:tags`: listing tags against skopeo.
 *
 * 1. At TAGS tags (default 10,000) on Debian's docker-registry on 127.0.0.1 (the repository
 *    filled through the API), in one run, interleaved:
 *      A  skopeo list-tags --tls-verify=false docker://127.0.0.1:<port>/big
 *      B  run-docker --list-tags 127.0.0.1:<port>/big   (dist/run-docker.js, or RUN_DOCKER_BIN)
 *    medians and B/A. Goal: B/A ≤ 1.0 (aim 0.8).
 * 2. Growth, 1k → 1M tags: a fake registry (a TCP listener on 127.0.0.1 in this process that
 *    answers `/v2/` and one page of tags, and a TLS hello with a plain-http 400 at once, as
 *    docker-registry does, so skopeo's https attempt fails as fast; filling docker-registry with
 *    1M tags through its API would take hours) and per size both tools' median time and peak
 *    memory (GNU time's maximum RSS), with the ratios. Goals: time ≤ skopeo's, memory ≤ 2×.
 *
 * The engine is the one at DOCKER_HOST (its local images of the repository: none), as a user
 * has one; with none, run-docker's engine question fails fast and is a warning. Every figure is
 * printed with the 1-minute load average: the machine may be shared.
 *
 * Usage: deno task bench:tags [ROUNDS] [TAGS] [GROWTH]
 *   (default 15 rounds, 10000 tags, growth sizes 1000,10000,100000,1000000; GROWTH `none` skips)
 *
 * @module
 */

import { type Command, load, measure, runDockerCommand } from "./bench_util.ts";
import { pushTags, registryAvailable, startRegistry } from "../tests/registry_fixture.ts";

const rounds = Number(Deno.args[0] ?? 15);
const count = Number(Deno.args[1] ?? 10_000);
const growth = (Deno.args[2] ?? "1000,10000,100000,1000000") === "none"
  ? []
  : (Deno.args[2] ?? "1000,10000,100000,1000000").split(",").map(Number);

/** `count` date-stamp tags, as run-docker's projects tag their images. */
const stamps = (n: number) =>
  Array.from({ length: n }, (_, i) => `2021${String(i).padStart(7, "0")}-000000`);

const home = await Deno.makeTempDir({ prefix: "run-docker-bench-" });
const env = { ...Deno.env.toObject(), HOME: home };
const cases = (host: string): Record<string, Command> => ({
  "skopeo list-tags": ["skopeo", ["list-tags", "--tls-verify=false", `docker://${host}/big`]],
  "run-docker --list-tags": runDockerCommand(["--list-tags", `${host}/big`]),
});
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const mib = (kib?: number) => kib === undefined ? "?" : `${(kib / 1024).toFixed(1)} MiB`;

try {
  console.log(`engine: ${Deno.env.get("DOCKER_HOST") ?? "default"}`);
  if (registryAvailable() && count > 0) {
    const registry = await startRegistry();
    try {
      const started = performance.now();
      await pushTags(registry, "big", stamps(count), 32);
      console.log(
        `docker-registry: created ${count} tags in ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s`,
      );
      const before = load();
      const m = await measure(cases(registry.host), rounds, env);
      const [skopeo, ours] = Object.values(m).map((x) => x.ms);
      console.log(`rounds: ${rounds}, tags: ${count} (${before} → ${load()})`);
      for (const [name, value] of Object.entries(m)) {
        console.log(`${name.padEnd(24)} median ${fmt(value.ms)}`);
      }
      console.log(
        `run-docker / skopeo: ${(ours / skopeo).toFixed(3)} (goal ≤ 1.0: ${
          ours <= skopeo ? "met" : "missed"
        })`,
      );
    } finally {
      await registry.stop();
    }
  } else if (count > 0) {
    console.log("docker-registry not installed (/usr/bin/docker-registry): part 1 skipped");
  }

  if (growth.length > 0) {
    console.log("\ngrowth (fake registry: a TCP listener here, one page of date-stamp tags):");
    console.log(
      "tags     | skopeo time | run-docker time | ratio | skopeo peak | run-docker peak | ratio | load",
    );
    for (const n of growth) {
      const server = fakeRegistry(JSON.stringify({ name: "big", tags: stamps(n) }));
      try {
        const before = load();
        const m = await measure(
          cases(`127.0.0.1:${server.port}`),
          n >= 1_000_000 ? Math.min(rounds, 5) : rounds,
          env,
          { peak: true },
        );
        const [skopeo, ours] = Object.values(m);
        console.log(
          [
            String(n).padEnd(8),
            fmt(skopeo.ms).padStart(11),
            fmt(ours.ms).padStart(15),
            (ours.ms / skopeo.ms).toFixed(2).padStart(5),
            mib(skopeo.peakKiB).padStart(11),
            mib(ours.peakKiB).padStart(15),
            (skopeo.peakKiB && ours.peakKiB ? (ours.peakKiB / skopeo.peakKiB).toFixed(2) : "?")
              .padStart(5),
            `${before} → ${load()}`,
          ].join(" | "),
        );
      } finally {
        server.close();
      }
    }
  }
} finally {
  await Deno.remove(home, { recursive: true });
}

/**
 * A registry that lists `body` as the tags of `big`: plain HTTP/1.1 on 127.0.0.1, one answer per
 * connection; a TLS hello gets a plain-http 400 at once (as Go's server answers).
 */
function fakeRegistry(body: string): { port: number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const encoder = new TextEncoder();
  const tags = encoder.encode(body);
  const answer = async (conn: Deno.Conn) => {
    try {
      const buffer = new Uint8Array(16384);
      let head = "";
      while (!head.includes("\r\n\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) return;
        if (head === "" && buffer[0] === 0x16) {
          await conn.write(encoder.encode("HTTP/1.0 400 Bad Request\r\n\r\n"));
          return;
        }
        head += new TextDecoder().decode(buffer.subarray(0, n));
      }
      const [method, target] = head.split(" ");
      const path = target.split("?")[0];
      const [status, payload] = path === "/v2/"
        ? ["200 OK", encoder.encode("{}")]
        : path === "/v2/big/tags/list"
        ? ["200 OK", tags]
        : ["404 Not Found", encoder.encode('{"errors":[{"code":"NAME_UNKNOWN"}]}')];
      await conn.write(encoder.encode(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
      ));
      if (method !== "HEAD") {
        for (let at = 0; at < payload.length;) at += await conn.write(payload.subarray(at));
      }
    } catch {
      // the client went away
    } finally {
      try {
        conn.close();
      } catch {
        // closed
      }
    }
  };
  (async () => {
    try {
      for await (const conn of listener) answer(conn);
    } catch {
      // closed
    }
  })();
  return { port: (listener.addr as Deno.NetAddr).port, close: () => listener.close() };
}
