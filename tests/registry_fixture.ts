/**
 * A real registry for tests: Debian's `docker-registry` (the CNCF
 * Distribution registry) on 127.0.0.1 with a temp config, anonymous, with
 * htpasswd Basic auth, or with Bearer token auth served by a small token
 * issuer on another port; optionally TLS with a throwaway CA. Plus helpers
 * that fill a repository with tags through the API (blob upload,
 * cross-repository mount, manifest PUTs).
 *
 * @module
 */

import bcrypt from "bcryptjs";

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** `http://127.0.0.1:<port>` or `https://…`. */
  readonly origin: string;
  /** For pushing: an Authorization header value for these scopes, or undefined (anonymous). */
  readonly pushAuth: (scopes: string[]) => Promise<string | undefined>;
  /** The CA certificate (PEM) when TLS is on. */
  readonly caPem?: string;
  /** Token requests the issuer saw (`scope` and whether Basic credentials came). */
  readonly tokenRequests: { scope: string | null; basic: string | null }[];
  /** The registry's access log so far (lines like `"GET /v2/app/tags/list HTTP/1.1" 200`). */
  accessLog(): string;
  /** Stops the registry (and the issuer); idempotent. */
  stop(): Promise<void>;
}

export const USER = "tester";
export const PASSWORD = "p@ss w:rd";

/** Whether the registry binary is installed. */
export function registryAvailable(): boolean {
  try {
    return Deno.statSync("/usr/bin/docker-registry").isFile;
  } catch {
    return false;
  }
}

async function run(program: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`${program} failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const b64url = (bytes: Uint8Array | string) =>
  btoa(typeof bytes === "string" ? bytes : String.fromCharCode(...bytes)).replace(/\+/g, "-")
    .replace(
      /\//g,
      "_",
    ).replace(/=+$/, "");

function pemBody(pem: string): Uint8Array<ArrayBuffer> {
  const text = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * Starts a registry.
 *
 * @param options `auth`: none, `htpasswd` or `token`; `tls`: serve https with a throwaway CA.
 */
export async function startRegistry(
  options: { auth?: "none" | "htpasswd" | "token"; tls?: boolean } = {},
): Promise<TestRegistry> {
  const dir = await Deno.makeTempDir({ prefix: "run-docker-registry-" });
  const port = freePort();
  const host = `127.0.0.1:${port}`;
  const scheme = options.tls ? "https" : "http";
  const origin = `${scheme}://${host}`;
  const tokenRequests: { scope: string | null; basic: string | null }[] = [];
  let issuer: Deno.HttpServer<Deno.NetAddr> | undefined;
  let caPem: string | undefined;
  let authYaml = "";
  let pushAuth: (scopes: string[]) => Promise<string | undefined> = () =>
    Promise.resolve(undefined);

  if (options.tls) {
    // A CA and a leaf signed by it: rustls refuses a CA certificate as the server's own.
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await run("openssl", [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      `${dir}/ca.key`,
      "-out",
      `${dir}/ca.crt`,
      "-days",
      "1",
      "-subj",
      "/CN=run-docker test CA",
    ]);
    await run("openssl", [
      "req",
      ...ec,
      "-keyout",
      `${dir}/tls.key`,
      "-out",
      `${dir}/tls.csr`,
      "-subj",
      "/CN=127.0.0.1",
    ]);
    await Deno.writeTextFile(
      `${dir}/leaf.ext`,
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
    );
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      `${dir}/tls.csr`,
      "-CA",
      `${dir}/ca.crt`,
      "-CAkey",
      `${dir}/ca.key`,
      "-CAcreateserial",
      "-out",
      `${dir}/tls.crt`,
      "-days",
      "1",
      "-extfile",
      `${dir}/leaf.ext`,
    ]);
    caPem = await Deno.readTextFile(`${dir}/ca.crt`);
  }
  const basic = `Basic ${
    btoa(String.fromCharCode(...new TextEncoder().encode(`${USER}:${PASSWORD}`)))
  }`;
  if (options.auth === "htpasswd") {
    await Deno.writeTextFile(`${dir}/htpasswd`, `${USER}:${bcrypt.hashSync(PASSWORD, 4)}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: run-docker-test\n    path: ${dir}/htpasswd\n`;
    pushAuth = () => Promise.resolve(basic);
  } else if (options.auth === "token") {
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${dir}/token.key`,
      "-out",
      `${dir}/token.crt`,
      "-days",
      "1",
      "-subj",
      "/CN=run-docker test token issuer",
    ]);
    const key = await crypto.subtle.importKey(
      "pkcs8",
      pemBody(await Deno.readTextFile(`${dir}/token.key`)),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const x5c = btoa(String.fromCharCode(...pemBody(await Deno.readTextFile(`${dir}/token.crt`))));
    const sign = async (scope: string | null, user: string) => {
      const now = Math.floor(Date.now() / 1000);
      const access = (scope ?? "").split(" ").filter(Boolean).map((s) => {
        const [type, name, actions] = [
          s.split(":")[0],
          s.split(":").slice(1, -1).join(":"),
          s.split(":").at(-1)!,
        ];
        return { type, name, actions: actions.split(",") };
      });
      const header = b64url(JSON.stringify({ alg: "ES256", typ: "JWT", x5c: [x5c] }));
      const claims = b64url(JSON.stringify({
        iss: "run-docker-test-issuer",
        sub: user,
        aud: "run-docker-test",
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: crypto.randomUUID(),
        access,
      }));
      const signature = new Uint8Array(
        await crypto.subtle.sign(
          { name: "ECDSA", hash: "SHA-256" },
          key,
          new TextEncoder().encode(`${header}.${claims}`),
        ),
      );
      return `${header}.${claims}.${b64url(signature)}`;
    };
    issuer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
      const url = new URL(request.url);
      const authorization = request.headers.get("authorization");
      const scope = url.searchParams.getAll("scope").join(" ") || null;
      tokenRequests.push({ scope, basic: authorization });
      if (authorization !== null && authorization !== basic) {
        return new Response("bad credentials", { status: 401 });
      }
      const user = authorization === null ? "" : USER;
      // Anonymous users may pull only from public/*.
      const granted = user === "" && !(scope ?? "").startsWith("repository:public/") ? null : scope;
      return Response.json({ token: await sign(granted, user), expires_in: 300 });
    });
    const realm = `http://127.0.0.1:${issuer.addr.port}/token`;
    authYaml =
      `auth:\n  token:\n    realm: ${realm}\n    service: run-docker-test\n    issuer: run-docker-test-issuer\n    rootcertbundle: ${dir}/token.crt\n`;
    pushAuth = async (scopes) => {
      const query = new URLSearchParams([
        ["service", "run-docker-test"],
        ...scopes.map((s) => ["scope", s]),
      ]);
      const response = await fetch(`${realm}?${query}`, { headers: { authorization: basic } });
      return `Bearer ${(await response.json()).token}`;
    };
  }

  const tlsYaml = options.tls
    ? `  tls:\n    certificate: ${dir}/tls.crt\n    key: ${dir}/tls.key\n`
    : "";
  await Deno.writeTextFile(
    `${dir}/config.yml`,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${host}\n  secret: ${crypto.randomUUID()}\n${tlsYaml}${authYaml}`,
  );
  const child = new Deno.Command("/usr/bin/docker-registry", {
    args: ["serve", `${dir}/config.yml`],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) log += decoder.decode(chunk, { stream: true });
  };
  const logDone = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const client = caPem ? Deno.createHttpClient({ caCerts: [caPem] }) : undefined;
  // Wait for the registry to answer (startup, not synchronisation between tests).
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const response = await fetch(`${origin}/v2/`, client ? ({ client } as RequestInit) : {});
      await response.body?.cancel();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`registry did not start: ${error}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  let stopped = false;
  return {
    host,
    origin,
    pushAuth,
    caPem,
    tokenRequests,
    accessLog: () => log,
    async stop() {
      if (stopped) return;
      stopped = true;
      client?.close();
      try {
        child.kill("SIGTERM");
      } catch {
        // gone
      }
      await child.status;
      await logDone;
      await issuer?.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Fills a repository with tags through the API: uploads a config and a
 * layer blob to a seed repository once, mounts them into `repository`
 * (cross-repository blob mount), then PUTs one small manifest per tag.
 *
 * @param registry A running registry.
 * @param repository e.g. `app`.
 * @param tags The tags to create.
 * @param concurrency Parallel PUTs.
 */
export async function pushTags(
  registry: TestRegistry,
  repository: string,
  tags: readonly string[],
  concurrency = 16,
): Promise<void> {
  const client = registry.caPem ? Deno.createHttpClient({ caCerts: [registry.caPem] }) : undefined;
  const go = (url: string, init: RequestInit) =>
    fetch(url, client ? ({ ...init, client } as RequestInit) : init);
  try {
    const seed = `seed/${repository.replace(/\//g, "-")}`;
    const seedAuth = await registry.pushAuth([`repository:${seed}:pull,push`]);
    const auth = await registry.pushAuth([
      `repository:${repository}:pull,push`,
      `repository:${seed}:pull`,
    ]);
    const blobs: { digest: string; size: number; mediaType: string }[] = [];
    for (
      const [bytes, mediaType] of [
        [
          new TextEncoder().encode(
            '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
          ),
          "application/vnd.oci.image.config.v1+json",
        ],
        [new TextEncoder().encode("layer"), "application/vnd.oci.image.layer.v1.tar"],
      ] as const
    ) {
      const digest = await sha256(bytes);
      const start = await go(`${registry.origin}/v2/${seed}/blobs/uploads/`, {
        method: "POST",
        headers: seedAuth ? { authorization: seedAuth } : {},
      });
      await start.body?.cancel();
      if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
      const location = new URL(start.headers.get("location")!, registry.origin);
      location.searchParams.set("digest", digest);
      const put = await go(location.href, {
        method: "PUT",
        headers: {
          "content-type": "application/octet-stream",
          ...(seedAuth ? { authorization: seedAuth } : {}),
        },
        body: bytes,
      });
      await put.body?.cancel();
      if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
      const mount = await go(
        `${registry.origin}/v2/${repository}/blobs/uploads/?mount=${digest}&from=${seed}`,
        {
          method: "POST",
          headers: auth ? { authorization: auth } : {},
        },
      );
      await mount.body?.cancel();
      if (mount.status !== 201) throw new Error(`cross-repository mount: ${mount.status}`);
      blobs.push({ digest, size: bytes.length, mediaType });
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: blobs[0],
      layers: [blobs[1]],
    });
    let next = 0;
    const worker = async () => {
      while (next < tags.length) {
        const tag = tags[next++];
        const response = await go(`${registry.origin}/v2/${repository}/manifests/${tag}`, {
          method: "PUT",
          headers: {
            "content-type": "application/vnd.oci.image.manifest.v1+json",
            ...(auth ? { authorization: auth } : {}),
          },
          body: manifest,
        });
        await response.body?.cancel();
        if (response.status !== 201) throw new Error(`manifest PUT ${tag}: ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    client?.close();
  }
}
