/**
 * The registry client against fakes: a `Deno.serve` on 127.0.0.1 for what
 * the real registry does not show (Link forms, `tags: null`, `n` refused,
 * 429, huge bodies, endless pages), and a recording fetch for public hosts.
 */

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/edge/registry/client.ts";
import type { Credential } from "../lib/edge/registry/credentials.ts";
import { RegistryError } from "../lib/core/registry/errors.ts";
import type { Fetch } from "../lib/edge/registry/transport.ts";

type Handler = (request: Request, url: URL) => Response | Promise<Response>;

async function withRegistry(
  handler: Handler,
  fn: (registry: string, requests: Request[]) => Promise<void>,
): Promise<void> {
  const requests: Request[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    requests.push(request);
    const url = new URL(request.url);
    if (url.pathname === "/v2/") return new Response("{}", { status: 200 });
    return handler(request, url);
  });
  try {
    await fn(`127.0.0.1:${server.addr.port}`, requests);
  } finally {
    await server.shutdown();
  }
}

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  });

const sleeps: number[] = [];
const client = (
  registry: string,
  extra: Partial<ConstructorParameters<typeof RegistryClient>[1]> = {},
) =>
  new RegistryClient(registry, {
    fetch: (input, init) => fetch(input, init),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...extra,
  });

Deno.test("listTags() reads one page and drops invalid, empty, null and duplicate tags", () =>
  withRegistry(
    () => json({ name: "a", tags: ["1", "1", "", null, "-bad", "ok.2", "x".repeat(129)] }),
    async (registry) => {
      assert.deepEqual((await client(registry).listTags("a")).sort(), ["1", "ok.2"]);
    },
  ));

Deno.test("listTags() treats tags: null as no tags", () =>
  withRegistry(() => json({ name: "a", tags: null }), async (registry) => {
    assert.deepEqual(await client(registry).listTags("a"), []);
  }));

Deno.test("listTags() follows relative, absolute and opaque rel=next links", () =>
  withRegistry((_request, url) => {
    const page = url.searchParams.get("cursor") ?? url.pathname.split("/").pop();
    if (page === "list") {
      return json({ tags: ["a"] }, {
        headers: {
          link:
            '<https://elsewhere.example/x>; rel="prev", </v2/r/tags/list?cursor=opaque%2Ftoken>; rel="next"',
        },
      });
    }
    if (page === "opaque/token") {
      return json({ tags: ["b"] }, {
        headers: { link: `<${url.origin}/v2/r/tags/page3>; rel=next` },
      });
    }
    return json({ tags: ["c"] });
  }, async (registry, requests) => {
    assert.deepEqual((await client(registry).listTags("r")).sort(), ["a", "b", "c"]);
    assert.ok(
      requests.some((r) => r.url.includes("cursor=opaque%2Ftoken")),
      "opaque URL kept as given",
    );
  }));

Deno.test("listTags() does not follow a Link to another origin", () =>
  withRegistry(
    () =>
      json({ tags: ["a"] }, {
        headers: { link: '<http://127.0.0.2:1/v2/r/tags/list?x=1>; rel="next"' },
      }),
    async (registry, requests) => {
      const warnings: string[] = [];
      assert.deepEqual(await client(registry, { warn: (m) => warnings.push(m) }).listTags("r"), [
        "a",
      ]);
      assert.equal(requests.filter((r) => r.url.includes("tags")).length, 1);
      assert.match(
        warnings[0],
        /continues on another host \(127\.0\.0\.2:1\), which is not followed; the newest tags may be missing/,
      );
    },
  ));

Deno.test("listTags() stops on a repeated URL and on a page with no new tags", () =>
  withRegistry(
    () => json({ tags: ["a", "b"] }, { headers: { link: '</v2/r/tags/list>; rel="next"' } }),
    async (registry, requests) => {
      assert.deepEqual((await client(registry).listTags("r")).sort(), ["a", "b"]);
      assert.equal(requests.filter((r) => r.url.includes("tags")).length, 1);
    },
  ));

Deno.test("listTags() stops endless pagination at 1,000 pages", () => {
  let page = 0;
  return withRegistry(() => {
    page++;
    return json({ tags: [`t${page}`] }, {
      headers: { link: `</v2/r/tags/list?p=${page}>; rel="next"` },
    });
  }, async (registry) => {
    const warnings: string[] = [];
    const tags = await client(registry, { warn: (m) => warnings.push(m) }).listTags("r");
    assert.equal(tags.length, 1000);
    assert.match(warnings[0], /goes on past 1000 pages: stopped there/);
  });
});

Deno.test("listTags() stops at 1,000,000 tags (a registry that lists millions)", () => {
  let page = 0;
  return withRegistry(() => {
    page++;
    const tags = Array.from({ length: 300_000 }, (_, k) => `p${page}-${k}`);
    const more = page < 5 ? { link: `</v2/r/tags/list?p=${page}>; rel="next"` } : undefined;
    return json({ tags }, { headers: more });
  }, async (registry) => {
    const warnings: string[] = [];
    const tags = await client(registry, { warn: (m) => warnings.push(m) }).listTags("r");
    assert.equal(tags.length, 1_000_000);
    assert.equal(page, 4);
    assert.match(warnings[0], /has over 1,000,000 tags: stopped there/);
  });
});

Deno.test("listTags() asks for last=<tag> after a full page of n without a Link", async () => {
  const all = Array.from({ length: 2005 }, (_, k) => `t${String(k).padStart(5, "0")}`);
  const seen: string[] = [];
  const fake: Fetch = (input) => {
    const url = new URL(input);
    if (url.pathname === "/v2/") return Promise.resolve(new Response("{}"));
    seen.push(url.search);
    const last = url.searchParams.get("last");
    const start = last === null ? 0 : all.indexOf(last) + 1;
    return Promise.resolve(
      json({ tags: all.slice(start, start + Number(url.searchParams.get("n"))) }),
    );
  };
  const tags = await new RegistryClient("ghcr.io", { fetch: fake }).listTags("o/r");
  assert.equal(tags.length, 2005);
  assert.deepEqual(seen, ["?n=1000", "?n=1000&last=t00999", "?n=1000&last=t01999"]);
});

Deno.test("listTags() retries without n when the registry refuses it", async () => {
  for (const status of [400, 405, 413]) {
    const seen: string[] = [];
    const fake: Fetch = (input) => {
      const url = new URL(input);
      if (url.pathname === "/v2/") return Promise.resolve(new Response("{}"));
      seen.push(url.search);
      if (url.searchParams.has("n")) {
        return Promise.resolve(
          json({ errors: [{ code: "PAGINATION_NUMBER_INVALID", message: "invalid n" }] }, {
            status,
          }),
        );
      }
      return Promise.resolve(json({ tags: ["1"] }));
    };
    assert.deepEqual(await new RegistryClient("ghcr.io", { fetch: fake }).listTags("o/r"), ["1"]);
    assert.deepEqual(seen, ["?n=1000", ""], `status ${status}`);
  }
});

Deno.test("listTags() retries 429 and 5xx, honoring Retry-After in seconds and as a date", () => {
  let calls = 0;
  sleeps.length = 0;
  const now = Date.parse("2026-01-01T00:00:00Z");
  return withRegistry(() => {
    calls++;
    if (calls === 1) {
      return new Response("slow down", { status: 429, headers: { "retry-after": "2" } });
    }
    if (calls === 2) {
      return new Response("busy", {
        status: 503,
        headers: { "retry-after": new Date(now + 5000).toUTCString() },
      });
    }
    if (calls === 3) return new Response("busy", { status: 502 });
    return json({ tags: ["ok"] });
  }, async (registry) => {
    assert.deepEqual(await client(registry, { now: () => now }).listTags("r"), ["ok"]);
    assert.deepEqual(sleeps, [2000, 5000, 1000]);
  });
});

Deno.test("listTags() does not wait out a Retry-After over 10 s: that is the answer for now", () => {
  sleeps.length = 0;
  return withRegistry(
    () => new Response("busy", { status: 503, headers: { "retry-after": "3600" } }),
    async (registry) => {
      await assert.rejects(client(registry).listTags("r"), /answered the request with 503/);
      assert.deepEqual(sleeps, []);
    },
  );
});

Deno.test("listTags() gives up after 3 retries with the rate-limit figures", () =>
  withRegistry(
    () =>
      new Response("no", {
        status: 429,
        headers: { "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600" },
      }),
    async (registry) => {
      await assert.rejects(client(registry).listTags("r"), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.kind, "rate-limited");
        assert.match(error.message, /ratelimit-limit: 100;w=21600, ratelimit-remaining: 0;w=21600/);
        return true;
      });
    },
  ));

Deno.test("listTags() refuses a body over its cap", () =>
  withRegistry(() => {
    const chunk = new Uint8Array(1024 * 1024).fill(32);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 70) controller.enqueue(chunk);
        else controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  }, async (registry) => {
    await assert.rejects(client(registry).listTags("r"), (e: unknown) =>
      e instanceof RegistryError && e.kind === "too-large");
  }));

Deno.test("listTags() maps 404 NAME_UNKNOWN and 401 to clear errors", async () => {
  await withRegistry(
    () =>
      json({ errors: [{ code: "NAME_UNKNOWN", message: "repository name not known" }] }, {
        status: 404,
      }),
    async (registry) => {
      await assert.rejects(client(registry).listTags("a/b"), (e: unknown) => {
        assert.ok(e instanceof RegistryError);
        assert.equal(e.code, "NAME_UNKNOWN");
        assert.equal(e.message, `no repository a/b on ${registry}`);
        return true;
      });
    },
  );
  await withRegistry(
    () => new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
    async (registry) => {
      await assert.rejects(client(registry).listTags("a/b"), (e: unknown) => {
        assert.ok(e instanceof RegistryError);
        assert.equal(e.message, `access denied to a/b on ${registry}`);
        assert.equal(e.hint, `docker login ${registry}`);
        return true;
      });
    },
  );
});

/** A recording fetch for a public registry with a token realm elsewhere. */
function recordingRegistry(realm: string, token = "tok-123") {
  const calls: { url: string; authorization: string | null; method: string; body?: string }[] = [];
  const fake: Fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: input,
      authorization: headers.get("authorization"),
      method: init?.method ?? "GET",
      body: typeof init?.body === "string" ? init.body : undefined,
    });
    const url = new URL(input);
    if (url.href.startsWith(realm.split("?")[0])) {
      if (url.pathname.endsWith("/oauth") && (init?.method ?? "GET") === "POST") {
        return new Response("", { status: 404 });
      }
      return json({ access_token: token, expires_in: 300 });
    }
    const challenge =
      `Bearer realm="${realm}",service="reg.example",scope="repository:placeholder:pull"`;
    if (url.pathname === "/v2/") {
      return new Response("", { status: 401, headers: { "www-authenticate": challenge } });
    }
    if (headers.get("authorization") !== `Bearer ${token}`) {
      return new Response("", { status: 401, headers: { "www-authenticate": challenge } });
    }
    await Promise.resolve();
    return json({ tags: ["1"] });
  };
  return { fake, calls };
}

Deno.test("listTags() gets a Bearer token with Basic credentials, its own scope, and caches it", async () => {
  const { fake, calls } = recordingRegistry("https://auth.example/token");
  const credential: Credential = { username: "u", password: "p:w" };
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    credential: () => Promise.resolve(credential),
  });
  assert.deepEqual(await c.listTags("team/app"), ["1"]);
  assert.deepEqual(await c.listTags("team/app"), ["1"]);
  const tokenCalls = calls.filter((x) => x.url.startsWith("https://auth.example/"));
  assert.equal(tokenCalls.length, 1, "the token is cached for the run");
  const tokenUrl = new URL(tokenCalls[0].url);
  assert.equal(tokenUrl.searchParams.get("scope"), "repository:team/app:pull");
  assert.equal(tokenUrl.searchParams.get("service"), "reg.example");
  assert.equal(tokenCalls[0].authorization, `Basic ${btoa("u:p:w")}`);
  for (const call of calls.filter((x) => x.url.startsWith("https://reg.example/v2/team"))) {
    assert.equal(call.authorization, "Bearer tok-123");
  }
});

Deno.test("listTags() posts an identity token as a refresh token and falls back to GET on 404", async () => {
  const { fake, calls } = recordingRegistry("https://auth.example/oauth");
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    credential: () => Promise.resolve({ identityToken: "refresh-me" }),
  });
  assert.deepEqual(await c.listTags("a"), ["1"]);
  const post = calls.find((x) => x.method === "POST");
  assert.ok(post?.body?.includes("grant_type=refresh_token"));
  assert.ok(post?.body?.includes("refresh_token=refresh-me"));
  assert.ok(
    calls.some((x) => x.method === "GET" && x.url.startsWith("https://auth.example/oauth?")),
  );
});

Deno.test("listTags() uses a registrytoken as the Bearer token directly", async () => {
  const { fake, calls } = recordingRegistry("https://auth.example/token", "direct");
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    credential: () => Promise.resolve({ registryToken: "direct" }),
  });
  assert.deepEqual(await c.listTags("a"), ["1"]);
  assert.ok(!calls.some((x) => x.url.startsWith("https://auth.example")));
});

Deno.test("listTags() refuses a realm on a private address or over http for a public https registry", async () => {
  for (
    const realm of [
      "https://10.0.0.1/token",
      "https://192.168.1.5/token",
      "https://[fe80::1]/token",
      "http://auth.example/token",
    ]
  ) {
    const { fake, calls } = recordingRegistry(realm);
    const c = new RegistryClient("reg.example", {
      fetch: fake,
      credential: () => Promise.resolve({ username: "u", password: "p" }),
    });
    await assert.rejects(
      c.listTags("a"),
      (e: unknown) => e instanceof RegistryError && e.kind === "protocol",
      realm,
    );
    assert.ok(!calls.some((x) => x.url.startsWith(realm)), `${realm} was contacted`);
  }
});

Deno.test("a redirect to another origin does not carry the Authorization header", async () => {
  const calls: { url: string; authorization: string | null }[] = [];
  const fake: Fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: input, authorization: headers.get("authorization") });
    const url = new URL(input);
    if (url.host === "reg.example" && url.pathname === "/v2/") {
      return Promise.resolve(
        new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } }),
      );
    }
    if (url.host === "reg.example") {
      return Promise.resolve(
        new Response("", { status: 307, headers: { location: "https://cdn.example/tags" } }),
      );
    }
    return Promise.resolve(json({ tags: ["1"] }));
  };
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    credential: () => Promise.resolve({ username: "u", password: "p" }),
  });
  assert.deepEqual(await c.listTags("a"), ["1"]);
  assert.equal(
    calls.find((x) => x.url === "https://reg.example/v2/a/tags/list")?.authorization,
    `Basic ${btoa("u:p")}`,
  );
  assert.equal(calls.find((x) => x.url === "https://cdn.example/tags")?.authorization, null);
});

Deno.test("error messages never hold the credential", async () => {
  const fake: Fetch = (input) => {
    const url = new URL(input);
    if (url.pathname === "/v2/") {
      return Promise.resolve(
        new Response("", {
          status: 401,
          headers: { "www-authenticate": 'Bearer realm="https://auth.example/t"' },
        }),
      );
    }
    return Promise.resolve(
      json({ errors: [{ code: "DENIED", message: "token s3cr3t-pass is bad" }] }, { status: 500 }),
    );
  };
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    retries: 0,
    credential: () => Promise.resolve({ username: "me", password: "s3cr3t-pass" }),
  });
  await assert.rejects(c.listTags("a"), (e: unknown) => {
    assert.ok(e instanceof RegistryError);
    assert.ok(!`${e.message} ${e.hint}`.includes("s3cr3t-pass"), e.message);
    return true;
  });
});

Deno.test("listTags() sends refused Basic credentials once, and says a web server is not a registry", async () => {
  let tagRequests = 0;
  const fake: Fetch = (input) => {
    const url = new URL(input);
    if (url.pathname === "/v2/") {
      return Promise.resolve(
        new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
      );
    }
    tagRequests++;
    return Promise.resolve(
      new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
    );
  };
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    credential: () => Promise.resolve({ username: "u", password: "bad" }),
  });
  await assert.rejects(
    c.listTags("a"),
    (e: unknown) => e instanceof RegistryError && e.kind === "denied",
  );
  assert.equal(tagRequests, 1);
  await withRegistry(() => new Response("nope", { status: 404 }), async (registry) => {
    const web: Fetch = (input, init) =>
      new URL(input).pathname === "/v2/"
        ? Promise.resolve(new Response("<html>", { status: 404 }))
        : fetch(input, init);
    await assert.rejects(
      new RegistryClient(registry, { fetch: web }).listTags("a"),
      new RegExp(`${registry.replace(/\./g, "\\.")} is not a registry \\(GET /v2/ answered 404\\)`),
    );
  });
});
