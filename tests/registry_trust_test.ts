/**
 * What the registry client owes the user's trust: a token request's body
 * and credentials stay with their origin across redirects, no form of a
 * secret is ever printed, a registry's own text is shown cleaned and cut,
 * the lookup's budget bounds every wait, and a hanging ping is reported as
 * what it is.
 */

import assert from "node:assert/strict";
import { RegistryClient } from "../lib/edge/registry/client.ts";
import type { Credential } from "../lib/edge/registry/credentials.ts";
import { RegistryError } from "../lib/core/registry/errors.ts";
import type { Fetch } from "../lib/edge/registry/transport.ts";
import { formatError, UsageError } from "../lib/core/errors.ts";

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u;

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  });

interface Call {
  url: string;
  method: string;
  body?: string;
  authorization: string | null;
  contentType: string | null;
}

/**
 * A public registry `reg.example` whose Bearer realm is `realm`; `token`
 * answers every request to the token service's host(s).
 */
function tokenRegistry(realm: string, token: (url: URL, method: string) => Response) {
  const calls: Call[] = [];
  const fake: Fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const method = init?.method ?? "GET";
    calls.push({
      url: input,
      method,
      body: typeof init?.body === "string" ? init.body : undefined,
      authorization: headers.get("authorization"),
      contentType: headers.get("content-type"),
    });
    const url = new URL(input);
    if (url.host !== "reg.example") return Promise.resolve(token(url, method));
    const challenge = `Bearer realm="${realm}",service="reg.example"`;
    if (url.pathname === "/v2/" || headers.get("authorization") !== "Bearer good-token") {
      return Promise.resolve(
        new Response("", { status: 401, headers: { "www-authenticate": challenge } }),
      );
    }
    return Promise.resolve(json({ tags: ["1"] }));
  };
  return { fake, calls };
}

const hex = (text: string) =>
  [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("");

const clientFor = (fake: Fetch, credential: Credential) =>
  new RegistryClient("reg.example", {
    fetch: fake,
    retries: 0,
    credential: () => Promise.resolve(credential),
  });

Deno.test("a token POST redirected to another origin is not sent there at all", async () => {
  const identityToken = "idt-SECRET-4711";
  const received: { method: string; body: string }[] = [];
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    received.push({ method: request.method, body: await request.text() });
    return json({ token: "stolen" });
  });
  // The case: a loopback registry whose token endpoint answers the OAuth2 POST with
  // 307 to another port.
  const registry = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/token") {
      return new Response(null, {
        status: 307,
        headers: { location: `http://127.0.0.1:${other.addr.port}/x` },
      });
    }
    return new Response("", {
      status: 401,
      headers: { "www-authenticate": `Bearer realm="${url.origin}/token",service="s"` },
    });
  });
  try {
    const c = new RegistryClient(`127.0.0.1:${registry.addr.port}`, {
      fetch: (input, init) => fetch(input, init),
      credential: () => Promise.resolve({ identityToken }),
    });
    await assert.rejects(c.listTags("app"), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, "protocol");
      assert.match(e.message, /credential in its body to another origin \(127\.0\.0\.1:\d+\)/);
      return true;
    });
    assert.deepEqual(received, [], "the other origin got nothing");
  } finally {
    await registry.shutdown();
    await other.shutdown();
  }
});

Deno.test("a token POST redirected elsewhere by 303 or 307 is refused; 301/302/303 at home become a GET without body", async () => {
  for (const status of [303, 307]) {
    const { fake, calls } = tokenRegistry(
      "https://auth.example/oauth",
      () => new Response(null, { status, headers: { location: "https://collector.example/x" } }),
    );
    await assert.rejects(
      clientFor(fake, { identityToken: "idt-1234" }).listTags("a"),
      (e: unknown) => e instanceof RegistryError && e.kind === "protocol",
    );
    assert.deepEqual(calls.filter((x) => x.url.includes("collector.example")), [], `${status}`);
  }
  for (const status of [301, 302, 303]) {
    const { fake, calls } = tokenRegistry(
      "https://auth.example/oauth",
      (url, method) =>
        url.pathname === "/oauth" && method === "POST"
          ? new Response(null, { status, headers: { location: "/token2" } })
          : json({ token: "good-token" }),
    );
    assert.deepEqual(await clientFor(fake, { identityToken: "idt-1234" }).listTags("a"), ["1"]);
    const followed = calls.filter((x) => x.url === "https://auth.example/token2");
    assert.deepEqual(
      followed.map(({ method, body, contentType }) => ({ method, body, contentType })),
      [{ method: "GET", body: undefined, contentType: null }],
      `${status}`,
    );
  }
});

Deno.test("a redirect of a token request passes the realm's checks", async () => {
  for (
    const target of [
      "https://10.0.0.1/token",
      "https://127.0.0.1/token",
      "https://[fe80::1]/token",
      "http://auth.example/token",
    ]
  ) {
    const { fake, calls } = tokenRegistry(
      "https://auth.example/token",
      (url) =>
        url.host === "auth.example"
          ? new Response(null, { status: 302, headers: { location: target } })
          : json({ token: "good-token" }),
    );
    await assert.rejects(
      clientFor(fake, { username: "u", password: "pw-123" }).listTags("a"),
      (e: unknown) => e instanceof RegistryError && e.kind === "protocol",
      target,
    );
    assert.ok(!calls.some((x) => x.url.startsWith(target)), `${target} was contacted`);
  }
});

Deno.test("no form of a secret a registry echoes reaches the error", async () => {
  const username = "alice";
  const password = "pa ss/wörd+1";
  const basic = btoa(
    String.fromCharCode(...new TextEncoder().encode(`${username}:${password}`)),
  );
  const identityToken = "id/tok+en==";
  const cases: [string, Credential, string][] = [
    ["raw password", { username, password }, password],
    ["base64 of user:password", { username, password }, basic],
    ["base64 without padding", { username, password }, basic.replace(/=+$/, "")],
    ["the Basic header value", { username, password }, `Basic ${basic}`],
    ["URL-encoded password", { username, password }, encodeURIComponent(password)],
    ["form-encoded password", { username, password }, "pa+ss%2Fw%C3%B6rd%2B1"],
    ["URL-encoded identity token", { identityToken }, encodeURIComponent(identityToken)],
    ["identity token", { identityToken }, identityToken],
    ["hex of the Basic header value", { username, password }, hex(`Basic ${basic}`)],
    ["upper-case hex of the password", { username, password }, hex(password).toUpperCase()],
  ];
  for (const [name, credential, echoed] of cases) {
    const fake: Fetch = (input, init) => {
      const url = new URL(input);
      if (url.host === "auth.example") {
        return Promise.resolve(
          init?.method === "POST"
            ? json({ errors: [{ code: "DENIED", message: `bad grant ${echoed}` }] }, {
              status: 400,
            })
            : json({ token: "tok-abcdef" }),
        );
      }
      if (url.pathname === "/v2/") {
        const challenge = credential.identityToken
          ? 'Bearer realm="https://auth.example/token"'
          : 'Basic realm="r"';
        return Promise.resolve(
          new Response("", { status: 401, headers: { "www-authenticate": challenge } }),
        );
      }
      return Promise.resolve(
        json({ errors: [{ code: "UNSUPPORTED", message: `cannot use ${echoed} here` }] }, {
          status: 400,
        }),
      );
    };
    await assert.rejects(clientFor(fake, credential).listTags("a"), (e: unknown) => {
      assert.ok(e instanceof RegistryError, name);
      const shown = [e.message, e.hint, e.reason, e.detail ?? ""].join("\n");
      for (const form of [echoed, password, basic, identityToken]) {
        assert.ok(!shown.includes(form), `${name}: ${JSON.stringify(form)} in ${shown}`);
      }
      assert.match(e.message, /\[REDACTED\]/, name);
      return true;
    });
  }
});

Deno.test("a registry's own error text is shown without control characters and cut", async () => {
  const text = "\u0085\u001b[2J\u202Eexe.gnp\u2028 next line " + "x".repeat(5000);
  const fake: Fetch = (input) =>
    Promise.resolve(
      new URL(input).pathname === "/v2/"
        ? new Response("", { status: 200 })
        : json({ errors: [{ code: "BAD\u0085", message: text }] }, { status: 500 }),
    );
  await assert.rejects(
    new RegistryClient("reg.example", { fetch: fake, retries: 0 }).listTags("a"),
    (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      for (const shown of [e.message, e.reason]) {
        assert.doesNotMatch(shown, NON_PRINTABLE, shown);
        assert.ok(shown.length < 300, `${shown.length} characters`);
      }
      assert.ok(
        e.message.startsWith(
          "registry reg.example answered the request with 500: [2Jexe.gnp next line xxx",
        ),
        e.message,
      );
      assert.ok(e.message.endsWith("x…"));
      assert.equal(e.code, undefined, "a code that is not one is dropped");
      return true;
    },
  );
});

Deno.test("formatError() shows a control character in a value as an escape, never raw", () => {
  const { lines } = formatError(
    new UsageError('unknown key "ta\u0085g\u202E" in .run-docker.yaml', "hint\u001b[31m"),
  );
  assert.deepEqual(lines, [
    'run-docker: error: unknown key "ta\\u0085g\\u202e" in .run-docker.yaml',
    "hint: hint\\u001b[31m",
  ]);
});

Deno.test("the lookup's budget bounds every wait: 9 s answers of 503 with Retry-After: 10 end within 30 s", async () => {
  let clock = 0;
  const fake: Fetch = (input) => {
    if (new URL(input).pathname === "/v2/") return Promise.resolve(new Response("{}"));
    clock += 9000; // the server thinks for 9 s
    return Promise.resolve(
      new Response("busy", { status: 503, headers: { "retry-after": "10" } }),
    );
  };
  const c = new RegistryClient("reg.example", {
    fetch: fake,
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
  });
  await assert.rejects(c.listTags("a"), (e: unknown) => e instanceof RegistryError);
  assert.ok(clock <= 30_000, `the lookup took ${clock / 1000} s`);
  assert.equal(clock, 28_000, "one wait of 10 s fits, the second would not");
});

Deno.test("a /v2/ ping that hangs is reported as no answer, not as plain http", async () => {
  const hanging: (() => void)[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Promise<Response>((resolve) => hanging.push(() => resolve(new Response(null)))),
  );
  try {
    const registry = `127.0.0.1:${server.addr.port}`;
    const c = new RegistryClient(registry, {
      fetch: (input, init) => fetch(input, init),
      requestTimeoutMs: 300,
    });
    await assert.rejects(c.listTags("app"), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, "unreachable");
      assert.equal(e.message, `registry ${registry} did not answer within 0.3 s`);
      assert.equal(e.reason, "no answer within 0.3 s");
      return true;
    });
  } finally {
    for (const answer of hanging) answer();
    await server.shutdown();
  }
});

Deno.test("tags that hold a form of a secret are dropped with one warning, never returned", async () => {
  const username = "alice";
  const password = "S3cr3t-pa55wd";
  const basic = btoa(`${username}:${password}`).replace(/=+$/, "");
  const warnings: string[] = [];
  const fake: Fetch = (input, init) => {
    const url = new URL(input);
    if (url.pathname === "/v2/" || new Headers(init?.headers).get("authorization") === null) {
      return Promise.resolve(
        new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
      );
    }
    return Promise.resolve(json({ tags: ["1", basic, `v-${password}`, "2", hex(password)] }));
  };
  const client = new RegistryClient("reg.example", {
    fetch: fake,
    retries: 0,
    credential: () => Promise.resolve({ username, password }),
    warn: (m) => warnings.push(m),
  });
  assert.deepEqual((await client.listTags("a")).sort(), ["1", "2"]);
  assert.deepEqual(warnings, [
    "dropped 3 tag(s) of a on reg.example that hold a credential of yours",
  ]);
});

Deno.test("a challenge from a redirect's origin gets no credential, on the tag list or the ping", async () => {
  for (const where of ["tags", "ping"]) {
    const calls: { url: string; authorization: string | null }[] = [];
    const fake: Fetch = (input, init) => {
      calls.push({ url: input, authorization: new Headers(init?.headers).get("authorization") });
      const url = new URL(input);
      const redirect = (from: string) =>
        url.host === "reg.example" && url.pathname.endsWith(from)
          ? new Response(null, { status: 307, headers: { location: "https://cdn.example/x" } })
          : undefined;
      const answer = redirect(where === "ping" ? "/v2/" : "/tags/list") ??
        (url.host === "reg.example" && url.pathname === "/v2/"
          ? new Response("", { status: 200 })
          : url.host === "cdn.example"
          ? new Response("", {
            status: 401,
            headers: { "www-authenticate": 'Bearer realm="https://evil.example/token"' },
          })
          : json({ token: "t" }));
      return Promise.resolve(answer);
    };
    const client = clientFor(fake, { username: "alice", password: "hunter2" });
    await assert.rejects(client.listTags("a/b"), RegistryError);
    assert.deepEqual(calls.filter((c) => !c.url.startsWith("https://reg.example/")), [
      { url: "https://cdn.example/x", authorization: null },
    ], where);
  }
});
