/**
 * The engine's API on its unix socket (issue 13): local tags, image inspect, `info` and the
 * `oom` event asked without a CLI process, against a fake engine (`Deno.serve` on a unix socket
 * in a temp dir); the CLI as fallback when the socket cannot be reached; errors as the CLI's;
 * which socket an engine has; HTTP/1.1 answers parsed whole and defensively.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Engine } from "../lib/edge/engine.ts";
import { withApiSocket } from "../lib/edge/engine_api.ts";
import {
  diagnoseRunFailure,
  engineInfo,
  listLocalImages,
  listLocalTags,
  localImageId,
  localRepoDigests,
} from "../lib/edge/engine_images.ts";
import { oomKilled } from "../lib/edge/engine_queries.ts";
import { MalformedResponse, parseResponse } from "../lib/edge/http1.ts";
import { formatError } from "../lib/core/errors.ts";

const DOCKER = { kind: "docker", rootless: false } as const;

/**
 * Runs `fn` with a fake engine API on a unix socket in a temp dir, and an engine whose CLI is
 * missing (any CLI run would fail with "docker CLI not found").
 */
async function withFakeEngine(
  handler: (url: URL) => Response,
  fn: (engine: Engine, requests: string[], dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rd-engine-api-" });
  const requests: string[] = [];
  const server = Deno.serve({ path: `${dir}/docker.sock`, onListen() {} }, (request) => {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    return handler(url);
  });
  try {
    await fn(
      { program: `${dir}/no-cli`, kind: DOCKER, socket: `${dir}/docker.sock` },
      requests,
      dir,
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

const IMAGES = [
  { Id: "sha256:1", RepoTags: ["acme/app:2.0", "acme/app-prod:9", "other:1"], RepoDigests: [] },
  { Id: "sha256:2", RepoTags: ["acme/app:1.0", "acme/app:<none>"], RepoDigests: [] },
  { Id: "sha256:3", RepoTags: null, RepoDigests: ["acme/app@sha256:ab"] },
  { Id: "sha256:4", RepoTags: ["<none>:<none>"], RepoDigests: null },
];

Deno.test("listLocalTags() asks the engine's socket, not the CLI, with a reference filter", () =>
  withFakeEngine(() => Response.json(IMAGES), async (engine, requests) => {
    assert.deepEqual(await listLocalTags(engine, "acme/app"), ["2.0", "1.0"]);
    assert.deepEqual(requests, [
      `GET /images/json?filters=${encodeURIComponent('{"reference":["acme/app"]}')}`,
    ]);
    assert.deepEqual(await listLocalImages(engine), [
      "acme/app:2.0",
      "acme/app-prod:9",
      "other:1",
      "acme/app:1.0",
      "acme/app:<none>",
      "acme/app:<none>",
      "<none>:<none>",
    ]);
  }));

Deno.test("listLocalTags(): an engine's error answer is the CLI's one error", () =>
  withFakeEngine(
    () => Response.json({ message: "boom\nmore" }, { status: 500 }),
    async (engine) => {
      const error = await listLocalTags(engine, "acme/app").catch((e) => e);
      assert.deepEqual(formatError(error).lines, [
        "run-docker: error: listing local images failed: Error response from daemon: boom",
        "hint: check that the engine works: docker info",
      ]);
    },
  ));

Deno.test("listLocalTags(): docker's socket unreachable is the CLI's error, without the CLI", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rd-engine-api-" });
  try {
    const program = `${dir}/no-cli`;
    const endpoint = `unix://${dir}/gone.sock`;
    // No such socket; a file that is not a socket (refused).
    for (const socket of [`${dir}/gone.sock`, Deno.execPath()]) {
      const engine = { program, kind: DOCKER, endpoint, socket };
      const error = await listLocalTags(engine, "acme/app").catch((e) => e);
      assert.deepEqual(formatError(error).lines.map((l) => l.replaceAll(dir, "DIR")), [
        "run-docker: error: cannot connect to the Docker engine at unix://DIR/gone.sock",
        "hint: start the engine (e.g. sudo systemctl start docker), or check DOCKER_HOST and 'docker context ls'",
      ]);
      assert.deepEqual(await localRepoDigests(engine, "acme/app:1"), []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listLocalTags(): podman's API service not running: the CLI answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rd-engine-api-" });
  try {
    const program = `${dir}/podman`;
    await Deno.writeTextFile(program, "#!/bin/sh\nprintf '3.0\\n'\n", { mode: 0o755 });
    const kind = { kind: "podman", rootless: true } as const;
    const engine = { program, kind, socket: `${dir}/podman.sock` };
    assert.deepEqual(await listLocalTags(engine, "docker.io/acme/app"), ["3.0"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listLocalTags(): a socket that never answers is the engine's timeout, not the CLI's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rd-engine-api-" });
  const listener = Deno.listen({ transport: "unix", path: `${dir}/docker.sock` });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const engine = {
      program: `${dir}/no-cli`,
      kind: DOCKER,
      socket: `${dir}/docker.sock`,
      timeoutSeconds: 0.3,
    };
    const error = await listLocalTags(engine, "acme/app").catch((e) => e);
    assert.deepEqual(formatError(error).lines, [
      "run-docker: error: the Docker engine did not answer in 0.3 s (docker image ls)",
      "hint: check that the engine is healthy: docker info",
    ]);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listLocalTags(): an answer that is not a list of images falls back to the CLI", () =>
  withFakeEngine(() => new Response("not json"), async (engine) => {
    const error = await listLocalTags(engine, "acme/app").catch((e) => e);
    assert.match(formatError(error).lines[0], /docker CLI not found/);
  }));

Deno.test("image inspect, digests, info and the oom event go to the socket", () =>
  withFakeEngine((url) => {
    if (url.pathname === "/images/acme/app:1.0/json") {
      return Response.json({ Id: "sha256:1", RepoDigests: ["acme/app@sha256:ab", 7] });
    }
    if (url.pathname.startsWith("/images/")) {
      return Response.json({ message: "No such image" }, { status: 404 });
    }
    if (url.pathname === "/info") return Response.json({ Runtimes: { nvidia: {} } });
    if (url.pathname === "/events") {
      const filters = JSON.parse(url.searchParams.get("filters")!);
      const oom = filters.container[0] === "c1";
      return new Response(
        `{"Type":"container","Action":"start"}\n${oom ? '{"Action":"oom"}\n' : ""}`,
      );
    }
    return new Response("", { status: 404 });
  }, async (engine, requests) => {
    assert.equal(await localImageId(engine, "acme/app:1.0"), "sha256:1");
    assert.equal(await localImageId(engine, "acme/app:9"), undefined);
    assert.deepEqual(await localRepoDigests(engine, "acme/app:1.0"), ["acme/app@sha256:ab"]);
    assert.deepEqual(await localRepoDigests(engine, "acme/app:9"), []);
    assert.equal(await diagnoseRunFailure(engine, "acme/app:1.0", false), undefined);
    assert.deepEqual(formatError(await diagnoseRunFailure(engine, "acme/app:9", true)).lines, [
      "run-docker: error: image acme/app:9 is not local",
      "hint: --local never pulls: run without --local, or 'docker load' the image first",
    ]);
    assert.deepEqual(await engineInfo(engine), { Runtimes: { nvidia: {} } });
    const span = { since: 1_700_000_000_000, until: 1_700_000_001_500 };
    assert.equal(await oomKilled(engine, "c1", span), true);
    assert.equal(await oomKilled(engine, "c2", span), false);
    assert.ok(
      requests.includes(
        `GET /events?since=1700000000.000&until=1700000001.500&filters=${
          encodeURIComponent('{"container":["c1"],"event":["oom"]}')
        }`,
      ),
      requests.join("\n"),
    );
  }));

Deno.test("withApiSocket(): a local unix socket of docker's or podman's own CLI; else the CLI", () => {
  const docker = { program: "docker", kind: DOCKER };
  const podman = (rootless: boolean) => ({
    program: "podman",
    kind: { kind: "podman", rootless } as const,
  });
  const cases: [string, Engine, Record<string, string>, string, string | undefined][] = [
    ["default endpoint", docker, {}, "linux", "/var/run/docker.sock"],
    ["DOCKER_HOST unix", { ...docker, endpoint: "unix:///tmp/d.sock" }, {}, "linux", "/tmp/d.sock"],
    ["DOCKER_HOST tcp", { ...docker, endpoint: "tcp://127.0.0.1:2375" }, {}, "linux", undefined],
    ["ssh", { ...docker, endpoint: "ssh://me@build-1" }, {}, "linux", undefined],
    [
      "context with a unix endpoint",
      { ...docker, endpoint: "unix:///run/user/1000/docker.sock", context: ctx("rootless") },
      {},
      "linux",
      "/run/user/1000/docker.sock",
    ],
    ["context without an endpoint", { ...docker, context: ctx("gone") }, {}, "linux", undefined],
    ["windows", docker, {}, "windows", undefined],
    [
      "rootless podman",
      podman(true),
      { XDG_RUNTIME_DIR: "/run/user/1000" },
      "linux",
      "/run/user/1000/podman/podman.sock",
    ],
    ["rootless podman, no runtime dir", podman(true), {}, "linux", undefined],
    ["rootful podman", podman(false), {}, "linux", "/run/podman/podman.sock"],
    [
      "podman CONTAINER_HOST",
      podman(false),
      { CONTAINER_HOST: "unix:///tmp/p.sock" },
      "linux",
      "/tmp/p.sock",
    ],
    ["podman remote", podman(false), { CONTAINER_HOST: "ssh://h/run/p.sock" }, "linux", undefined],
  ];
  for (const [name, engine, env, os, socket] of cases) {
    assert.equal(withApiSocket(engine, env, os, () => true).socket, socket, name);
  }
  // A wrapper script as the CLI (`sudo docker "$@"`): every question goes through it.
  assert.equal(withApiSocket(docker, {}, "linux", () => false).socket, undefined);
  assert.equal(
    withApiSocket({ ...docker, program: "/nowhere/docker" }, {}, "linux").socket,
    undefined,
  );
});

function ctx(name: string) {
  return { name, from: "DOCKER_CONTEXT" as const };
}

Deno.test("parseResponse() reads Content-Length, chunks, HEAD, 1xx; refuses what is not HTTP", () => {
  const parse = (text: string, method?: string) => {
    const r = parseResponse(new TextEncoder().encode(text), method);
    return [r.status, new TextDecoder().decode(r.body), r.headers];
  };
  assert.deepEqual(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\n[]junk"), [
    200,
    "[]",
    [["content-length", "2"], ["x-a", "b"]],
  ]);
  assert.deepEqual(
    parse(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked" +
        "\r\n\r\n3;x=y\r\nabc\r\n1\r\nd\r\n0\r\n\r\n",
    ),
    [404, "abcd", [["transfer-encoding", "chunked"]]],
  );
  assert.deepEqual(parse("HTTP/1.0 200 OK\r\n\r\nto the end"), [200, "to the end", []]);
  assert.deepEqual(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "HEAD"), [200, "", [[
    "content-length",
    "9",
  ]]]);
  for (
    const bad of [
      "SSH-2.0-OpenSSH\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nab",
      "HTTP/1.1 200 OK",
    ]
  ) {
    assert.throws(() => parse(bad), MalformedResponse, JSON.stringify(bad));
  }
});
