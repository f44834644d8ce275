import assert from "node:assert/strict";
import {
  familiarName,
  formatReference,
  type ImageReference,
  InvalidReferenceError,
  parseReference,
} from "../lib/core/reference.ts";

const D = "sha256:" + "a".repeat(64);

const valid: [string, ImageReference][] = [
  ["ubuntu", { registry: "docker.io", repository: "library/ubuntu" }],
  ["ubuntu:24.04", { registry: "docker.io", repository: "library/ubuntu", tag: "24.04" }],
  ["docker.io/library/ubuntu", { registry: "docker.io", repository: "library/ubuntu" }],
  ["index.docker.io/library/ubuntu", { registry: "docker.io", repository: "library/ubuntu" }],
  ["index.docker.io/ubuntu", { registry: "docker.io", repository: "library/ubuntu" }],
  ["zppz/docker-project-template-py:20210502-002343", {
    registry: "docker.io",
    repository: "zppz/docker-project-template-py",
    tag: "20210502-002343",
  }],
  ["localhost/app", { registry: "localhost", repository: "app" }],
  ["localhost:5000/a/b:1", { registry: "localhost:5000", repository: "a/b", tag: "1" }],
  ["ghcr.io/acme/app", { registry: "ghcr.io", repository: "acme/app" }],
  ["Registry/app", { registry: "Registry", repository: "app" }],
  ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
  ["[fe80::1]/app:v1", { registry: "[fe80::1]", repository: "app", tag: "v1" }],
  ["127.0.0.1:5000/x", { registry: "127.0.0.1:5000", repository: "x" }],
  [`app@${D}`, { registry: "docker.io", repository: "library/app", digest: D }],
  [`app:1@${D}`, { registry: "docker.io", repository: "library/app", tag: "1", digest: D }],
  ["a__b-c---d/f_g.h:T_1.x-y", {
    registry: "docker.io",
    repository: "a__b-c---d/f_g.h",
    tag: "T_1.x-y",
  }],
  ["a.b/c", { registry: "a.b", repository: "c" }],
  ["app:" + "t".repeat(128), {
    registry: "docker.io",
    repository: "library/app",
    tag: "t".repeat(128),
  }],
];

for (const [input, expected] of valid) {
  Deno.test(`parseReference() parses ${JSON.stringify(input)}`, () => {
    assert.deepEqual(parseReference(input), expected);
  });
}

const invalid: [string, string, RegExp][] = [
  ["", "reference", /empty reference/],
  ["alpine:", "tag", /empty tag/],
  ["Alpine", "repository", /lowercase/],
  ["acme/App", "repository", /lowercase/],
  ["app:-x", "tag", /invalid tag "-x"/],
  ["app:.x", "tag", /invalid tag/],
  ["app:" + "t".repeat(129), "tag", /invalid tag/],
  ["app@", "digest", /empty digest/],
  ["app@sha256:abc", "digest", /invalid digest/],
  [`app@sha256:${"a".repeat(63)}`, "digest", /64 hex digits/],
  ["a//b", "repository", /empty path component/],
  ["a/b/", "repository", /empty path component/],
  ["a_-b", "repository", /invalid path component "a_-b"/],
  ["-a", "repository", /invalid path component/],
  ["a..b", "repository", /invalid path component/],
  ["localhost:port/app", "registry", /invalid registry port "port"/],
  ["[::1/app", "registry", /IPv6/],
  ["bad_host.com/app", "registry", /invalid registry host/],
  ["a b", "reference", /white space/],
  ["x".repeat(256), "repository", /longer than 255/],
  [":tag", "repository", /empty repository/],
];

for (const [input, part, message] of invalid) {
  Deno.test(`parseReference() rejects ${JSON.stringify(input.slice(0, 40))} naming the ${part}`, () => {
    assert.throws(() => parseReference(input), (error: unknown) => {
      assert.ok(error instanceof InvalidReferenceError);
      assert.ok(error instanceof SyntaxError);
      assert.equal(error.part, part);
      assert.match(error.message, message);
      assert.match(error.message, /^cannot parse image reference "/);
      return true;
    });
  });
}

const familiar: [string, string][] = [
  ["docker.io/library/ubuntu:1", "ubuntu"],
  ["ubuntu", "ubuntu"],
  ["docker.io/acme/app", "acme/app"],
  ["docker.io/library/a/b", "library/a/b"],
  ["localhost:5000/a/b", "localhost:5000/a/b"],
  ["ghcr.io/library/x", "ghcr.io/library/x"],
];
for (const [input, expected] of familiar) {
  Deno.test(`familiarName() shows ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => {
    assert.equal(familiarName(parseReference(input)), expected);
  });
}

Deno.test("formatReference() keeps tag and digest", () => {
  assert.equal(formatReference(parseReference(`docker.io/library/app:1@${D}`)), `app:1@${D}`);
});
