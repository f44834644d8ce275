import assert from "node:assert/strict";
import { type Challenge, parseChallenges } from "../lib/core/registry/challenge.ts";

const cases: [string, string, Challenge[]][] = [
  [
    "a Bearer challenge",
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
    [{
      scheme: "bearer",
      params: { realm: "https://auth.docker.io/token", service: "registry.docker.io" },
    }],
  ],
  ["case-insensitive scheme and names", 'BEARER Realm="r",SERVICE="s"', [{
    scheme: "bearer",
    params: { realm: "r", service: "s" },
  }]],
  [
    "quoted values with spaces and commas",
    'Bearer service="SUSE Linux Docker Registry",scope="repository:a/b:pull,push"',
    [{
      scheme: "bearer",
      params: { service: "SUSE Linux Docker Registry", scope: "repository:a/b:pull,push" },
    }],
  ],
  ["escapes in quoted values", 'Basic realm="a \\"quoted\\" \\\\ realm"', [{
    scheme: "basic",
    params: { realm: 'a "quoted" \\ realm' },
  }]],
  ["an unquoted value with /", "Basic realm=/", [{ scheme: "basic", params: { realm: "/" } }]],
  ["white space around =", 'Bearer realm = "r" , service= s', [{
    scheme: "bearer",
    params: { realm: "r", service: "s" },
  }]],
  [
    "several challenges on one line",
    'Bearer realm="https://a/token",service="x", Basic realm="reg"',
    [
      { scheme: "bearer", params: { realm: "https://a/token", service: "x" } },
      { scheme: "basic", params: { realm: "reg" } },
    ],
  ],
  ["a scheme with no parameters", "Negotiate, Basic realm=x", [
    { scheme: "negotiate", params: {} },
    { scheme: "basic", params: { realm: "x" } },
  ]],
  ["empty", "", []],
];
for (const [name, header, expected] of cases) {
  Deno.test(`parseChallenges() parses ${name}`, () => {
    assert.deepEqual(parseChallenges(header), expected);
  });
}

Deno.test("parseChallenges() rejects an unterminated quote", () => {
  assert.throws(() => parseChallenges('Bearer realm="https://a'), /unterminated quoted string/);
});

Deno.test("parseChallenges() rejects junk after a value", () => {
  assert.throws(() => parseChallenges('Bearer realm="a" "b"'), SyntaxError);
});
