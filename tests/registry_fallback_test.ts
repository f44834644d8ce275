/**
 * Every registry failure falls back to the newest local image with one
 * warning naming the registry and the reason, as README promises: body
 * timeouts, endless pages and a spent budget included; the warning and
 * the `registry` field of `--list-tags --json` / `--resolve --json` never
 * hold a secret. A fake docker CLI lists the local tags; the registry is a
 * `Deno.serve` on 127.0.0.1.
 */

import assert from "node:assert/strict";
import { resolveImage, type ResolveOptions } from "../lib/edge/image.ts";
import { formatError } from "../lib/core/errors.ts";
import { parseReference } from "../lib/core/reference.ts";
import { RegistryError } from "../lib/core/registry/errors.ts";
import { NATURAL_POLICY } from "../lib/core/tags.ts";

type Timer = ReturnType<typeof setInterval>;
type Handler = (request: Request, url: URL, scene: Scene) => Response | Promise<Response>;

interface Scene {
  registry: string;
  home: string;
  /** Keeps a timer to clear when the scene ends. */
  timer(id: Timer): void;
}

/** A registry on 127.0.0.1, a HOME and a docker CLI whose `image ls` prints `localTags`. */
async function withScene(
  localTags: string[],
  handler: Handler,
  fn: (scene: Scene) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "rd-fallback-" });
  const timers: Timer[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/v2/") return new Response("{}");
    return handler(request, url, scene);
  });
  const scene: Scene = {
    registry: `127.0.0.1:${server.addr.port}`,
    home,
    timer: (id) => timers.push(id),
  };
  try {
    await Deno.writeTextFile(
      `${home}/docker`,
      `#!/bin/sh\nprintf '${localTags.map((t) => `${t}\\n`).join("")}'\n`,
      { mode: 0o755 },
    );
    await fn(scene);
  } finally {
    for (const id of timers) clearInterval(id);
    await server.shutdown();
    await Deno.remove(home, { recursive: true });
  }
}

async function resolve(
  scene: Scene,
  timeoutSeconds: number,
  env: Record<string, string> = {},
) {
  const warnings: string[] = [];
  const options: ResolveOptions = {
    engine: { program: `${scene.home}/docker` },
    policy: NATURAL_POLICY,
    local: false,
    env: { HOME: scene.home, ...env },
    registries: { [scene.registry]: { timeout_seconds: timeoutSeconds } },
    warn: (m) => warnings.push(m),
    lookupOnly: true,
  };
  const started = performance.now();
  const resolution = await resolveImage(parseReference(`${scene.registry}/app`), options);
  return { resolution, warnings, ms: performance.now() - started };
}

/** A body that sends `head` at once, then one byte every `everyMs` for ever. */
function drip(scene: Scene, head: string, everyMs: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let id: Timer | undefined;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(head));
      id = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(" "));
        } catch {
          clearInterval(id);
        }
      }, everyMs);
      scene.timer(id!);
    },
    cancel() {
      clearInterval(id);
    },
  });
}

Deno.test("a tag list dripping 1 byte per 200 ms ends in one warning and the newest local image", () =>
  withScene(
    ["1.0", "0.9"],
    (_request, _url, scene) => new Response(drip(scene, '{"tags":["', 200)),
    async (scene) => {
      const { resolution, warnings } = await resolve(scene, 1);
      const why = `registry ${scene.registry} unreachable (no answer within 1 s)`;
      assert.deepEqual(warnings, [`${why}; using the newest local image`]);
      assert.deepEqual(
        [resolution.image.tag, resolution.source, resolution.registry],
        ["1.0", "local", why],
      );
    },
  ));

Deno.test("an endless chain of Link pages ends in one warning and the newest local image", () =>
  withScene(["1.0"], (_request, url, scene) => {
    const page = Number(url.searchParams.get("page") ?? 0);
    // Each page comes slowly, so the budget mostly runs out while a body is read.
    return new Response(drip(scene, `{"tags":["p${page}"]}`, 100).pipeThrough(firstBytes(20)), {
      headers: { link: `</v2/app/tags/list?page=${page + 1}>; rel="next"` },
    });
  }, async (scene) => {
    const { resolution, warnings, ms } = await resolve(scene, 1);
    const why = `registry ${scene.registry} unreachable (no answer within 1 s)`;
    assert.deepEqual(warnings, [`${why}; using the newest local image`]);
    assert.deepEqual([resolution.image.tag, resolution.registry], ["1.0", why]);
    assert.ok(ms < 2000, `${ms} ms`);
  }));

Deno.test("without a local image, a spent budget is a one-line registry error, not a bug", () =>
  withScene(
    [],
    (_request, _url, scene) => new Response(drip(scene, '{"tags":["', 200)),
    async (scene) => {
      await assert.rejects(resolve(scene, 1), (e: unknown) => {
        assert.ok(e instanceof RegistryError, String(e));
        assert.deepEqual(formatError(e).lines, [
          `run-docker: error: registry ${scene.registry} gave no complete answer within the lookup's 1 s`,
          `hint: check the network or the registry, raise registries.${scene.registry}.timeout_seconds, or run with --local`,
        ]);
        return true;
      });
    },
  ));

Deno.test("a 503 with a Retry-After longer than the budget has left is not waited for", () =>
  withScene(["1.0"], async () => {
    await new Promise((r) => setTimeout(r, 600)); // the registry thinks for 0.6 s
    return new Response("busy", { status: 503, headers: { "retry-after": "1" } });
  }, async (scene) => {
    const { resolution, warnings, ms } = await resolve(scene, 1);
    const why = `registry ${scene.registry} unreachable (answered the request with 503)`;
    assert.deepEqual(warnings, [`${why}; using the newest local image`]);
    assert.equal(resolution.image.tag, "1.0");
    assert.ok(ms < 1150, `the lookup took ${Math.round(ms)} ms of its 1,000`);
  }));

Deno.test("the warning and the JSON registry field hold no form of the credential", () =>
  withScene(["1.0"], (request) => {
    if (request.headers.get("authorization") === null) {
      return new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } });
    }
    const sent = request.headers.get("authorization")!.slice("Basic ".length);
    return Response.json(
      { errors: [{ code: "UNSUPPORTED", message: `cannot use ${sent}\u0085 here` }] },
      { status: 400 },
    );
  }, async (scene) => {
    const auth = btoa("alice:s3cret-pw");
    await Deno.writeTextFile(
      `${scene.home}/config.json`,
      JSON.stringify({ auths: { [scene.registry]: { auth } } }),
    );
    const { resolution, warnings } = await resolve(scene, 5, { DOCKER_CONFIG: scene.home });
    const why =
      `registry ${scene.registry} unreachable (answered the request with 400 UNSUPPORTED: cannot use [REDACTED] here)`;
    assert.deepEqual(warnings, [`${why}; using the newest local image`]);
    assert.equal(resolution.registry, why);
  }));

/** Passes on the first `n` bytes, then ends the stream. */
function firstBytes(n: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      if (seen >= n) return;
      controller.enqueue(chunk.subarray(0, n - seen));
      seen += chunk.length;
      if (seen >= n) controller.terminate();
    },
  });
}
