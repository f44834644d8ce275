/**
 * The fallback rules of `resolveImage`: which tag runs and what is asked,
 * for every mix of local tags, remote tags, a registry that fails or does
 * not know the repository, `--local`, a given tag or digest, and `--list-tags`.
 * The engine is a fake docker CLI in a temp dir that logs its argv and
 * prints the local tags (or fails as an unreachable engine); the registry is
 * a `Deno.serve` on 127.0.0.1 that logs each path.
 *
 * @module
 */

import assert from "node:assert/strict";
import { formatError } from "../lib/core/errors.ts";
import { resolveImage, type ResolveOptions } from "../lib/edge/image.ts";
import { parseReference } from "../lib/core/reference.ts";
import { NATURAL_POLICY } from "../lib/core/tags.ts";

/** What the fakes hold and answer. */
interface World {
  /** Tags `docker image ls` prints; `"down"`: it fails as an unreachable engine does. */
  local: string[] | "down";
  /** Tags the registry lists; `"unknown"`: 404 NAME_UNKNOWN; `"closed"`: nothing listens. */
  remote: string[] | "unknown" | "closed";
}

/** What a resolution did, as one value to compare whole. */
interface Outcome {
  tag?: string;
  digest?: string;
  source: string;
  candidates: number;
  registry: string;
  warnings: string[];
  /** Each argv the fake docker CLI was run with. */
  engineCalls: string[][];
  /** Each path the registry was asked for. */
  registryCalls: string[];
  /** Every tag newest first, as `"<tag> <local|remote|both>"`. */
  rows?: string[];
}

const DIGEST = `sha256:${"ab".repeat(32)}`;

/**
 * Runs `resolveImage` for `image` (`HOST` stands for the fake registry's
 * host:port) against the fakes of `world`.
 */
async function resolveIn(
  world: World,
  image: string,
  options: Partial<ResolveOptions> = {},
): Promise<{ outcome?: Outcome; error?: unknown; host: string }> {
  const dir = await Deno.makeTempDir({ prefix: "rd-image-" });
  const registryCalls: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    registryCalls.push(path);
    if (path === "/v2/") return Response.json({});
    if (world.remote === "unknown") {
      return Response.json({
        errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }],
      }, { status: 404 });
    }
    return Response.json({ name: "app", tags: world.remote });
  });
  const host = `127.0.0.1:${server.addr.port}`;
  if (world.remote === "closed") await server.shutdown();
  const local = world.local === "down"
    ? `echo "Cannot connect to the Docker daemon at unix:///nowhere.sock. Is the docker daemon running?" >&2\nexit 1`
    : `printf '%s\\n' ${world.local.map((t) => `'${t}'`).join(" ")}`;
  await Deno.writeTextFile(
    `${dir}/docker`,
    `#!/bin/sh\nprintf '%s\\0' "$@" >> '${dir}/calls'; printf '\\n' >> '${dir}/calls'\n${local}\n`,
    { mode: 0o755 },
  );
  const warnings: string[] = [];
  try {
    const resolution = await resolveImage(parseReference(image.replace("HOST", host)), {
      engine: { program: `${dir}/docker` },
      policy: NATURAL_POLICY,
      local: false,
      env: { HOME: dir },
      registries: { [host]: { timeout_seconds: 5 } },
      warn: (message) => warnings.push(message),
      ...options,
    });
    const outcome: Outcome = {
      ...(resolution.image.tag === undefined ? {} : { tag: resolution.image.tag }),
      ...(resolution.image.digest === undefined ? {} : { digest: resolution.image.digest }),
      source: resolution.source,
      candidates: resolution.candidates,
      registry: resolution.registry.replaceAll(host, "HOST"),
      warnings: warnings.map((w) => w.replaceAll(host, "HOST")),
      engineCalls: await engineCalls(dir, host),
      registryCalls,
    };
    if (resolution.rows !== undefined) {
      outcome.rows = resolution.rows.map((r) =>
        `${r.tag} ${r.local && r.remote ? "both" : r.local ? "local" : "remote"}`
      );
    }
    return { outcome, host };
  } catch (error) {
    assert.deepEqual(warnings, [], "no warning before an error");
    return { error, host };
  } finally {
    if (world.remote !== "closed") await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The argvs the fake CLI logged, `HOST` for the registry's host:port. */
async function engineCalls(dir: string, host: string): Promise<string[][]> {
  const log = await Deno.readTextFile(`${dir}/calls`).catch(() => "");
  return log.split("\n").filter((l) => l !== "").map((l) =>
    l.split("\0").filter((a) => a !== "").map((a) => a.replaceAll(host, "HOST"))
  );
}

const LS = ["image", "ls", "--no-trunc", "--format", "{{.Tag}}\t{{.ID}}", "HOST/app"];
const TAGS = ["/v2/", "/v2/app/tags/list"];
const BOTH_ASKED = { engineCalls: [LS], registryCalls: TAGS };

type Case = [name: string, world: World, image: string, options: Partial<ResolveOptions>, Outcome];
/** A resolution that asked nobody. */
const UNASKED = {
  candidates: 0,
  registry: "not asked",
  warnings: [],
  engineCalls: [],
  registryCalls: [],
};
/** A lookup where the engine and the registry both answered. */
const ANSWERED = { registry: "ok", warnings: [], ...BOTH_ASKED };

const cases: Case[] = [
  [
    "a given tag runs as it is; nothing is asked",
    { local: ["9"], remote: ["9"] },
    "HOST/app:1.0",
    {},
    {
      tag: "1.0",
      source: "given",
      ...UNASKED,
    },
  ],
  [
    "a given digest runs as it is; nothing is asked",
    { local: [], remote: [] },
    `HOST/app@${DIGEST}`,
    {},
    {
      digest: DIGEST,
      source: "given",
      ...UNASKED,
    },
  ],
  ["only a local image: it runs", { local: ["1.0"], remote: [] }, "HOST/app", {}, {
    tag: "1.0",
    source: "local",
    candidates: 1,
    ...ANSWERED,
    rows: ["1.0 local"],
  }],
  ["only a remote image: it is pulled", { local: [], remote: ["1.0"] }, "HOST/app", {}, {
    tag: "1.0",
    source: "remote",
    candidates: 1,
    ...ANSWERED,
    rows: ["1.0 remote"],
  }],
  [
    "the remote tag is newer: it is pulled",
    { local: ["1.0"], remote: ["1.0", "1.10"] },
    "HOST/app",
    {},
    {
      tag: "1.10",
      source: "remote",
      candidates: 2,
      ...ANSWERED,
      rows: ["1.10 remote", "1.0 both"],
    },
  ],
  [
    "the local tag is newer: it runs",
    { local: ["2.0", "1.0"], remote: ["1.0", "1.9"] },
    "HOST/app",
    {},
    {
      tag: "2.0",
      source: "local",
      candidates: 3,
      ...ANSWERED,
      rows: ["2.0 local", "1.9 remote", "1.0 both"],
    },
  ],
  [
    "the newest tag is local and remote: the local image runs",
    {
      local: ["1.1"],
      remote: ["1.0", "1.1"],
    },
    "HOST/app",
    {},
    {
      tag: "1.1",
      source: "both",
      candidates: 2,
      ...ANSWERED,
      rows: ["1.1 both", "1.0 remote"],
    },
  ],
  [
    "the registry is unreachable: the newest local image, one warning",
    {
      local: ["1.0", "1.1"],
      remote: "closed",
    },
    "HOST/app",
    {},
    {
      tag: "1.1",
      source: "local",
      candidates: 2,
      registry: "registry HOST unreachable (connection refused)",
      warnings: ["registry HOST unreachable (connection refused); using the newest local image"],
      engineCalls: [LS],
      registryCalls: [],
      rows: ["1.1 local", "1.0 local"],
    },
  ],
  [
    "the registry does not know the repository: the local image, its words in the warning",
    {
      local: ["1.0"],
      remote: "unknown",
    },
    "HOST/app",
    {},
    {
      tag: "1.0",
      source: "local",
      candidates: 1,
      registry: "no repository app on HOST",
      warnings: ["no repository app on HOST; using the newest local image"],
      ...BOTH_ASKED,
      rows: ["1.0 local"],
    },
  ],
  ["--local asks the engine only", { local: ["1.0"], remote: ["2.0"] }, "HOST/app", {
    local: true,
  }, {
    tag: "1.0",
    source: "local",
    candidates: 1,
    registry: "not asked (--local)",
    warnings: [],
    engineCalls: [LS],
    registryCalls: [],
    rows: ["1.0 local"],
  }],
  [
    "--list-tags with a tag lists both sides and keeps the tag",
    {
      local: ["1.0"],
      remote: ["1.0", "2.0"],
    },
    "HOST/app:1.0",
    { listAll: true },
    {
      tag: "1.0",
      source: "given",
      candidates: 0,
      ...ANSWERED,
      rows: ["2.0 remote", "1.0 both"],
    },
  ],
  [
    "--list-tags with an unreachable engine warns and lists the registry's",
    {
      local: "down",
      remote: ["1.0"],
    },
    "HOST/app",
    { listAll: true, lookupOnly: true },
    {
      tag: "1.0",
      source: "remote",
      candidates: 1,
      registry: "ok",
      warnings: [
        "cannot connect to the Docker engine at the default endpoint (docker context); local images not considered",
      ],
      ...BOTH_ASKED,
      rows: ["1.0 remote"],
    },
  ],
];

for (const [name, world, image, options, want] of cases) {
  Deno.test(`resolveImage(): ${name}`, async () => {
    const { outcome, error } = await resolveIn(world, image, options);
    assert.equal(error, undefined, String(error));
    assert.deepEqual(outcome, want);
  });
}

type ErrorCase = [
  name: string,
  world: World,
  options: Partial<ResolveOptions>,
  error: "EngineError" | "RegistryError",
  lines: string[],
];
const SIGNATURE = `sha256-${"ab".repeat(32)}.sig`;
const PUSH_HINT =
  "hint: build or push it first, check --tag-order/--tag-filter/--tag-range, or give a tag (HOST/app:TAG)";

const errors: ErrorCase[] = [
  ["no image anywhere", { local: [], remote: [] }, {}, "EngineError", [
    "run-docker: error: no image of HOST/app locally or on the registry",
    PUSH_HINT,
  ]],
  ["--local and no local image", { local: [], remote: ["1.0"] }, { local: true }, "EngineError", [
    "run-docker: error: no image of HOST/app locally (--local)",
    "hint: --local uses only local images: build it, load it (docker load -i FILE), or run once without --local to pull it",
  ]],
  ["only tags the policy rejects", { local: [SIGNATURE], remote: [SIGNATURE] }, {}, "EngineError", [
    "run-docker: error: no image of HOST/app locally or on the registry that the tag policy accepts",
    PUSH_HINT,
  ]],
  [
    "the registry unreachable and no local image",
    { local: [], remote: "closed" },
    {},
    "RegistryError",
    [
      "run-docker: error: cannot reach registry HOST: connection refused",
      "hint: check the network and the registry's address, or run with --local",
    ],
  ],
  [
    "the repository unknown and no local image",
    { local: [], remote: "unknown" },
    {},
    "RegistryError",
    [
      "run-docker: error: no repository app on HOST",
      "hint: check the image name, or build and push it first",
    ],
  ],
  ["the engine unreachable for a run", { local: "down", remote: ["1.0"] }, {}, "EngineError", [
    "run-docker: error: cannot connect to the Docker engine at the default endpoint (docker context)",
    "hint: start the engine (e.g. sudo systemctl start docker), or check DOCKER_HOST and 'docker context ls'",
  ]],
];

for (const [name, world, options, kind, lines] of errors) {
  Deno.test(`resolveImage(): ${name} is one error`, async () => {
    const { outcome, error, host } = await resolveIn(world, "HOST/app", options);
    assert.equal(outcome, undefined);
    assert.equal((error as Error).name, kind, String(error));
    assert.deepEqual(formatError(error).lines.map((l) => l.replaceAll(host, "HOST")), lines);
  });
}
