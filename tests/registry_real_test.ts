/**
 * The registry client against a real registry (Debian's docker-registry on
 * 127.0.0.1), compared with skopeo where it is installed. Ignored when the
 * registry binary is missing, except in CI, where that fails.
 */

import assert from "node:assert/strict";
import { lookupCredential, systemCredentialIo } from "../lib/edge/registry/credentials.ts";
import { RegistryError } from "../lib/core/registry/errors.ts";
import { systemRegistryClient } from "../lib/edge/registry/mod.ts";
import {
  PASSWORD,
  pushTags,
  registryAvailable,
  startRegistry,
  type TestRegistry,
  USER,
} from "./registry_fixture.ts";

const available = registryAvailable();
const inCI = Deno.env.get("CI") === "true";
const ignore = !available && !inCI;

Deno.test({
  name: "registry: docker-registry is installed (required in CI)",
  ignore,
  fn: () => assert.ok(available, "apt-get install docker-registry"),
});

function test(name: string, fn: () => Promise<void>) {
  Deno.test({ name: `registry: ${name}`, ignore, fn });
}

async function withRegistry(
  options: Parameters<typeof startRegistry>[0],
  fn: (registry: TestRegistry, home: string) => Promise<void>,
): Promise<void> {
  const registry = await startRegistry(options);
  const home = await Deno.makeTempDir({ prefix: "run-docker-home-" });
  try {
    await fn(registry, home);
  } finally {
    await registry.stop();
    await Deno.remove(home, { recursive: true });
  }
}

const warnings: string[] = [];
const client = (registry: TestRegistry, env: { HOME: string; DOCKER_CONFIG?: string }) =>
  systemRegistryClient(
    registry.host,
    { os: "linux", home: env.HOME, env },
    (m) => warnings.push(m),
  );

async function writeConfig(home: string, config: unknown): Promise<string> {
  const dir = `${home}/.docker`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
  return dir;
}

test("anonymous: lists the tags pushed through the API", () =>
  withRegistry({}, async (registry, home) => {
    await pushTags(registry, "team/app", ["20210502-002343", "20201231-235959", "latest"]);
    const tags = await client(registry, { HOME: home }).listTags("team/app");
    assert.deepEqual(tags.sort(), ["20201231-235959", "20210502-002343", "latest"]);
  }));

test("anonymous: a missing repository is NAME_UNKNOWN", () =>
  withRegistry({}, async (registry, home) => {
    await assert.rejects(client(registry, { HOME: home }).listTags("nope/none"), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, "not-found");
      assert.equal(e.code, "NAME_UNKNOWN");
      return true;
    });
  }));

test("3,000 tags come back complete and equal to skopeo's list", () =>
  withRegistry({}, async (registry, home) => {
    const tags = Array.from({ length: 3000 }, (_, i) => `2021${String(i).padStart(6, "0")}`);
    await pushTags(registry, "big", tags);
    const listed = await client(registry, { HOME: home }).listTags("big");
    assert.equal(listed.length, 3000);
    assert.deepEqual(new Set(listed), new Set(tags));
    let skopeo: Deno.CommandOutput | undefined;
    try {
      skopeo = await new Deno.Command("skopeo", {
        args: ["list-tags", "--tls-verify=false", `docker://${registry.host}/big`],
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch {
      // skopeo not installed: the comparison is skipped
    }
    if (skopeo !== undefined) {
      assert.equal(skopeo.code, 0, new TextDecoder().decode(skopeo.stderr));
      const theirs = JSON.parse(new TextDecoder().decode(skopeo.stdout)).Tags as string[];
      assert.deepEqual(new Set(listed), new Set(theirs));
    }
  }));

test("htpasswd Basic auth: denied without credentials, works with auths in DOCKER_CONFIG", () =>
  withRegistry({ auth: "htpasswd" }, async (registry, home) => {
    await pushTags(registry, "private/app", ["1", "2"]);
    await assert.rejects(client(registry, { HOME: home }).listTags("private/app"), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.message, `access denied to private/app on ${registry.host}`);
      assert.equal(e.hint, `docker login ${registry.host}`);
      return true;
    });
    const dir = await writeConfig(home, {
      auths: { [`http://${registry.host}/`]: { auth: btoa(`${USER}:${PASSWORD}`) } },
    });
    const tags = await client(registry, { HOME: "/nonexistent", DOCKER_CONFIG: dir }).listTags(
      "private/app",
    );
    assert.deepEqual(tags.sort(), ["1", "2"]);
  }));

test("htpasswd Basic auth: a wrong password is denied and never printed", () =>
  withRegistry({ auth: "htpasswd" }, async (registry, home) => {
    const dir = await writeConfig(home, {
      auths: { [registry.host]: { username: USER, password: "wrong-pw-123" } },
    });
    await assert.rejects(
      client(registry, { HOME: home, DOCKER_CONFIG: dir }).listTags("x"),
      (e: unknown) => {
        assert.ok(e instanceof RegistryError && e.kind === "denied");
        assert.ok(!`${e.message}${e.hint}`.includes("wrong-pw-123"));
        return true;
      },
    );
  }));

test("a credHelpers entry runs the helper on PATH with the server URL", () =>
  withRegistry({ auth: "htpasswd" }, async (registry, home) => {
    await pushTags(registry, "helped/app", ["7"]);
    const bin = `${home}/bin`;
    await Deno.mkdir(bin);
    await Deno.writeTextFile(
      `${bin}/docker-credential-rdtest`,
      `#!/bin/sh\nread -r server\n[ "$1" = get ] || exit 2\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\n`,
      { mode: 0o755 },
    );
    const dir = await writeConfig(home, { credHelpers: { [registry.host]: "rdtest" } });
    const path = Deno.env.get("PATH") ?? "";
    Deno.env.set("PATH", `${bin}:${path}`);
    try {
      const credential = await lookupCredential(
        registry.host,
        `${dir}/config.json`,
        systemCredentialIo(() => {}),
      );
      assert.deepEqual(credential, { username: USER, password: PASSWORD });
      assert.deepEqual(
        await client(registry, { HOME: home, DOCKER_CONFIG: dir }).listTags("helped/app"),
        ["7"],
      );
    } finally {
      Deno.env.set("PATH", path);
    }
  }));

test("Bearer token auth on another origin: anonymous for public, Basic for private", () =>
  withRegistry({ auth: "token" }, async (registry, home) => {
    await pushTags(registry, "public/app", ["1"]);
    await pushTags(registry, "private/app", ["2", "3"]);
    registry.tokenRequests.length = 0;
    assert.deepEqual(await client(registry, { HOME: home }).listTags("public/app"), ["1"]);
    assert.deepEqual(registry.tokenRequests, [{
      scope: "repository:public/app:pull",
      basic: null,
    }]);
    await assert.rejects(
      client(registry, { HOME: home }).listTags("private/app"),
      (e: unknown) => e instanceof RegistryError && e.kind === "denied",
    );
    const dir = await writeConfig(home, {
      auths: { [registry.host]: { auth: btoa(`${USER}:${PASSWORD}`) } },
    });
    registry.tokenRequests.length = 0;
    const tags = await client(registry, { HOME: home, DOCKER_CONFIG: dir }).listTags("private/app");
    assert.deepEqual(tags.sort(), ["2", "3"]);
    assert.equal(registry.tokenRequests.length, 1, "one token for the run");
    assert.match(String(registry.tokenRequests[0].basic), /^Basic /);
  }));

test("TLS with a private CA: refused without it, trusted from ~/.docker/certs.d/<host>/ca.crt", () =>
  withRegistry({ tls: true }, async (registry, home) => {
    await pushTags(registry, "app", ["1"]);
    await assert.rejects(client(registry, { HOME: home }).listTags("app"), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.kind, "tls", e.message);
      assert.match(e.hint, /certs\.d/);
      return true;
    });
    const certs = `${home}/.docker/certs.d/${registry.host}`;
    await Deno.mkdir(certs, { recursive: true });
    await Deno.writeTextFile(`${certs}/ca.crt`, registry.caPem!);
    assert.deepEqual(await client(registry, { HOME: home }).listTags("app"), ["1"]);
  }));

test("a stopped registry is unreachable", async () => {
  const registry = await startRegistry();
  const host = registry.host;
  await registry.stop();
  await assert.rejects(
    systemRegistryClient(host, { os: "linux", home: "/nonexistent", env: {} }, () => {}).listTags(
      "app",
    ),
    (e: unknown) =>
      e instanceof RegistryError && e.kind === "unreachable" &&
      /connection refused/.test(e.message),
  );
});
