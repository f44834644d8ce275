import assert from "node:assert/strict";
import {
  type CredentialIo,
  dockerConfigPath,
  lookupCredential,
} from "../lib/edge/registry/credentials.ts";

function io(
  config: unknown,
  helpers: Record<string, (input: string) => { code: number; stdout: string }> = {},
) {
  const warnings: string[] = [];
  const inputs: string[] = [];
  const value: CredentialIo = {
    readTextFile: (path) =>
      path === "/cfg/config.json"
        ? Promise.resolve(typeof config === "string" ? config : JSON.stringify(config))
        : Promise.reject(new Deno.errors.NotFound(path)),
    runHelper: (program, input) => {
      inputs.push(`${program} ${input}`);
      const helper = helpers[program];
      return Promise.resolve(helper === undefined ? undefined : { ...helper(input), stderr: "" });
    },
    warn: (m) => warnings.push(m),
  };
  return { value, warnings, inputs };
}

const b64 = (s: string) => btoa(s);

Deno.test("lookupCredential() reads auths: Docker Hub's key, bare and scheme/slash variants", async () => {
  const config = {
    auths: {
      "https://index.docker.io/v1/": { auth: b64("hub:pw") },
      "https://reg.example:5000/": { auth: b64("u:p:with:colons") },
      "ghcr.io": { username: "g", password: "gp" },
      "quay.io": { identitytoken: "id-tok" },
      "r.example": { registrytoken: "reg-tok" },
    },
  };
  const { value } = io(config);
  assert.deepEqual(await lookupCredential("docker.io", "/cfg/config.json", value), {
    username: "hub",
    password: "pw",
  });
  assert.deepEqual(await lookupCredential("reg.example:5000", "/cfg/config.json", value), {
    username: "u",
    password: "p:with:colons",
  });
  assert.deepEqual(await lookupCredential("ghcr.io", "/cfg/config.json", value), {
    username: "g",
    password: "gp",
  });
  assert.deepEqual(await lookupCredential("quay.io", "/cfg/config.json", value), {
    identityToken: "id-tok",
    username: undefined,
  });
  assert.deepEqual(await lookupCredential("r.example", "/cfg/config.json", value), {
    registryToken: "reg-tok",
  });
  assert.equal(await lookupCredential("other.example", "/cfg/config.json", value), undefined);
});

Deno.test("lookupCredential() prefers credHelpers, then credsStore, then auths", async () => {
  const config = {
    credHelpers: { "reg.example": "test" },
    credsStore: "store",
    auths: { "reg.example": { auth: b64("a:b") }, "other.example": { auth: b64("c:d") } },
  };
  const helpers = {
    "docker-credential-test": () => ({
      code: 0,
      stdout: '{"ServerURL":"reg.example","Username":"h","Secret":"s"}',
    }),
    "docker-credential-store": () => ({
      code: 0,
      stdout: '{"Username":"<token>","Secret":"refresh"}',
    }),
  };
  const { value, inputs } = io(config, helpers);
  assert.deepEqual(await lookupCredential("reg.example", "/cfg/config.json", value), {
    username: "h",
    password: "s",
  });
  assert.deepEqual(await lookupCredential("other.example", "/cfg/config.json", value), {
    identityToken: "refresh",
  });
  assert.deepEqual(inputs, [
    "docker-credential-test reg.example",
    "docker-credential-store other.example",
  ]);
});

Deno.test("lookupCredential() sends Docker Hub's server URL to a helper", async () => {
  const { value, inputs } = io({ credsStore: "x" }, {
    "docker-credential-x": () => ({ code: 1, stdout: "credentials not found in native keychain" }),
  });
  assert.equal(await lookupCredential("docker.io", "/cfg/config.json", value), undefined);
  assert.deepEqual(inputs, ["docker-credential-x https://index.docker.io/v1/"]);
});

Deno.test("lookupCredential() warns once and goes anonymous when a helper is missing or the file is bad", async () => {
  const missing = io({ credHelpers: { "reg.example": "gone" } });
  assert.equal(await lookupCredential("reg.example", "/cfg/config.json", missing.value), undefined);
  assert.equal(missing.warnings.length, 1);
  assert.match(missing.warnings[0], /docker-credential-gone not found on PATH/);

  const bad = io("{ not json");
  assert.equal(await lookupCredential("reg.example", "/cfg/config.json", bad.value), undefined);
  assert.match(bad.warnings[0], /cannot parse \/cfg\/config.json/);

  const none = io({});
  assert.equal(await lookupCredential("reg.example", "/nope/config.json", none.value), undefined);
  assert.deepEqual(none.warnings, []);
});

Deno.test("dockerConfigPath() honors DOCKER_CONFIG", () => {
  const at = (env: Record<string, string>) => dockerConfigPath({ os: "linux", home: "/h", env });
  assert.equal(at({ DOCKER_CONFIG: "/d/" }), "/d/config.json");
  assert.equal(at({}), "/h/.docker/config.json");
});
