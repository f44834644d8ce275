/**
 * `RegistryClient.manifestDigest()` against a `Deno.serve` fake on 127.0.0.1: the request it
 * sends (HEAD, every manifest and index type, the token) and what it makes of the answers.
 */

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/edge/registry/client.ts";
import { RegistryError } from "../lib/core/registry/errors.ts";

const DIGEST = `sha256:${"0a".repeat(32)}`;

async function withFake(
  answer: (request: Request) => Response,
  fn: (client: RegistryClient, requests: Request[]) => Promise<void>,
): Promise<void> {
  const requests: Request[] = [];
  let port = 0;
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (request): Response => {
    requests.push(request);
    const url = new URL(request.url);
    if (url.pathname === "/token") return Response.json({ token: "tok" });
    if (url.pathname === "/v2/" || request.headers.get("authorization") !== "Bearer tok") {
      return new Response("{}", {
        status: 401,
        headers: {
          "www-authenticate": `Bearer realm="http://127.0.0.1:${port}/token",service="fake"`,
        },
      });
    }
    return answer(request);
  });
  port = server.addr.port;
  const client = new RegistryClient(`127.0.0.1:${port}`, {
    fetch: (input, init) => fetch(input, init),
  });
  try {
    await fn(client, requests);
  } finally {
    await server.shutdown();
  }
}

Deno.test("manifestDigest() asks HEAD with every manifest type and reads Docker-Content-Digest", () =>
  withFake(
    () => new Response(null, { headers: { "docker-content-digest": DIGEST } }),
    async (client, requests) => {
      assert.equal(await client.manifestDigest("team/app", "latest"), DIGEST);
      const asked = requests.filter((r) => new URL(r.url).pathname.includes("/manifests/"));
      assert.equal(asked.at(-1)?.method, "HEAD");
      assert.equal(new URL(asked.at(-1)!.url).pathname, "/v2/team/app/manifests/latest");
      const accept = asked.at(-1)!.headers.get("accept") ?? "";
      for (
        const type of [
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json",
        ]
      ) assert.ok(accept.includes(type), type);
    },
  ));

Deno.test("manifestDigest() is undefined without a well-formed digest", () =>
  withFake(
    () => new Response(null, { headers: { "docker-content-digest": "md5:abc" } }),
    async (client) => {
      assert.equal(await client.manifestDigest("app", "latest"), undefined);
    },
  ));

Deno.test("manifestDigest() throws a RegistryError for an unknown tag", () =>
  withFake(
    () => new Response(null, { status: 404 }),
    async (client) => {
      await assert.rejects(client.manifestDigest("app", "latest"), RegistryError);
    },
  ));
