/**
 * A plain-http loopback registry (issue 13): asked in plain http alone, so no TLS connection
 * is tried (nor the CA store read, which `fetch` does on first use); the requests go through
 * run-docker's own HTTP/1.1 client (`withPlainLoopback`), never `fetch`: pages, `Link`, `HEAD`,
 * a redirect.
 *
 * @module
 */

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/edge/registry/client.ts";
import { withPlainLoopback } from "../lib/edge/registry/plain_http.ts";
import type { Fetch } from "../lib/edge/registry/transport.ts";

Deno.test("RegistryClient: a loopback registry that answers plain http gets no https request", async () => {
  const urls: string[] = [];
  const fake: Fetch = (input) => {
    urls.push(input);
    if (input.startsWith("https:")) return Promise.reject(new TypeError("tls handshake eof"));
    if (input.endsWith("/v2/")) return Promise.resolve(new Response("{}"));
    return Promise.resolve(Response.json({ name: "app", tags: ["1", "2"] }));
  };
  const tags = await new RegistryClient("127.0.0.1:5000", { fetch: fake }).listTags("app");
  assert.deepEqual(tags.sort(), ["1", "2"]);
  assert.deepEqual(urls, [
    "http://127.0.0.1:5000/v2/",
    "http://127.0.0.1:5000/v2/app/tags/list",
  ]);
});

Deno.test("RegistryClient: a loopback port that speaks TLS is asked in https after plain http", async () => {
  const urls: string[] = [];
  const fake: Fetch = (input) => {
    urls.push(input);
    if (input.startsWith("http:")) {
      return Promise.resolve(
        new Response("Client sent an HTTP request to an HTTPS server.", {
          status: 400,
        }),
      );
    }
    if (input.endsWith("/v2/")) return Promise.resolve(new Response("{}"));
    return Promise.resolve(Response.json({ name: "app", tags: ["3"] }));
  };
  assert.deepEqual(await new RegistryClient("localhost:5443", { fetch: fake }).listTags("app"), [
    "3",
  ]);
  assert.deepEqual(urls, [
    "http://localhost:5443/v2/",
    "https://localhost:5443/v2/",
    "https://localhost:5443/v2/app/tags/list",
  ]);
});

Deno.test("withPlainLoopback(): pages, Link, HEAD and a redirect without fetch", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    seen.push(`${request.method} ${url.pathname}${url.search} ${request.headers.get("accept")}`);
    if (url.pathname === "/v2/") return new Response("{}");
    if (url.pathname === "/v2/app/tags/list" && url.search === "") {
      return Response.json({ tags: ["1", "2"] }, {
        headers: { link: '</v2/app/tags/list?last=2>; rel="next"' },
      });
    }
    if (url.pathname === "/v2/app/tags/list") {
      return new Response(null, { status: 307, headers: { location: "/moved/page2" } });
    }
    if (url.pathname === "/moved/page2") return Response.json({ tags: ["3"] });
    if (url.pathname === "/v2/app/manifests/latest") {
      return new Response("ignored body", {
        headers: { "docker-content-digest": `sha256:${"a".repeat(64)}` },
      });
    }
    return new Response("{}", { status: 404 });
  });
  const other: Fetch = () => Promise.reject(new Error("fetch was used"));
  try {
    const registry = `127.0.0.1:${server.addr.port}`;
    const client = new RegistryClient(registry, { fetch: withPlainLoopback(other) });
    assert.deepEqual((await client.listTags("app")).sort(), ["1", "2", "3"]);
    assert.equal(await client.manifestDigest("app", "latest"), `sha256:${"a".repeat(64)}`);
    assert.deepEqual(seen.map((s) => s.split(" ").slice(0, 2).join(" ")), [
      "GET /v2/",
      "GET /v2/app/tags/list",
      "GET /v2/app/tags/list?last=2",
      "GET /moved/page2",
      "HEAD /v2/app/manifests/latest",
    ]);
    assert.match(seen[1], / application\/json$/);
    // Elsewhere (https, another host): the other fetch.
    await assert.rejects(
      () => withPlainLoopback(other)("https://127.0.0.1:1/v2/"),
      /fetch was used/,
    );
    await assert.rejects(() => withPlainLoopback(other)("http://10.0.0.1/v2/"), /fetch was used/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("withPlainLoopback(): a refused connection is a registry failure naming it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = new RegistryClient(`127.0.0.1:${port}`, {
    fetch: withPlainLoopback(() => Promise.reject(new TypeError("connection refused"))),
    retries: 0,
  });
  const error = await client.listTags("app").catch((e) => e);
  assert.equal(error.message, `cannot reach registry 127.0.0.1:${port}: connection refused`);
});
